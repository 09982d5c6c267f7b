#!/usr/bin/env bash
# The packaging test, called by scripts/test.sh: builds the .deb with scripts/package.sh (from
# the debug build the test suite already made), checks its contents with `dpkg-deb -c`, unpacks
# it into a temporary root with `dpkg -x`, runs `kyso --version` from there and links a C
# program against the unpacked libkyso (SONAME libkyso.so.0 through the libkyso.so link).
# With KYSO_TEST_ZIP=1 it also packages the Windows zip from dist/windows and checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
log() { printf '[test-package] %s\n' "$*"; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

KYSO_PACKAGE_PROFILE=${KYSO_PACKAGE_PROFILE:-dev} KYSO_PACKAGE_DIST=$WORK/dist \
    bash scripts/package.sh deb
deb=$(ls "$WORK"/dist/kyso_"$VERSION"_*.deb)
failures=0
check() {
    local what=$1
    shift
    if "$@"; then log "ok: $what"; else
        log "FAIL: $what"
        failures=$((failures + 1))
    fi
}
dpkg-deb -c "$deb" >"$WORK/contents"
MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
for f in ./usr/bin/kyso "./usr/lib/$MULTIARCH/libkyso.so.0" "./usr/lib/$MULTIARCH/libkyso.so -> libkyso.so.0" \
    "./usr/lib/$MULTIARCH/libkyso.a" "./usr/lib/$MULTIARCH/pkgconfig/kyso.pc" ./usr/include/kyso.h \
    ./usr/share/man/man1/kyso.1.gz ./usr/share/man/man1/kyso-sign.1.gz ./usr/share/man/man1/kyso-verify.1.gz \
    ./usr/share/doc/kyso/copyright ./usr/share/doc/kyso/LICENSE-MIT ./usr/share/doc/kyso/LICENSE-APACHE \
    ./usr/share/doc/kyso/LICENSE-LiberationSerif.txt ./usr/share/bash-completion/completions/kyso \
    ./usr/share/zsh/vendor-completions/_kyso ./usr/share/fish/vendor_completions.d/kyso.fish; do
    check "the .deb holds $f" grep -qF -- " $f" "$WORK/contents"
done
check "files belong to root" sh -c '! grep -v " root/root " "$0" | grep -q .' "$WORK/contents"
check "control: package kyso $VERSION" sh -c \
    'dpkg-deb -f "$0" Package Version | tr "\n" " " | grep -qx "Package: kyso Version: $1 "' "$deb" "$VERSION"

ROOTFS=$WORK/root
dpkg -x "$deb" "$ROOTFS"
check "kyso --version runs from the unpacked package" sh -c \
    '"$0/usr/bin/kyso" --version | grep -qx "kyso $1"' "$ROOTFS" "$VERSION"
check "the man page renders" sh -c 'zcat "$0/usr/share/man/man1/kyso-sign.1.gz" | grep -q "^\.TH"' "$ROOTFS"
check "the bash completion parses" bash -n "$ROOTFS/usr/share/bash-completion/completions/kyso"
cat >"$WORK/v.c" <<'C'
#include <stdio.h>
#include <kyso.h>
int main(void) {
    printf("%s\n", kyso_version());
    return kyso_version_number() == KYSO_VERSION_NUMBER ? 0 : 1;
}
C
LIB=$ROOTFS/usr/lib/$MULTIARCH
check "a C program links with -lkyso from the package" cc -std=c99 -o "$WORK/v" "$WORK/v.c" \
    -I "$ROOTFS/usr/include" -L "$LIB" -lkyso
check "and loads libkyso.so.0" sh -c 'LD_LIBRARY_PATH="$1" "$0" | grep -qx "$2"' \
    "$WORK/v" "$LIB" "$VERSION"
check "it needs libkyso.so.0 by SONAME" sh -c 'objdump -p "$0" | grep -q "NEEDED *libkyso.so.0"' "$WORK/v"

# The install step of the C library (crates/kyso-ffi/install.sh) into a staging root.
INST=$WORK/install
DESTDIR=$INST KYSO_NO_BUILD=1 KYSO_PROFILE=${KYSO_PACKAGE_PROFILE:-dev} \
    bash crates/kyso-ffi/install.sh /opt/kyso >/dev/null
check "install.sh: libkyso.so -> libkyso.so.0" test "$(readlink "$INST/opt/kyso/lib/libkyso.so")" = libkyso.so.0
for f in LICENSE-MIT LICENSE-APACHE LICENSE-LiberationSerif.txt; do
    check "install.sh installs $f" test -s "$INST/opt/kyso/share/doc/kyso/$f"
done
check "install.sh: kyso.pc names the prefix" grep -qx 'prefix=/opt/kyso' "$INST/opt/kyso/lib/pkgconfig/kyso.pc"

# The install step of the command (scripts/install.sh) into a staging root.
CLI=$WORK/install-cli
DESTDIR=$CLI KYSO_NO_BUILD=1 KYSO_PROFILE=${KYSO_PACKAGE_PROFILE:-dev} \
    bash scripts/install.sh /opt/kyso >/dev/null
for f in bin/kyso share/man/man1/kyso.1 share/man/man1/kyso-verify.1 \
    share/bash-completion/completions/kyso share/zsh/site-functions/_kyso \
    share/fish/vendor_completions.d/kyso.fish; do
    check "scripts/install.sh installs $f" test -s "$CLI/opt/kyso/$f"
done

if [ "${KYSO_TEST_ZIP:-0}" = 1 ]; then
    KYSO_PACKAGE_PROFILE=${KYSO_PACKAGE_PROFILE:-dev} KYSO_PACKAGE_DIST=$WORK/dist \
        KYSO_WINDOWS_NO_BUILD=1 bash scripts/package.sh windows
    zip=$WORK/dist/kyso-$VERSION-windows-x86_64.zip
    unzip -l "$zip" >"$WORK/zip-contents"
    for f in kyso.exe kyso.dll kyso.lib libkyso.dll.a include/kyso.h man/kyso.1 man/kyso-sign.1 completions/kyso.ps1 \
        LICENSE-MIT LICENSE-APACHE LICENSE-LiberationSerif.txt; do
        check "the zip holds $f" grep -q " kyso-$VERSION-windows-x86_64/$f\$" "$WORK/zip-contents"
    done
fi

if [ "$failures" -ne 0 ]; then
    log "$failures check(s) failed"
    exit 1
fi
log "all checks passed"
