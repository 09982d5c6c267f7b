#!/usr/bin/env bash
# kyso vs pyHanko, end to end, on the same files with the same key: signing (PAdES B-B) and
# validation (trust anchor given, no revocation). Prints mean wall times and ratios.
# Usage: bash benches/compare.sh [RUNS]   (needs pyhanko: scripts/install-test-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cargo build --release -q
kyso=./target/release/kyso
key=fixtures/pki/agency.p12
root=fixtures/pki/root.pem
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mean() { # command...: mean wall seconds over $runs runs
    local start end
    start=$(date +%s.%N)
    for i in $(seq "$runs"); do "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }; done
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN{printf "%.4f", (e-s)/n}'
}

printf '%-26s %10s %10s %8s\n' "file / operation" "kyso (s)" "pyHanko (s)" "ratio"
for doc in congvan.pdf baocao-100pages.pdf; do
    in=fixtures/docs/$doc
    ks=$(mean env KYSO_PIN= "$kyso" sign "$in" -o "$work/k.pdf" --overwrite --p12 "$key")
    ps=$(mean pyhanko sign addsig --field Sig1 --use-pades pkcs12 --no-pass "$in" "$work/p.pdf" "$key")
    kv=$(mean "$kyso" verify "$work/k.pdf" --trust "$root" --offline \
        --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl)
    pv=$(mean pyhanko sign validate --trust "$root" --trust-replace --no-revocation-check "$work/p.pdf")
    awk -v d="$doc" -v a="$ks" -v b="$ps" 'BEGIN{printf "%-26s %10.4f %10.4f %7.1fx\n", d" sign", a, b, b/a}'
    awk -v d="$doc" -v a="$kv" -v b="$pv" 'BEGIN{printf "%-26s %10.4f %10.4f %7.1fx\n", d" verify", a, b, b/a}'
done
