#!/usr/bin/env bash
# Sign a bundled sample with the bundled test key and verify it, printing the report.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q
out=$(mktemp -d)/congvan-signed.pdf
KYSO_PIN=12345678 ./target/release/kyso sign fixtures/docs/congvan.pdf -o "$out" \
    --p12 fixtures/pki/leader.p12 --reason "Phê duyệt văn bản" --location "Hà Nội"
set +e
./target/release/kyso verify "$out" --trust fixtures/pki/root.pem \
    --crl fixtures/pki/intermediate.crl --crl fixtures/pki/root.crl --offline
code=$?
set -e
echo "(exit code $code; signed file: $out)"
exit $code
