"""Smoke test of the kyso C ABI through Python ctypes (run by crates/kyso-ffi/tests/c_abi.rs).

    python3 smoke.py LIBKYSO SIGNED_PDF ROOT_PEM CRL...
"""
import ctypes
import json
import sys


def main() -> int:
    lib_path, pdf, root, *crls = sys.argv[1:]
    kyso = ctypes.CDLL(lib_path)
    kyso.kyso_version.restype = ctypes.c_char_p
    kyso.kyso_last_error.restype = ctypes.c_char_p
    kyso.kyso_verify_file.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.POINTER(ctypes.c_void_p),
    ]
    kyso.kyso_verify_file.restype = ctypes.c_int
    kyso.kyso_free.argtypes = [ctypes.c_void_p]
    kyso.kyso_free.restype = None

    kyso.kyso_version_number.restype = ctypes.c_int
    kyso.kyso_strerror.argtypes = [ctypes.c_int]
    kyso.kyso_strerror.restype = ctypes.c_char_p

    version = kyso.kyso_version().decode()
    assert version, "empty version"
    major, minor, patch = (int(p) for p in version.split(".")[:3])
    assert kyso.kyso_version_number() == major * 1000000 + minor * 1000 + patch
    assert b"PIN" in kyso.kyso_strerror(-5)

    options = json.dumps({"trust": [root], "crls": crls, "lang": "en"}).encode()
    report = ctypes.c_void_p()
    rc = kyso.kyso_verify_file(pdf.encode(), options, ctypes.byref(report))
    try:
        assert rc == 0, f"kyso_verify_file: {rc} ({kyso.kyso_last_error().decode()})"
        parsed = json.loads(ctypes.string_at(report.value).decode("utf-8"))
        assert parsed["indication"] == "TOTAL-PASSED", parsed["indication"]
        assert len(parsed["signatures"]) == 1
    finally:
        kyso.kyso_free(report)

    rc = kyso.kyso_verify_file(pdf.encode(), b'{"unknown": 1}', ctypes.byref(report))
    assert rc == -1 and not report.value, rc
    assert b"unknown" in kyso.kyso_last_error()
    print(f"python smoke: kyso {version}: 3 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
