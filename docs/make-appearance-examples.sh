#!/usr/bin/env bash
# Regenerates docs/appearance-*.png: crops of pages signed by kyso with each role
# (fixture documents, keys and pictures; Poppler's pdftoppm renders them).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -q -p kyso-cli
K=target/debug/kyso
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export KYSO_PIN=12345678
$K sign fixtures/docs/congvan-draft.pdf -o "$T/leader.pdf" --p12 fixtures/pki/leader.p12 \
    --role leader --image fixtures/images/signature-blue.png >/dev/null
KYSO_PIN= $K sign "$T/leader.pdf" -o "$T/org.pdf" --p12 fixtures/pki/agency.p12 \
    --role organization --image fixtures/images/seal-red.png --seal-diameter-mm 36 \
    --doc-number 123/UBND-VP --doc-date 05/02/2026 >/dev/null
KYSO_PIN= $K sign fixtures/docs/quyetdinh-multipage.pdf -o "$T/att.pdf" --p12 fixtures/pki/agency.p12 \
    --role attachment --doc-number "45/QĐ-UBND" >/dev/null
KYSO_PIN= $K sign fixtures/docs/congvan.pdf -o "$T/copy.pdf" --p12 fixtures/pki/agency.p12 \
    --role copy --copy-type "SAO Y" >/dev/null
R=110
px() { python3 -c "print(int($1 * $R / 72))"; }
crop() { # file out x y w h (points, from the top left)
    pdftoppm -r $R -png -singlefile -f 1 -l 1 -x "$(px "$3")" -y "$(px "$4")" -W "$(px "$5")" -H "$(px "$6")" "$1" "docs/$2"
}
crop "$T/leader.pdf" appearance-leader 90 560 500 150
crop "$T/org.pdf" appearance-organization 90 560 500 150
crop "$T/org.pdf" appearance-organization-number 40 60 555 60
crop "$T/att.pdf" appearance-attachment 245 0 350 110
crop "$T/copy.pdf" appearance-copy 245 0 350 110
echo "written: docs/appearance-*.png"
