/*
 * bcryptprimitives.dll for Wine 8 (Debian 12), which lacks it: Rust's standard library on
 * Windows takes its random numbers from ProcessPrng (bcryptprimitives.dll, Windows 10 and
 * later). This stand-in answers from RtlGenRandom (advapi32's SystemFunction036), the
 * generator Wine does have. Test environment only: never shipped in dist/windows, never
 * needed on Windows itself. Built and installed into the throw-away Wine prefix by
 * scripts/test-windows.sh.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    while (len > 0) {
        ULONG n = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, n)) return FALSE;
        data += n;
        len -= n;
    }
    return TRUE;
}
