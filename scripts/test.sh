#!/usr/bin/env bash
# The whole test suite, installs included: what .ci/run calls and the README names.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-test-deps.sh
export KYSO_REQUIRE_TOOLS=1   # interop tests fail (not skip) when pyhanko/pdfsig/qpdf are missing

if [ ! -d ../shared/corpus ]; then
    echo "NOTE: ../shared is absent: the corpus tests skip (they print SKIP with --nocapture)"
fi
echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace 2>&1 | tee target/test-output.txt
# One closing line for the whole run (the per-binary lines above stay as cargo printed them).
awk '/^test result:/ {p+=$4; f+=$6; i+=$8} END {printf "total: %d passed, %d failed, %d skipped\n", p, f, i}' target/test-output.txt
echo "== bindings (.NET, Java, PHP, Python over libkyso)"
bash scripts/test-bindings.sh
