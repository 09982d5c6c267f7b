#!/usr/bin/env bash
# kyso vs pyHanko for time-stamped signatures: signing at PAdES B-T, B-LT, B-LTA (B-B for
# reference) and verifying a B-LTA file, with the same key, TSA and OCSP/CRL services.
# Usage: bash benches/ltv.sh [RUNS]   (default 5; needs openssl, python3 and pyhanko)
# The throw-away PKI (root CA -> intermediate -> signer and a TSA certificate, AIA OCSP + CRL DP
# URLs on 127.0.0.1) and its server (POST /tsa, POST /ocsp, GET /root.crl, /int.crl) are the
# tests' own, kyso-testpki's LocalPki, run by its `testpki` binary.
# Prints mean wall seconds per operation and pyHanko/kyso ratios, and the number of TSA/OCSP/
# CRL requests one run of each makes. Exits non-zero (naming the command) if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
unset KYSO_OFFLINE KYSO_PIN http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY \
    no_proxy NO_PROXY
cargo build --release -q -p kyso-cli -p kyso-testpki
kyso=$PWD/target/release/kyso
testpki=$PWD/target/release/testpki
work=$(mktemp -d)
server=
cleanup() {
    local rc=$?
    if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
    rm -rf "$work"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

die() { echo "failed: $*" >&2; exit 1; }

# --- the PKI and its services (kyso-testpki's `testpki`, until killed) ---
"$testpki" "$work" > "$work/testpki.log" 2>&1 &
server=$!
for _ in $(seq 1200); do [ -s "$work/testpki.env" ] && break; kill -0 "$server" 2> /dev/null || break; sleep 0.05; done
[ -s "$work/testpki.env" ] || die "testpki did not start: $(cat "$work/testpki.log")"
url=$(sed -n 's/^url=//p' "$work/testpki.env")
root=$(sed -n 's/^root=//p' "$work/testpki.env")
key=$(sed -n 's/^p12=//p' "$work/testpki.env")
hitslog=$(sed -n 's/^hits=//p' "$work/testpki.env")

# --- timing ---
mean() { # command...: mean wall seconds over $runs runs
    local start end
    start=$(date +%s.%N)
    for _ in $(seq "$runs"); do
        "$@" > "$work/cmd.log" 2>&1 || { cat "$work/cmd.log" >&2; die "$*"; }
    done
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" -v n="$runs" 'BEGIN{printf "%.4f", (e-s)/n}'
}
hits() { # command...: run once; print its wall time, the server requests it made and their time
    local start end
    : > "$hitslog"
    start=$(date +%s.%N)
    "$@" > "$work/cmd.log" 2>&1 || { cat "$work/cmd.log" >&2; die "$*"; }
    end=$(date +%s.%N)
    awk -v s="$start" -v e="$end" '{ ms += $3; if ($2 == "/tsa") t++; else if ($2 == "/ocsp") o++; else c++ }
        END { printf "%6.3f s  tsa=%d ocsp=%d crl=%d  server %5.3f s", e - s, t, o, c, ms / 1000 }' "$hitslog"
}
row() { # label kyso-seconds pyhanko-seconds
    awk -v d="$1" -v a="$2" -v b="$3" 'BEGIN{printf "%-52s %10.4f %11.4f %7.1fx\n", d, a, b, b/a}'
}
ksign() { env KYSO_PIN= "$kyso" sign "$@" --overwrite --p12 "$key"; }
# pyHanko: key from the same .p12; B-LT/B-LTA fetch OCSP/CRLs with --trust as the root.
psign() { # infile outfile addsig-options...
    local in=$1 out=$2; shift 2
    pyhanko sign addsig --field Sig1 "$@" pkcs12 --no-pass "$in" "$out" "$key"
}
pt=(--use-pades --timestamp-url "$url/tsa")
plt=("${pt[@]}" --with-validation-info --trust "$root" --trust-replace)

declare -A used
printf '%-52s %10s %11s %8s\n' "file / operation" "kyso (s)" "pyHanko (s)" "ratio"
a=$(mean "$kyso" sign --help); b=$(mean pyhanko sign addsig pkcs12 --help)
row "CLI start-up (sign --help)" "$a" "$b"
for doc in congvan.pdf baocao-100pages.pdf; do
    in=fixtures/docs/$doc
    k=$work/k-$doc p=$work/p-$doc
    # (timings go through variables: a failing $(...) inside arguments would not stop set -e)
    a=$(mean ksign "$in" -o "$k" --level B-B); b=$(mean psign "$in" "$p" --use-pades)
    row "$doc sign B-B" "$a" "$b"
    a=$(mean ksign "$in" -o "$k" --level B-T --tsa "$url/tsa"); b=$(mean psign "$in" "$p" "${pt[@]}")
    row "$doc sign B-T" "$a" "$b"
    a=$(mean ksign "$in" -o "$k" --level B-LT --tsa "$url/tsa"); b=$(mean psign "$in" "$p" "${plt[@]}")
    row "$doc sign B-LT" "$a" "$b"
    a=$(mean ksign "$in" -o "$k" --level B-LTA --tsa "$url/tsa")
    b=$(mean psign "$in" "$p" "${plt[@]}" --use-pades-lta)
    row "$doc sign B-LTA" "$a" "$b"
    for l in B-T B-LT B-LTA; do
        used["$doc kyso sign $l"]=$(hits ksign "$in" -o "$k" --level $l --tsa "$url/tsa")
    done
    used["$doc pyHanko sign B-T"]=$(hits psign "$in" "$p" "${pt[@]}")
    used["$doc pyHanko sign B-LT"]=$(hits psign "$in" "$p" "${plt[@]}")
    used["$doc pyHanko sign B-LTA"]=$(hits psign "$in" "$p" "${plt[@]}" --use-pades-lta)
    # Both B-LTA files, each verified by both tools. kyso: only what the file holds (--offline);
    # pyHanko validate: its default hard-fail revocation check (fetches from the server);
    # pyHanko adesverify: AdES long-term validation from the DSS and the time-stamps.
    for f in "$k" "$p"; do
        who=kyso; [ "$f" = "$p" ] && who=pyHanko
        a=$(mean "$kyso" verify "$f" --trust "$root" --offline)
        b=$(mean pyhanko sign validate --trust "$root" --trust-replace "$f")
        row "$doc verify $who B-LTA (validate)" "$a" "$b"
        b=$(mean pyhanko sign adesverify --trust "$root" --trust-replace "$f")
        row "$doc verify $who B-LTA (adesverify)" "$a" "$b"
    done
    used["$doc kyso verify kyso B-LTA"]=$(hits "$kyso" verify "$k" --trust "$root" --offline)
    used["$doc pyHanko validate kyso B-LTA"]=$(hits pyhanko sign validate --trust "$root" --trust-replace "$k")
    used["$doc pyHanko adesverify kyso B-LTA"]=$(hits pyhanko sign adesverify --trust "$root" --trust-replace "$k")
done
echo
echo "one run each: wall time, requests to the local TSA/OCSP/CRL server, time the server spent"
for w in "${!used[@]}"; do printf '  %-52s %s\n' "$w" "${used[$w]}"; done | sort

# --- a large file (BIG_MB=200 bash benches/ltv.sh): B-LTA against B-B, the network apart ---
if [ -n "${BIG_MB:-}" ]; then
    python3 benches/make_big_pdf.py "$work/big.pdf" "$BIG_MB"
    cat "$work/big.pdf" > /dev/null
    bsign() { echo "env KYSO_PIN= $kyso sign $work/big.pdf -o $work/big-$1.pdf --overwrite --p12 $key --level $1 $2"; }
    { read -r bb; read -r blta; } < <(python3 benches/median.py "$runs" "$(bsign B-B '')" \
        "$(bsign B-LTA "--tsa $url/tsa")")
    : > "$hitslog"
    $(bsign B-LTA "--tsa $url/tsa") > /dev/null
    net=$(awk '{ ms += $3 } END { printf "%.4f", ms / 1000 }' "$hitslog")
    echo
    awk -v m="$BIG_MB" -v a="$bb" -v b="$blta" -v n="$net" 'BEGIN{printf "%d MB: sign B-B %.3f s, B-LTA %.3f s (server time %.3f s): (B-LTA - server) / B-B = %.2fx (aim <= 1.3x)\n", m, a, b, n, (b-n)/a}'
fi
