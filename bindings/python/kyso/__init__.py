"""kyso for Python: sign and verify PDF documents (PAdES, Vietnamese Decree 30/2020 layouts)
through libkyso's C ABI (kyso.h), with ctypes: no build step, no dependency beyond the library.

    import kyso
    kyso.sign_file("in.pdf", "out.pdf", {"p12_path": "leader.p12", "p12_password": pw,
                                          "role": "leader", "image": "chu-ky.png"})
    v = kyso.verify_file("out.pdf", {"trust": ["root.pem"]})
    v.code, v.indication, v.report["signatures"][0]["signer"]["common_name"]

Options are dicts (or JSON text) with the keys documented in kyso.h; an unknown key is an
error. Failures raise KysoError with kyso's error code. The library is found through
$KYSO_LIBRARY, else the system's loader (libkyso.so.0, libkyso.so, kyso.dll, libkyso.dylib).
"""

from __future__ import annotations

import ctypes
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional, Union

__all__ = [
    "KysoError",
    "Verification",
    "version",
    "verify_file",
    "verify_bytes",
    "sign_file",
    "sign_bytes",
    "sign_file_with_callback",
    "extract_file",
    "prepare",
    "complete",
    "OK",
    "VERIFY_FAILED",
    "VERIFY_INDETERMINATE",
    "VERIFY_NO_SIGNATURE",
]

# Return codes of kyso.h.
OK = 0
VERIFY_FAILED = 1
VERIFY_INDETERMINATE = 3
VERIFY_NO_SIGNATURE = 4

#: Negative codes of kyso.h and their names (KYSO_ERR_*).
ERRORS = {
    -1: "INVALID_ARGUMENT",
    -2: "IO",
    -3: "NOT_PDF",
    -4: "CRYPTO",
    -5: "KEY",
    -6: "NETWORK",
    -7: "NOT_SUPPORTED",
    -99: "INTERNAL",
}

Options = Union[None, str, Mapping[str, Any]]
PathArg = Union[str, "os.PathLike[str]"]


class KysoError(Exception):
    """A failed libkyso call: `code` is kyso's negative error code, `kind` its name
    (INVALID_ARGUMENT, IO, NOT_PDF, CRYPTO, KEY, NETWORK, NOT_SUPPORTED, INTERNAL)."""

    def __init__(self, code: int, message: str):
        self.code = code
        self.kind = ERRORS.get(code, "INTERNAL")
        self.message = message
        super().__init__(f"kyso error {code} ({self.kind}): {message}")


@dataclass
class Verification:
    """The result of a verification: `code` as `kyso verify` (0 passed, 1 failed,
    3 indeterminate, 4 no signature) and the JSON report (`kyso verify --json`)."""

    code: int
    report: dict = field(repr=False)

    @property
    def indication(self) -> str:
        return self.report.get("indication", "")

    @property
    def passed(self) -> bool:
        return self.code == OK


def _load() -> ctypes.CDLL:
    explicit = os.environ.get("KYSO_LIBRARY")
    names = [explicit] if explicit else []
    if sys.platform == "win32":
        names += ["kyso.dll"]
    elif sys.platform == "darwin":
        names += ["libkyso.dylib"]
    else:
        names += ["libkyso.so.0", "libkyso.so"]
    errors = []
    for name in names:
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            errors.append(f"{name}: {e}")
    raise OSError("libkyso not found (set KYSO_LIBRARY): " + "; ".join(errors))


_lib = _load()
_c = ctypes
_out_ptr = _c.POINTER(_c.c_void_p)
for _name, _args in {
    "kyso_version": [],
    "kyso_last_error": [],
    "kyso_free": [_c.c_void_p],
    "kyso_verify_file": [_c.c_char_p, _c.c_char_p, _out_ptr],
    "kyso_verify_buffer": [_c.c_char_p, _c.c_size_t, _c.c_char_p, _out_ptr],
    "kyso_extract_file": [_c.c_char_p, _c.c_char_p, _c.c_char_p, _out_ptr],
    "kyso_sign_file": [_c.c_char_p, _c.c_char_p, _c.c_char_p],
    "kyso_sign_buffer": [_c.c_char_p, _c.c_size_t, _c.c_char_p, _out_ptr, _c.POINTER(_c.c_size_t)],
    "kyso_prepare": [_c.c_char_p, _c.c_char_p, _c.c_char_p, _out_ptr],
    "kyso_complete": [_c.c_char_p, _c.c_char_p, _c.c_char_p, _c.c_size_t, _c.c_int],
}.items():
    _f = getattr(_lib, _name)
    _f.argtypes = _args
    _f.restype = _c.c_int
# kyso.h kyso_sign_callback.
_SIGN_CALLBACK = _c.CFUNCTYPE(
    _c.c_int,
    _c.c_void_p,
    _c.POINTER(_c.c_uint8),
    _c.c_size_t,
    _c.POINTER(_c.c_uint8),
    _c.POINTER(_c.c_size_t),
)
_lib.kyso_sign_file_with_callback.argtypes = [
    _c.c_char_p,
    _c.c_char_p,
    _c.c_char_p,
    _c.c_char_p,
    _SIGN_CALLBACK,
    _c.c_void_p,
]
_lib.kyso_sign_file_with_callback.restype = _c.c_int
_lib.kyso_version.restype = _c.c_char_p
_lib.kyso_last_error.restype = _c.c_char_p
_lib.kyso_free.restype = None

