"""The shared vectors of bindings/test-vectors.json through the Python binding."""
import shutil

import pytest

import kyso
from conftest import VECTORS


def check(v: kyso.Verification, vec: dict) -> None:
    assert v.code == vec["code"], (v.code, v.indication)
    if "indication" in vec:
        assert v.indication == vec["indication"]
    sigs = v.report["signatures"]
    if "signers" in vec:
        assert [s["signer"]["common_name"] for s in sigs] == vec["signers"]
    for want, got in zip(vec.get("signatures", []), sigs):
        for key, value in want.items():
            assert got[key] == value, (key, got[key])
    assert len(sigs) >= len(vec.get("signatures", []))


@pytest.mark.parametrize("vec", VECTORS["verify"], ids=lambda v: v["name"])
def test_verify(vec, tmp_path):
    pdf = vec["pdf"]
    if "copy_as" in vec:
        pdf = tmp_path / vec["copy_as"]
        shutil.copyfile(vec["pdf"], pdf)
    if vec.get("buffer"):
        data = bytearray(open(pdf, "rb").read())
        if "flip_byte" in vec:
            data[vec["flip_byte"]] ^= 1
        check(kyso.verify_bytes(bytes(data), vec["options"]), vec)
    else:
        check(kyso.verify_file(pdf, vec["options"]), vec)


@pytest.mark.parametrize("vec", VECTORS["sign"], ids=lambda v: v["name"])
def test_sign(vec, tmp_path):
    # By file: each step signs the previous output.
    current = vec["pdf"]
    for i, step in enumerate(vec["steps"]):
        out = tmp_path / f"signed-{i}.pdf"
        kyso.sign_file(current, out, step)
        current = out
    check(kyso.verify_file(current, vec["verify_options"]), vec)
    # By buffer.
    data = open(vec["pdf"], "rb").read()
    for step in vec["steps"]:
        data = kyso.sign_bytes(data, step)
    assert data.startswith(b"%PDF-")
    check(kyso.verify_bytes(data, vec["verify_options"]), vec)


@pytest.mark.parametrize("vec", VECTORS["errors"], ids=lambda v: v["name"])
def test_errors(vec, tmp_path):
    with pytest.raises(kyso.KysoError) as e:
        if vec["call"] == "verify_file":
            kyso.verify_file(vec["pdf"], vec["options"])
        elif vec["call"] == "sign_file":
            kyso.sign_file(vec["pdf"], tmp_path / "out.pdf", vec["options"])
        else:
            pytest.fail(f"unknown call {vec['call']}")
    assert e.value.code == vec["error"], e.value
    assert vec["message"] in e.value.message
    assert e.value.kind == kyso.ERRORS[vec["error"]]
    assert not (tmp_path / "out.pdf").exists()
