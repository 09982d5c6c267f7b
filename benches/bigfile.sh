#!/usr/bin/env bash
# Big-file benchmark: kyso sign / verify on a ~200 MB PDF against the floors on the same file in
# the same run: `openssl dgst -sha256` for verification (anything that checks the signature
# hashes the file) and a durable copy, `cp` then `sync FILE`, for signing (kyso fsyncs its
# output). Median of RUNS interleaved runs; peak memory (max RSS) from one run each.
# Usage: bash benches/bigfile.sh [SIZE_MB] [RUNS]   (needs /usr/bin/time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
runs=${2:-7}
cargo build --release -q -p kyso-cli
kyso=./target/release/kyso
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KYSO_PIN=
python3 benches/make_big_pdf.py "$work/big.pdf" "$size"
ls -l "$work/big.pdf" | awk '{printf "file: %.0f MB\n", $5/1e6}'
cat "$work/big.pdf" > /dev/null   # warm the page cache
sign="$kyso sign $work/big.pdf -o $work/signed.pdf --overwrite --p12 fixtures/pki/agency.p12"
verify="$kyso verify $work/signed.pdf --trust fixtures/pki/root.pem --offline \
--crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl"
$sign > /dev/null
{ read -r o; read -r c; read -r s; read -r v; } < <(python3 benches/median.py "$runs" \
    "openssl dgst -sha256 $work/big.pdf" \
    "cp $work/big.pdf $work/copy.pdf && sync $work/copy.pdf && rm $work/copy.pdf" \
    "$sign" "$verify")
rss() { /usr/bin/time -f "%M" -o "$work/t" "$@" > /dev/null 2>&1; awk '{printf "%.1f", $1/1024}' "$work/t"; }
ro=$(rss openssl dgst -sha256 "$work/big.pdf"); rs=$(rss $sign); rv=$(rss $verify)
printf '%-22s %8s %10s\n' "" "wall (s)" "max RSS MB"
printf '%-22s %8.3f %10s\n' "openssl dgst -sha256" "$o" "$ro" "cp + sync" "$c" "-" \
    "kyso sign" "$s" "$rs" "kyso verify" "$v" "$rv"
awk -v o="$o" -v c="$c" -v s="$s" -v v="$v" 'BEGIN{printf "sign / (cp+sync) = %.2fx (aim <= 1.2x)   verify / openssl dgst = %.2fx (aim <= 1.1x)\n", s/c, v/o}'
