#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 180) with seeds from fixtures/ (and ../shared/corpus
# when present). Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`).
# Not part of CI (ASAN builds are slow); crashes found go to fuzz/artifacts/TARGET/ and become
# regression tests in crates/kyso/tests/robustness.rs.
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-180}
mkdir -p corpus/pdf_document corpus/verify corpus/cms_parse
for f in ../fixtures/docs/*.pdf ../../shared/corpus/*/*/*.pdf; do
    [ -f "$f" ] || continue
    cp "$f" corpus/pdf_document/ && cp "$f" corpus/verify/
done
# Structural seeds: object streams and cross-reference streams (qpdf), indirect /Length
# (congvan.pdf has them), linearized files, and kyso-signed versions of each with an update.
if command -v qpdf >/dev/null; then
    for f in ../fixtures/docs/*.pdf; do
        b=$(basename "$f" .pdf)
        qpdf --object-streams=generate "$f" "corpus/pdf_document/$b-objstm.pdf" 2>/dev/null || true
        qpdf --linearize "$f" "corpus/pdf_document/$b-linear.pdf" 2>/dev/null || true
        qpdf --object-streams=generate --newline-before-endstream "$f" "corpus/pdf_document/$b-objstm2.pdf" 2>/dev/null || true
    done
    if [ -x ../target/release/kyso ]; then
        for f in corpus/pdf_document/*-objstm.pdf corpus/pdf_document/*-linear.pdf; do
            KYSO_PIN=12345678 ../target/release/kyso sign "$f" -o "${f%.pdf}-signed.pdf" \
                --p12 ../fixtures/pki/leader.p12 >/dev/null 2>&1 || true
        done
    fi
    cp corpus/pdf_document/*.pdf corpus/verify/ 2>/dev/null || true
fi
# CMS seeds: the signature values of the signed fixtures.
python3 - <<'PY'
import glob, re, os
for i, f in enumerate(glob.glob('../fixtures/docs/*signed*.pdf') + glob.glob('../../shared/corpus/*/*/*.pdf')):
    data = open(f, 'rb').read()
    for j, m in enumerate(re.finditer(rb'/Contents\s*<([0-9A-Fa-f]{200,})>', data)):
        open(f'corpus/cms_parse/seed-{i}-{j}.der', 'wb').write(bytes.fromhex(m.group(1).decode()))
PY
for target in ${TARGETS:-pdf_document verify cms_parse}; do
    echo "== $target ($secs s)"
    cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$secs" -rss_limit_mb=2048 -max_len=1048576 2>&1 | tail -3
done
