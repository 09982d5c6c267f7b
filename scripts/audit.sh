#!/usr/bin/env bash
# Cargo.lock against the RustSec advisory database (cargo-audit): a known vulnerable or yanked
# crate version fails the suite. The database is a git repository fetched from GitHub; where it
# cannot be fetched (an offline or crates.io-only network) the check is skipped with a message,
# unless KYSO_REQUIRE_TOOLS=1, which makes a missing tool or database a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "== cargo audit (RustSec advisories for Cargo.lock)"
skip() {
    if [ "${KYSO_REQUIRE_TOOLS:-0}" = 1 ]; then
        echo "error: $1 (KYSO_REQUIRE_TOOLS=1)" >&2
        exit 1
    fi
    echo "SKIP: $1"
    exit 0
}
command -v cargo-audit > /dev/null 2>&1 || skip "cargo-audit is not installed (scripts/install-test-deps.sh)"
db=${CARGO_HOME:-$HOME/.cargo}/advisory-db
# Fetch (or update) the database with git first, on its own, so that a network failure is told
# apart from an advisory (`cargo audit` exits 1 for both).
mkdir -p target
extra=()
if [ -d "$db/.git" ]; then
    if ! timeout 120 git -C "$db" pull -q --ff-only > target/audit-fetch.log 2>&1; then
        echo "NOTE: the advisory database could not be updated; checking against the copy in $db"
        extra+=(--stale)
    fi
elif ! timeout 120 git clone -q --depth 1 https://github.com/RustSec/advisory-db.git "$db" \
        > target/audit-fetch.log 2>&1; then
    rm -rf "$db"
    skip "the RustSec advisory database could not be fetched ($(tail -1 target/audit-fetch.log))"
fi
# A vulnerability fails; unmaintained/yanked crates are printed as warnings.
cargo audit --no-fetch --db "$db" "${extra[@]}"
