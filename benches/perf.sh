#!/usr/bin/env bash
# Every performance claim of the README in one run (issue 18), as ratios against the other tools
# measured in the same run: kyso vs pyHanko, pdfsig and `openssl dgst`, whole processes.
#   1. AWS-LC built without CPU-jitter entropy (no jent_* symbol in the binary);
#   2. sign / verify of the letters vs pyHanko and pdfsig (benches/compare.sh);
#   3. batches of 1,000 letters: documents per second with 1, 2 and 4 threads, and the CPU time
#      per document of the signing batch (what the machine's load does not change much);
#   4. a 200 MB file vs openssl dgst and cp + sync, peak memory (benches/bigfile.sh);
#   5. 5,000 / 10,000 / 20,000 empty updates: linear, 10,000 within 2 s (benches/fail_closed.sh);
#   6. `kyso serve` /v1/verify requests per second and the C ABI in-process;
#   7. B-B / B-T / B-LT / B-LTA vs pyHanko with a local TSA, and B-LTA vs B-B on the 200 MB file
#      (benches/ltv.sh with BIG_MB=200).
# Usage: bash benches/perf.sh [RUNS]   (default 21; needs pyhanko, pdfsig, openssl, python3)
# On a machine shared with other work the numbers move; the ratios move less (interleaved runs).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-21}
cargo build --release -q -p kyso-cli   # alone, as the scripts below build it (same features)
cargo build --release -q -p kyso-ffi
kyso=$PWD/target/release/kyso
work=$(mktemp -d)
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2> /dev/null || true; wait "$server" 2> /dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
export KYSO_PIN=
V=(--trust fixtures/pki/root.pem --offline --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl)

echo "== 1. random number generator start-up"
if nm "$kyso" | grep -q ' jent_'; then
    echo "kyso carries AWS-LC's CPU-jitter entropy (jent_*): AWS_LC_SYS_NO_JITTER_ENTROPY did not reach aws-lc-sys"
    exit 1
fi
echo "no jent_* symbol: AWS-LC seeds from the OS generator (getrandom)"
echo "kyso --version: $(python3 benches/median.py "$runs" "$kyso --version") s (process floor)"

echo; echo "== 2. whole-process sign / verify"
bash benches/compare.sh "$runs"

echo; echo "== 3. batches of 1,000 one-page letters (software key; verification offline, chain + CRL)"
mkdir -p "$work/in"
for i in $(seq -w 1000); do cp fixtures/docs/congvan.pdf "$work/in/d$i.pdf"; done
"$kyso" sign --batch "$work/in" -o "$work/signed" --p12 fixtures/pki/agency.p12 > /dev/null
# Each signing run writes into a new folder: reusing a folder just emptied (rm -rf) makes ext4
# search past the inodes it freed moments ago (recently_deleted() in a profile: a third of the
# CPU time), which a document system's output folder does not see.
for j in 1 2 4; do
    { read -r s; } < <(python3 benches/median.py 3 \
        "d=\$(mktemp -d -p $work); $kyso sign --batch $work/in -o \$d --p12 fixtures/pki/agency.p12 -j $j")
    { read -r v; } < <(python3 benches/median.py 3 "$kyso verify $work/signed -j $j ${V[*]}")
    /usr/bin/time -f "%U %S" -o "$work/cpu" \
        "$kyso" sign --batch "$work/in" -o "$(mktemp -d -p "$work")" \
        --p12 fixtures/pki/agency.p12 -j "$j" > /dev/null
    find "$work" -mindepth 1 -maxdepth 1 -name 'tmp.*' -exec rm -rf {} +
    read -r cu cs < "$work/cpu"
    awk -v j="$j" -v s="$s" -v v="$v" -v c="$(awk -v u="$cu" -v k="$cs" 'BEGIN{print u + k}')" \
        'BEGIN{printf "--jobs %d: sign %6.0f docs/s (%.2f s, CPU %.2f ms/doc)   verify %6.0f docs/s (%.2f s)\n", j, 1000/s, s, c, 1000/v, v}'
done

echo; echo "== 4. 200 MB"
bash benches/bigfile.sh 200 7

echo; echo "== 5. many revisions"
bash benches/fail_closed.sh "$runs"

echo; echo "== 6. kyso serve and the C ABI (the 3-page decision quyetdinh-multipage.pdf, signed)"
"$kyso" sign fixtures/docs/quyetdinh-multipage.pdf -o "$work/q.pdf" --p12 fixtures/pki/agency.p12 > /dev/null
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$kyso" serve --listen "127.0.0.1:$port" "${V[@]}" 2> "$work/serve.log" &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/v1/health" > /dev/null 2>&1 && break; sleep 0.05; done
for c in 1 2 4; do
    echo "serve /v1/verify, $c client(s): $(python3 benches/serve_load.py "$port" "$work/q.pdf" "$c" 5) requests/s"
done
opts="{\"trust\":[\"$PWD/fixtures/pki/root.pem\"],\"crls\":[\"$PWD/fixtures/pki/intermediate.crl\",\"$PWD/fixtures/pki/root.crl\"]}"
echo "C ABI kyso_verify_buffer, 1 thread: $(python3 benches/ffi_loop.py target/release/libkyso_ffi.so "$work/q.pdf" "$opts" 5) verifications/s"
echo "CLI kyso verify, 1 process at a time: $(python3 benches/median.py "$runs" "$kyso verify $work/q.pdf ${V[*]}" | awk '{printf "%.0f", 1/$1}') verifications/s"

echo; echo "== 7. time-stamped levels with a local TSA/OCSP/CRL server"
BIG_MB=200 bash benches/ltv.sh 3
