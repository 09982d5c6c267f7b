#!/usr/bin/env bash
# Cross-builds kyso for 64-bit Windows (x86_64-pc-windows-gnu, MinGW-w64) from Linux into
# dist/windows/:
#   kyso.exe                 the command line
#   kyso.dll                 the C ABI (exports kyso_* only; checked below)
#   kyso.lib, libkyso.dll.a  its import library (MSVC name, MinGW name; same file)
#   kyso.def                 the exported functions
#   include/kyso.h           the header (KYSO_API = __declspec(dllimport) on Windows)
#   LICENSE-MIT, LICENSE-APACHE, LICENSE-LiberationSerif.txt
#
#   bash scripts/build-windows.sh             release build
#   KYSO_WINDOWS_PROFILE=dev bash scripts/build-windows.sh   debug build (what the Wine test
#                                              uses: a release build with LTO takes far longer)
#
# Installs what is missing: the Rust target (rustup) and, as root, Debian's
# gcc-mingw-w64-x86-64. Cargo's target directory is CARGO_TARGET_DIR (default target/).
#
# AWS-LC is built without its CPU-jitter entropy source for Windows
# (AWS_LC_SYS_NO_JITTER_ENTROPY=1): its sources declare those functions dllexport, which would
# put 9 aws_lc_*_jent_* symbols in kyso.dll's export table; without it AWS-LC seeds from the
# operating system's generator (ProcessPrng / BCryptGenRandom), the source Windows itself
# recommends.
set -euo pipefail
cd "$(dirname "$0")/.."

TARGET=x86_64-pc-windows-gnu
PROFILE=${KYSO_WINDOWS_PROFILE:-release}
OUT=${KYSO_WINDOWS_DIST:-dist/windows}
log() { printf '[build-windows] %s\n' "$*"; }

if ! rustup target list --installed | grep -qx "$TARGET"; then
    log "rustup target add $TARGET"
    rustup target add "$TARGET"
fi
if ! command -v x86_64-w64-mingw32-gcc >/dev/null || ! command -v x86_64-w64-mingw32-dlltool >/dev/null; then
    if [ "$(id -u)" -ne 0 ]; then
        log "error: x86_64-w64-mingw32-gcc missing; install gcc-mingw-w64-x86-64 (as root)" >&2
        exit 1
    fi
    log "apt-get install gcc-mingw-w64-x86-64"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc-mingw-w64-x86-64 \
        || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc-mingw-w64-x86-64; }
fi

export AWS_LC_SYS_NO_JITTER_ENTROPY=1
start=$(date +%s)
log "cargo build --profile $PROFILE --target $TARGET -p kyso-cli -p kyso-ffi"
cargo build --profile "$PROFILE" --target "$TARGET" -p kyso-cli -p kyso-ffi
log "built in $(($(date +%s) - start)) s"

case "$PROFILE" in dev) dir=debug ;; *) dir=$PROFILE ;; esac
BUILD=${CARGO_TARGET_DIR:-target}/$TARGET/$dir
rm -rf "$OUT"
install -d "$OUT/include"
# Debug information stays in target/; the distributed files are stripped.
x86_64-w64-mingw32-strip -o "$OUT/kyso.exe" "$BUILD/kyso.exe"
x86_64-w64-mingw32-strip -o "$OUT/kyso.dll" "$BUILD/kyso_ffi.dll"

# The export table: kyso_* functions and nothing else, each declared in kyso.h.
exports=$(x86_64-w64-mingw32-objdump -p "$OUT/kyso.dll" |
    sed -n '/^\[Ordinal\/Name Pointer\] Table/,/^$/p' | sed -n 's/^[[:space:]]*\[ *[0-9]*\] //p')
[ -n "$exports" ] || { log "error: kyso.dll exports nothing" >&2; exit 1; }
if grep -v '^kyso_' <<<"$exports"; then
    log "error: kyso.dll exports the symbols above besides kyso_*" >&2
    exit 1
fi
for f in $exports; do
    grep -q "KYSO_API .*[ *]$f(" crates/kyso-ffi/include/kyso.h ||
        { log "error: $f is exported but not in kyso.h" >&2; exit 1; }
done
{
    echo "LIBRARY kyso.dll"
    echo "EXPORTS"
    sed 's/^/    /' <<<"$exports"
} >"$OUT/kyso.def"
# The import library names kyso.dll (the file cargo made is called kyso_ffi.dll).
x86_64-w64-mingw32-dlltool -d "$OUT/kyso.def" -D kyso.dll -l "$OUT/libkyso.dll.a"
cp "$OUT/libkyso.dll.a" "$OUT/kyso.lib"
install -m 0644 crates/kyso-ffi/include/kyso.h "$OUT/include/kyso.h"
install -m 0644 LICENSE-MIT LICENSE-APACHE crates/kyso/assets/fonts/LICENSE-LiberationSerif.txt "$OUT/"
log "$(wc -l <<<"$exports") functions exported; $OUT:"
ls -l "$OUT"
