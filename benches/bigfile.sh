#!/usr/bin/env bash
# Big-file benchmark: kyso sign / verify on a ~200 MB PDF against `openssl dgst -sha256` on the
# same file (the floor for anything that hashes it), with peak memory (max RSS).
# Usage: bash benches/bigfile.sh [SIZE_MB]   (needs /usr/bin/time: apt-get install time)
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-200}
cargo build --release -q
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 benches/make_big_pdf.py "$work/big.pdf" "$size"
ls -l "$work/big.pdf" | awk '{printf "file: %.0f MB\n", $5/1e6}'
cat "$work/big.pdf" > /dev/null   # warm the page cache

measure() { # label, command...: prints wall seconds and max RSS (best of 3 runs)
    local label=$1; shift
    local best=""
    for _ in 1 2 3; do
        /usr/bin/time -f "%e %M" -o "$work/t" "$@" > /dev/null 2>&1 || true
        read -r secs rss < "$work/t"
        if [ -z "$best" ] || awk "BEGIN{exit !($secs < ${best%% *})}"; then best="$secs $rss"; fi
    done
    echo "$best" > "$work/$label"
    printf '%-14s %6.2f s   max RSS %6.1f MB\n' "$label" "${best%% *}" "$(awk "BEGIN{print ${best##* }/1024}")"
}

measure openssl openssl dgst -sha256 "$work/big.pdf"
measure kyso-sign env KYSO_PIN= ./target/release/kyso sign "$work/big.pdf" -o "$work/signed.pdf" --overwrite --p12 fixtures/pki/agency.p12
measure kyso-verify ./target/release/kyso verify "$work/signed.pdf" --trust fixtures/pki/root.pem \
    --offline --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl

o=$(cut -d' ' -f1 "$work/openssl"); s=$(cut -d' ' -f1 "$work/kyso-sign"); v=$(cut -d' ' -f1 "$work/kyso-verify")
awk -v o="$o" -v s="$s" -v v="$v" 'BEGIN{printf "sign/openssl = %.2fx (aim <= 2.5x)   verify/openssl = %.2fx (aim <= 1.5x)\n", s/o, v/o}'
