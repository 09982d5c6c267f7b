#!/usr/bin/env python3
"""Verifications per second through the C ABI (kyso_verify_buffer, ctypes), in-process.

Usage: python3 benches/ffi_loop.py LIBKYSO_FFI.so FILE.pdf OPTIONS_JSON [SECONDS]
Every call must return 0 (TOTAL-PASSED), or the run stops.
"""
import ctypes
import sys
import time

lib = ctypes.CDLL(sys.argv[1])
pdf = open(sys.argv[2], "rb").read()
options = sys.argv[3].encode()
seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 5
lib.kyso_verify_buffer.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                   ctypes.POINTER(ctypes.c_void_p)]
lib.kyso_verify_buffer.restype = ctypes.c_int
lib.kyso_free.argtypes = [ctypes.c_void_p]
report = ctypes.c_void_p()
n = 0
start = time.monotonic()
while time.monotonic() - start < seconds:
    rc = lib.kyso_verify_buffer(pdf, len(pdf), options, ctypes.byref(report))
    lib.kyso_free(report)
    if rc != 0:
        sys.exit(f"failed: kyso_verify_buffer returned {rc}")
    n += 1
print(f"{n / (time.monotonic() - start):.0f}")
