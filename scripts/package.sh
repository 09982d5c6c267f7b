#!/usr/bin/env bash
# Packages kyso: a Debian package and a Windows zip, each with the command line, the C library,
# its header, the manual pages and the licences.
#
#   bash scripts/package.sh [deb|windows|all]     (default all)
#
#   dist/kyso_VERSION_ARCH.deb
#     usr/bin/kyso
#     usr/lib/MULTIARCH/libkyso.so.0 (SONAME), libkyso.so -> libkyso.so.0, libkyso.a,
#       pkgconfig/kyso.pc
#     usr/include/kyso.h
#     usr/share/man/man1/kyso.1.gz, kyso-sign.1.gz, … (from the clap definitions: `kyso man`)
#     usr/share/bash-completion/completions/kyso, usr/share/zsh/vendor-completions/_kyso,
#       usr/share/fish/vendor_completions.d/kyso.fish (`kyso completions SHELL`)
#     usr/share/doc/kyso/copyright, LICENSE-MIT, LICENSE-APACHE, LICENSE-LiberationSerif.txt
#   dist/kyso-VERSION-windows-x86_64.zip
#     kyso.exe, kyso.dll, kyso.lib, libkyso.dll.a, kyso.def, include/kyso.h, man/*.1,
#     completions/kyso.ps1 (PowerShell: `. .\completions\kyso.ps1` in the profile), licences
#
# KYSO_PACKAGE_PROFILE: cargo profile (default release; `dev` reuses a debug build, as the
# packaging test does). The .deb is made with dpkg-deb directly: cargo-deb would first have to
# be built from crates.io (minutes of CI time) for what a control file and a folder do.
set -euo pipefail
cd "$(dirname "$0")/.."
WHAT=${1:-all}
PROFILE=${KYSO_PACKAGE_PROFILE:-release}
case "$PROFILE" in dev) dir=debug ;; *) dir=$PROFILE ;; esac
TARGET_DIR=${CARGO_TARGET_DIR:-target}
BUILD=$TARGET_DIR/$dir
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
DIST=${KYSO_PACKAGE_DIST:-dist}
log() { printf '[package] %s\n' "$*"; }
case "$WHAT" in deb | windows | all) ;; *)
    echo "usage: package.sh [deb|windows|all]" >&2
    exit 2
    ;;
esac

mkdir -p "$DIST"
log "cargo build --profile $PROFILE -p kyso-cli -p kyso-ffi"
cargo build --profile "$PROFILE" -p kyso-cli -p kyso-ffi
MAN=$(mktemp -d)
trap 'rm -rf "$MAN"' EXIT
"$BUILD/kyso" man "$MAN/man1"
mkdir -p "$MAN/completions"
for shell in bash zsh fish powershell; do
    "$BUILD/kyso" completions "$shell" >"$MAN/completions/$shell"
done
LICENCES=(LICENSE-MIT LICENSE-APACHE crates/kyso/assets/fonts/LICENSE-LiberationSerif.txt)

