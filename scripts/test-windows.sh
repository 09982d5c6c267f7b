#!/usr/bin/env bash
# The Windows build under Wine (Debian's wine64), called by scripts/test.sh:
#   1. the demo with kyso.exe: sign a fixture into, and verify it from, a folder whose name has
#      Vietnamese letters; `kyso trust add` puts the root under %APPDATA%\kyso\trust and
#      verification finds it there; `kyso token list --module` with Windows DLL paths;
#   2. tests/ffi/smoke.c compiled with x86_64-w64-mingw32-gcc against kyso.dll (through its
#      import library) and run.
#
#   bash scripts/test-windows.sh         builds dist/windows first (debug: see below)
#   KYSO_WINDOWS_DIST=DIR                test that build instead (KYSO_WINDOWS_NO_BUILD=1
#                                        to skip building it)
#
# A debug build is tested: the release profile (LTO, AWS-LC optimised) adds minutes to a CI run
# that has to stay short, and what is tested here (paths, DLL exports and loading, the C ABI
# under Windows) does not depend on optimisation. Measured on the 2-core build machine while
# other builds ran (load 10, so wall times are high): a fresh debug cross-build 12.5 min wall /
# 3.1 min CPU, a fresh release one 20 min wall / 6.4 min CPU; after a change to kyso ~2 min;
# the Wine part 15-40 s (the release build passes it too). Wine runs with a throw-away WINEPREFIX,
# WINEDEBUG=-all and no display.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
log() { printf '[test-windows] %s\n' "$*"; }
t0=$(date +%s)

DIST=${KYSO_WINDOWS_DIST:-dist/windows}
if [ "${KYSO_WINDOWS_NO_BUILD:-0}" != 1 ]; then
    KYSO_WINDOWS_PROFILE=${KYSO_WINDOWS_PROFILE:-dev} KYSO_WINDOWS_DIST=$DIST \
        bash scripts/build-windows.sh
fi
t_build=$(date +%s)
DIST=$(cd "$DIST" && pwd)

if ! command -v wine >/dev/null 2>&1 && ! command -v wine64 >/dev/null 2>&1; then
    if [ "$(id -u)" -ne 0 ]; then
        log "error: wine is missing; install wine64 and wine (as root)" >&2
        exit 1
    fi
    log "apt-get install wine64 wine"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y --no-install-recommends wine64 wine ||
        { apt-get update && apt-get install -y --no-install-recommends wine64 wine; }
fi
WINE=$(command -v wine || command -v wine64)

WORK=$(mktemp -d)
cleanup() {
    # wineserver of this prefix only (never a broad kill).
    WINEPREFIX=$WORK/prefix wineserver -k >/dev/null 2>&1 || true
    rm -rf "$WORK"
}
trap cleanup EXIT
export WINEPREFIX=$WORK/prefix WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
unset DISPLAY WAYLAND_DISPLAY
log "wineboot (prefix $WINEPREFIX)"
"$WINE" wineboot --init >/dev/null 2>&1 || true
# Wine 8 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's standard library
# imports on Windows: a stand-in built from tests/windows/bcryptprimitives.c goes into this
# prefix only (Wine puts a file there for each DLL it provides; newer Wine has this one).
SYS32=$WINEPREFIX/drive_c/windows/system32
if [ ! -e "$SYS32/bcryptprimitives.dll" ]; then
    log "Wine lacks bcryptprimitives.dll: installing the test stand-in into the prefix"
    x86_64-w64-mingw32-gcc -shared -O2 -o "$SYS32/bcryptprimitives.dll" \
        tests/windows/bcryptprimitives.c -ladvapi32
fi
t_prefix=$(date +%s)

failures=0
check() { # check DESCRIPTION COMMAND...
    local what=$1
    shift
    if "$@"; then
        log "ok: $what"
    else
        log "FAIL: $what"
        failures=$((failures + 1))
    fi
}
# A Unix path as Windows sees it under Wine (Z: is /), with forward slashes: Windows takes
# them, and they need no escaping inside JSON.
winpath() { printf 'Z:%s' "$1"; }

# --- 1. kyso.exe ---------------------------------------------------------------------------
DOCS="$WORK/Văn bản đến/Sở Nội vụ"
mkdir -p "$DOCS"
cp fixtures/docs/congvan.pdf "$DOCS/Công văn số 12.pdf"
PKI=$ROOT/fixtures/pki
kyso() { "$WINE" "$DIST/kyso.exe" "$@"; }

