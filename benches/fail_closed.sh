#!/usr/bin/env bash
# What the fail-closed change analysis costs: `kyso verify --offline` (chain + CRL) on documents
# where it has nothing to do (one signature over the whole file), where it analyses a revision
# (a second signature after the first; 1 and 100 pages) and on 5,000 / 10,000 / 20,000 empty
# updates (the time must grow linearly with the number of revisions: 10,000 within 2 s; the last
# column is the time per 1,000 revisions after taking out the 1-revision file). Median wall time
# of RUNS runs. Give a second kyso binary (e.g. one built from an older commit) to compare.
# Usage: bash benches/fail_closed.sh [RUNS] [OTHER_KYSO]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
other=${2:-}
cargo build --release -q -p kyso-cli
kyso=./target/release/kyso
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export KYSO_PIN=12345678

sign() { "$kyso" sign "$1" -o "$2" --p12 "fixtures/pki/$3" > /dev/null; }
sign fixtures/docs/congvan.pdf "$work/one.pdf" leader.p12
KYSO_PIN= sign "$work/one.pdf" "$work/two.pdf" agency.p12
sign fixtures/docs/baocao-100pages.pdf "$work/b1.pdf" leader.p12
KYSO_PIN= sign "$work/b1.pdf" "$work/b2.pdf" agency.p12
python3 - "$work/one.pdf" "$work" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
prev = int(re.findall(rb'startxref\s+(\d+)', data)[-1])
root = re.findall(rb'/Root\s+(\d+)\s+0\s+R', data)[-1].decode()
size = re.findall(rb'/Size\s+(\d+)', data)[-1].decode()
out = bytearray(data)
for n in range(1, 20_001):
    at = len(out)
    out += (f"xref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size {size} /Root {root} 0 R "
            f"/Prev {prev} >>\nstartxref\n{at}\n%%EOF\n").encode()
    prev = at
    if n in (5_000, 10_000, 20_000):
        open(f"{sys.argv[2]}/many{n}.pdf", 'wb').write(out)
PY

median() { # binary file: median wall seconds of `verify`
    local bin=$1 file=$2 times=()
    for _ in $(seq "$runs"); do
        local s e
        s=$(date +%s%N)
        "$bin" verify "$file" --offline --trust fixtures/pki/root.pem \
            --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl > /dev/null 2>&1 || true
        e=$(date +%s%N)
        times+=($(( (e - s) / 1000 )))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END{printf "%.1f", a[int((NR+1)/2)]/1000}'
}

printf '%-40s %12s' "document" "kyso (ms)"
[ -n "$other" ] && printf ' %12s' "other (ms)"
printf '\n'
base=
for case in "one.pdf:1 page, 1 signature (no later revision)" \
            "two.pdf:1 page, leader + agency (1 revision analysed)" \
            "b2.pdf:100 pages, two signatures" \
            "many5000.pdf:1 page + 5,000 empty updates" \
            "many10000.pdf:1 page + 10,000 empty updates" \
            "many20000.pdf:1 page + 20,000 empty updates"; do
    f=${case%%:*}; label=${case#*:}
    t=$(median "$kyso" "$work/$f")
    [ -z "$base" ] && base=$t
    printf '%-40s %12s' "$label" "$t"
    [ -n "$other" ] && printf ' %12s' "$(median "$other" "$work/$f")"
    case $f in many*) n=${f#many}; n=${n%.pdf}
        awk -v t="$t" -v b="$base" -v n="$n" 'BEGIN{printf "   %.1f ms per 1,000 revisions", (t-b)*1000/n}' ;;
    esac
    printf '\n'
done