if [ "$WHAT" = deb ] || [ "$WHAT" = all ]; then
    ARCH=$(dpkg --print-architecture)
    MULTIARCH=$(gcc -print-multiarch 2>/dev/null || echo "$(uname -m)-linux-gnu")
    STAGE=$MAN/deb
    LIBDIR=/usr/lib/$MULTIARCH
    install -d "$STAGE/DEBIAN" "$STAGE/usr/bin" "$STAGE$LIBDIR/pkgconfig" "$STAGE/usr/include" \
        "$STAGE/usr/share/man/man1" "$STAGE/usr/share/doc/kyso" \
        "$STAGE/usr/share/bash-completion/completions" "$STAGE/usr/share/zsh/vendor-completions" \
        "$STAGE/usr/share/fish/vendor_completions.d"
    # Debug information is not shipped (a debug build's is most of its size).
    strip --strip-debug -o "$STAGE/usr/bin/kyso" "$BUILD/kyso"
    strip --strip-debug -o "$STAGE$LIBDIR/libkyso.so.0" "$BUILD/libkyso_ffi.so"
    ln -s libkyso.so.0 "$STAGE$LIBDIR/libkyso.so"
    strip --strip-debug -o "$STAGE$LIBDIR/libkyso.a" "$BUILD/libkyso_ffi.a"
    chmod 0755 "$STAGE/usr/bin/kyso" "$STAGE$LIBDIR/libkyso.so.0"
    chmod 0644 "$STAGE$LIBDIR/libkyso.a"
    install -m 0644 crates/kyso-ffi/include/kyso.h "$STAGE/usr/include/kyso.h"
    sed -e "s|@prefix@|/usr|" -e "s|@libdir@|$LIBDIR|" -e "s|@includedir@|/usr/include|" \
        -e "s|@version@|$VERSION|" crates/kyso-ffi/kyso.pc.in >"$STAGE$LIBDIR/pkgconfig/kyso.pc"
    for page in "$MAN"/man1/*.1; do
        gzip -9n <"$page" >"$STAGE/usr/share/man/man1/$(basename "$page").gz"
    done
    install -m 0644 "$MAN/completions/bash" "$STAGE/usr/share/bash-completion/completions/kyso"
    install -m 0644 "$MAN/completions/zsh" "$STAGE/usr/share/zsh/vendor-completions/_kyso"
    install -m 0644 "$MAN/completions/fish" "$STAGE/usr/share/fish/vendor_completions.d/kyso.fish"
    install -m 0644 "${LICENCES[@]}" "$STAGE/usr/share/doc/kyso/"
    cat >"$STAGE/usr/share/doc/kyso/copyright" <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: kyso

Files: *
Copyright: The kyso contributors
License: MIT or Apache-2.0
 See /usr/share/doc/kyso/LICENSE-MIT and /usr/share/doc/kyso/LICENSE-APACHE.

Files: usr/bin/kyso usr/lib/*/libkyso.*
Comment: embed the Liberation Serif font (crates/kyso/assets/fonts) for visible signatures.
License: OFL-1.1
 See /usr/share/doc/kyso/LICENSE-LiberationSerif.txt.
EOF
    # The newest glibc symbol version the binaries need, as the minimum libc6.
    glibc=$(objdump -T "$STAGE/usr/bin/kyso" "$STAGE$LIBDIR/libkyso.so.0" |
        sed -n 's/.*GLIBC_\([0-9][0-9.]*\).*/\1/p' | sort -uV | tail -1)
    size=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
    cat >"$STAGE/DEBIAN/control" <<EOF
Package: kyso
Version: $VERSION
Architecture: $ARCH
Maintainer: The kyso contributors
Installed-Size: $size
Depends: libc6 (>= ${glibc:-2.31})
Section: utils
Priority: optional
Description: sign and verify Vietnamese official PDF documents (PAdES)
 kyso signs PDF documents with a .p12 key or a USB token (PKCS#11) and verifies
 their signatures (ETSI EN 319 102-1), with visible signatures as Decree 30/2020
 lays out. This package holds the kyso command, the C library libkyso with its
 header kyso.h and pkg-config file, the manual pages and shell completions.
EOF
    deb=$DIST/kyso_${VERSION}_${ARCH}.deb
    dpkg-deb --root-owner-group --build "$STAGE" "$deb" >/dev/null
    log "$deb ($(du -h "$deb" | cut -f1))"
fi

if [ "$WHAT" = windows ] || [ "$WHAT" = all ]; then
    WIN=${KYSO_WINDOWS_DIST:-dist/windows}
    if [ "${KYSO_WINDOWS_NO_BUILD:-0}" != 1 ]; then
        KYSO_WINDOWS_PROFILE=$PROFILE KYSO_WINDOWS_DIST=$WIN bash scripts/build-windows.sh
    fi
    ZIPDIR=$MAN/zip/kyso-$VERSION-windows-x86_64
    mkdir -p "$ZIPDIR/man"
    cp -r "$WIN"/. "$ZIPDIR/"
    cp "$MAN"/man1/*.1 "$ZIPDIR/man/"
    mkdir -p "$ZIPDIR/completions"
    cp "$MAN/completions/powershell" "$ZIPDIR/completions/kyso.ps1"
    zip=$(cd "$DIST" && pwd)/kyso-$VERSION-windows-x86_64.zip
    rm -f "$zip"
    (cd "$MAN/zip" && zip -qr -X "$zip" "kyso-$VERSION-windows-x86_64")
    log "$zip ($(du -h "$zip" | cut -f1))"
fi
