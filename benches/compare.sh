#!/usr/bin/env bash
# kyso vs pyHanko and Poppler's pdfsig, end to end (whole processes), on the same files with the
# same key: signing (PAdES B-B) and validation (kyso: offline, full chain and CRLs). Prints the
# median wall times of RUNS interleaved runs (benches/median.py) and the ratios.
# Usage: bash benches/compare.sh [RUNS]   (needs pyhanko and pdfsig: scripts/install-test-deps.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
cargo build --release -q -p kyso-cli
kyso=./target/release/kyso
key=fixtures/pki/agency.p12
root=fixtures/pki/root.pem
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KYSO_PIN=

printf '%-34s %9s %9s %9s %8s %8s\n' "file / operation" "kyso (ms)" "pyHanko" "pdfsig" \
    "pyHanko/" "pdfsig/"
for doc in congvan.pdf quyetdinh-multipage.pdf baocao-100pages.pdf; do
    in=fixtures/docs/$doc
    "$kyso" sign "$in" -o "$work/k.pdf" --overwrite --p12 "$key" > /dev/null
    { read -r ks; read -r ps; } < <(python3 benches/median.py "$runs" \
        "$kyso sign $in -o $work/k2.pdf --overwrite --p12 $key" \
        "pyhanko sign addsig --field Sig1 --use-pades pkcs12 --no-pass $in $work/p.pdf $key")
    { read -r kv; read -r pv; read -r dv; } < <(python3 benches/median.py "$runs" \
        "$kyso verify $work/k.pdf --trust $root --offline --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl" \
        "pyhanko sign validate --trust $root --trust-replace --no-revocation-check $work/k.pdf" \
        "pdfsig -nocert $work/k.pdf")
    awk -v d="$doc" -v a="$ks" -v b="$ps" \
        'BEGIN{printf "%-34s %9.1f %9.1f %9s %7.1fx %8s\n", d" sign", a*1000, b*1000, "-", b/a, "-"}'
    awk -v d="$doc" -v a="$kv" -v b="$pv" -v c="$dv" \
        'BEGIN{printf "%-34s %9.1f %9.1f %9.1f %7.1fx %7.1fx\n", d" verify", a*1000, b*1000, c*1000, b/a, c/a}'
done
echo "(pdfsig -nocert checks the signature and the hash, not the chain nor revocation)"