# TODO(#17 item 3): when kyso.h has KYSO_VERSION_MAJOR and a numeric runtime version, check
# here that the loaded library's major version is the one this module was written for.


def version() -> str:
    """The library's version, e.g. "0.1.0"."""
    return _lib.kyso_version().decode("utf-8")


def _path(p: PathArg) -> bytes:
    # kyso.h: UTF-8 paths. On POSIX the file system encoding is the bytes kyso opens.
    if sys.platform == "win32":
        return os.fspath(p).encode("utf-8")
    return os.fsencode(p)


def _options(options: Options) -> Optional[bytes]:
    if options is None:
        return None
    if isinstance(options, str):
        return options.encode("utf-8")
    return json.dumps(options, ensure_ascii=False).encode("utf-8")


def _check(rc: int) -> int:
    if rc < 0:
        raise KysoError(rc, (_lib.kyso_last_error() or b"").decode("utf-8", "replace"))
    return rc


def _take_text(p: ctypes.c_void_p) -> str:
    """The UTF-8 text at `p`, freed with kyso_free."""
    try:
        return ctypes.string_at(p.value).decode("utf-8") if p.value else ""
    finally:
        _lib.kyso_free(p)


def _verification(rc: int, report: ctypes.c_void_p) -> Verification:
    try:
        _check(rc)
    finally:
        if rc < 0:
            _lib.kyso_free(report)
    return Verification(rc, json.loads(_take_text(report)))


def verify_file(path: PathArg, options: Options = None) -> Verification:
    """Verifies every signature of the PDF at `path` (offline unless {"offline": False})."""
    report = ctypes.c_void_p()
    rc = _lib.kyso_verify_file(_path(path), _options(options), ctypes.byref(report))
    return _verification(rc, report)


def verify_bytes(pdf: bytes, options: Options = None) -> Verification:
    """As verify_file, for a PDF in memory."""
    report = ctypes.c_void_p()
    rc = _lib.kyso_verify_buffer(bytes(pdf), len(pdf), _options(options), ctypes.byref(report))
    return _verification(rc, report)


def sign_file(input: PathArg, output: PathArg, options: Options) -> None:
    """Signs `input` into `output` (a new file, written atomically; never the input)."""
    _check(_lib.kyso_sign_file(_path(input), _path(output), _options(options)))


def sign_bytes(pdf: bytes, options: Options) -> bytes:
    """Signs a PDF in memory; returns the signed PDF."""
    out = ctypes.c_void_p()
    out_len = ctypes.c_size_t()
    _check(
        _lib.kyso_sign_buffer(
            bytes(pdf), len(pdf), _options(options), ctypes.byref(out), ctypes.byref(out_len)
        )
    )
    try:
        return ctypes.string_at(out.value, out_len.value)
    finally:
        _lib.kyso_free(out)


def extract_file(input: PathArg, output: PathArg, options: Options) -> dict:
    """Writes the signed version of one signature ({"signature": N} or {"field": name})."""
    result = ctypes.c_void_p()
    _check(_lib.kyso_extract_file(_path(input), _options(options), _path(output), ctypes.byref(result)))
    return json.loads(_take_text(result))


def prepare(input: PathArg, output: PathArg, options: Options) -> dict:
    """Deferred signing, step 1: what must be signed (to_be_signed_base64, digest_base64...)."""
    result = ctypes.c_void_p()
    _check(_lib.kyso_prepare(_path(input), _path(output), _options(options), ctypes.byref(result)))
    return json.loads(_take_text(result))


def complete(prepared: PathArg, output: PathArg, signature: bytes, is_cms: bool = False) -> None:
    """Deferred signing, step 2: embeds the signature value (or a whole CMS when is_cms)."""
    sig = bytes(signature)
    _check(_lib.kyso_complete(_path(prepared), _path(output), sig, len(sig), 1 if is_cms else 0))


def sign_file_with_callback(
    input: PathArg,
    output: PathArg,
    options: Options,
    certificate_pem: str,
    sign: "Callable[[bytes], bytes]",
) -> None:
    """Signs with a key the caller holds (a token through its own middleware, an HSM...):
    `sign(to_be_signed)` returns the signature value of those bytes (the DER of the CMS
    signed attributes) hashed with the options' "hash" (default SHA-256): RSA PKCS#1 v1.5
    (RSASSA-PSS with "pss"), or ECDSA. `certificate_pem`: the signer's certificate, then its
    chain. An exception raised by `sign` aborts the signing: KysoError (KEY) chained to it."""
    raised = []

    def trampoline(_user, tbs, n, signature, signature_len):
        try:
            value = bytes(sign(ctypes.string_at(tbs, n)))
            if len(value) > signature_len[0]:
                raise ValueError(f"signature of {len(value)} bytes exceeds {signature_len[0]}")
            ctypes.memmove(signature, value, len(value))
            signature_len[0] = len(value)
            return 0
        except BaseException as e:  # never unwind through C
            raised.append(e)
            return 1

    callback = _SIGN_CALLBACK(trampoline)  # alive until the call returns
    rc = _lib.kyso_sign_file_with_callback(
        _path(input), _path(output), _options(options), certificate_pem.encode("utf-8"), callback, None
    )
    if rc < 0 and raised:
        raise KysoError(rc, (_lib.kyso_last_error() or b"").decode("utf-8", "replace")) from raised[0]
    _check(rc)