check "kyso --version" kyso --version
check "sign into a Vietnamese-named folder" env KYSO_PIN=12345678 "$WINE" "$DIST/kyso.exe" sign \
    "$(winpath "$DOCS/Công văn số 12.pdf")" -o "$(winpath "$DOCS/Công văn số 12 (đã ký).pdf")" \
    --p12 "$(winpath "$PKI/leader.p12")" --reason "Phê duyệt văn bản" --location "Hà Nội"
check "the signed file is where it was asked" test -s "$DOCS/Công văn số 12 (đã ký).pdf"
verify_json=$WORK/verify.json
check "verify with --trust" sh -c '"$0" "$1" verify "$2" --trust "$3" --crl "$4" --crl "$5" --json >"$6"' \
    "$WINE" "$DIST/kyso.exe" "$(winpath "$DOCS/Công văn số 12 (đã ký).pdf")" \
    "$(winpath "$PKI/root.pem")" "$(winpath "$PKI/intermediate.crl")" "$(winpath "$PKI/root.crl")" \
    "$verify_json"
check "the report says TOTAL-PASSED" grep -q '"indication": "TOTAL-PASSED"' "$verify_json"
check "the report names the signer in Vietnamese" grep -q 'Nguyễn Văn An' "$verify_json"

# The trust store: %APPDATA%\kyso\trust (Wine's APPDATA is inside the prefix).
check "kyso trust add" kyso trust add "$(winpath "$PKI/root.pem")"
appdata_store=$(find "$WINEPREFIX/drive_c/users" -path '*/AppData/Roaming/kyso/trust' -type d | head -1)
check "the trust store is %APPDATA%\\kyso\\trust" test -n "$appdata_store"
check "it holds the root" sh -c 'ls "$0" | grep -q .' "${appdata_store:-/nonexistent}"
check "verify without --trust uses it" kyso verify "$(winpath "$DOCS/Công văn số 12 (đã ký).pdf")" \
    --crl "$(winpath "$PKI/intermediate.crl")" --crl "$(winpath "$PKI/root.crl")"

# PKCS#11 modules by Windows DLL path: a DLL that is not a PKCS#11 module is refused as such,
# a missing one (Vietnamese folder name) as missing — never a crash.
token_err=$WORK/token.err
kyso token list --module 'C:\windows\system32\kernel32.dll' 2>"$token_err" >/dev/null || true
check "a non-PKCS#11 DLL is refused by name" grep -q 'cannot load the PKCS#11 module C:\\windows\\system32\\kernel32.dll' "$token_err"
kyso token list --module 'C:\Program Files\Trình điều khiển\p11.dll' 2>"$token_err" >/dev/null || true
check "a missing DLL is reported as missing" grep -q 'Trình điều khiển\\p11.dll not found' "$token_err"
t_demo=$(date +%s)

# --- 2. the C ABI test program ---------------------------------------------------------------
mkdir -p "$WORK/smoke/work"
cp "$DIST/kyso.dll" "$WORK/smoke/"
# -static: winpthread and libgcc inside smoke.exe; kyso through its import library.
check "smoke.c compiles with MinGW against kyso.dll" x86_64-w64-mingw32-gcc -std=c99 -Wall -Wextra \
    -Werror -static -o "$WORK/smoke/smoke.exe" tests/ffi/smoke.c -I "$DIST/include" \
    "$DIST/libkyso.dll.a" -lpthread
check "smoke.exe imports kyso.dll" sh -c \
    'x86_64-w64-mingw32-objdump -p "$0" | grep -q "DLL Name: kyso.dll"' "$WORK/smoke/smoke.exe"
check "smoke.exe passes under Wine" "$WINE" "$WORK/smoke/smoke.exe" \
    "$(winpath "$ROOT/fixtures")" "$(winpath "$WORK/smoke/work")"
t_smoke=$(date +%s)

log "times: build $((t_build - t0)) s, Wine prefix $((t_prefix - t_build)) s," \
    "kyso.exe demo $((t_demo - t_prefix)) s, C ABI $((t_smoke - t_demo)) s"
if [ "$failures" -ne 0 ]; then
    log "$failures check(s) failed"
    exit 1
fi
log "all checks passed"
