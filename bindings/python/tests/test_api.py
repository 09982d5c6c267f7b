"""What the vectors do not cover: version, extraction, deferred signing with openssl."""
import base64
import subprocess

import pytest

import kyso
from conftest import REPO, VECTORS

PKI = REPO / "fixtures" / "pki"
VERIFY = VECTORS["sign"][0]["verify_options"]


def test_version():
    assert kyso.version().count(".") == 2


def test_options_as_json_text_and_unknown_keys(tmp_path):
    v = kyso.verify_file(REPO / "fixtures/docs/congvan.pdf", '{"trust": ["%s"]}' % (PKI / "root.pem"))
    assert v.code == kyso.VERIFY_NO_SIGNATURE and not v.passed
    with pytest.raises(kyso.KysoError) as e:
        kyso.verify_bytes(b"%PDF-1.7\n", "{not json")
    assert e.value.kind == "INVALID_ARGUMENT"


def test_extract_the_first_signed_version(tmp_path):
    leader = VECTORS["sign"][1]["steps"]
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    kyso.sign_file(REPO / "fixtures/docs/congvan.pdf", one, leader[0])
    kyso.sign_file(one, two, leader[1])
    result = kyso.extract_file(two, tmp_path / "first.pdf", {"signature": 1})
    # The leader's signature is followed by the organization's revision.
    assert result["signature"] == 1 and result["covers_whole_document"] is False
    assert (tmp_path / "first.pdf").read_bytes() == one.read_bytes()


def test_deferred_signing_with_openssl(tmp_path):
    prepared = tmp_path / "prepared.pdf"
    job = kyso.prepare(
        REPO / "fixtures/docs/congvan.pdf",
        prepared,
        {"cert_path": str(PKI / "leader.pem"), "chain_path": str(PKI / "chain.pem"), "reason": "Ký số"},
    )
    tbs = tmp_path / "tbs.der"
    tbs.write_bytes(base64.b64decode(job["to_be_signed_base64"]))
    sig = subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(PKI / "leader.key.pem"), str(tbs)],
        check=True,
        capture_output=True,
    ).stdout
    out = tmp_path / "signed.pdf"
    kyso.complete(prepared, out, sig)
    v = kyso.verify_file(out, VERIFY)
    assert v.code == kyso.OK, v.report
    # A value that is not the signature is refused and nothing is written.
    with pytest.raises(kyso.KysoError) as e:
        kyso.complete(prepared, tmp_path / "bad.pdf", bytes(len(sig)))
    assert e.value.kind == "CRYPTO"
    assert not (tmp_path / "bad.pdf").exists()


def openssl_sign(tbs: bytes) -> bytes:
    return subprocess.run(
        ["openssl", "dgst", "-sha256", "-sign", str(PKI / "leader.key.pem")],
        input=tbs,
        check=True,
        capture_output=True,
    ).stdout


def test_callback_signer(tmp_path):
    pem = (PKI / "leader.pem").read_text() + (PKI / "chain.pem").read_text()
    out = tmp_path / "callback.pdf"
    seen = []

    def sign(tbs):
        seen.append(len(tbs))
        return openssl_sign(tbs)

    kyso.sign_file_with_callback(
        REPO / "fixtures/docs/congvan.pdf", out, {"reason": "Ký qua token"}, pem, sign
    )
    assert len(seen) == 1 and seen[0] > 0
    v = kyso.verify_file(out, VERIFY)
    assert v.code == kyso.OK and v.report["signatures"][0]["reason"] == "Ký qua token"

    # The signer's exception aborts the signing and is kept as the cause.
    def refuse(_tbs):
        raise PermissionError("PIN refused")

    with pytest.raises(kyso.KysoError) as e:
        kyso.sign_file_with_callback(REPO / "fixtures/docs/congvan.pdf", tmp_path / "no.pdf", None, pem, refuse)
    assert e.value.kind == "KEY" and isinstance(e.value.__cause__, PermissionError)
    assert not (tmp_path / "no.pdf").exists()
    # A value from another key is refused before anything is written.
    with pytest.raises(kyso.KysoError) as e:
        kyso.sign_file_with_callback(
            REPO / "fixtures/docs/congvan.pdf", tmp_path / "bad.pdf", None, pem, lambda t: bytes(256)
        )
    assert e.value.kind == "CRYPTO"
    assert not (tmp_path / "bad.pdf").exists()
