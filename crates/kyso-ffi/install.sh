#!/usr/bin/env bash
# Builds the C ABI and installs it under PREFIX:
#   LIBDIR/libkyso.so.0 (SONAME libkyso.so.0) and the link libkyso.so -> libkyso.so.0,
#   LIBDIR/libkyso.a, LIBDIR/pkgconfig/kyso.pc, INCLUDEDIR/kyso.h,
#   DOCDIR: kyso's licences (LICENSE-MIT, LICENSE-APACHE) and the bundled font's
#   (LICENSE-LiberationSerif.txt, SIL OFL 1.1).
#
#   bash crates/kyso-ffi/install.sh [PREFIX]      (default /usr/local; LIBDIR, DOCDIR may be
#                                                  set; DESTDIR is prefixed to every path)
#   KYSO_NO_BUILD=1: install what cargo built without building; KYSO_PROFILE: the cargo profile
#   (default release; dev takes target/debug).
#
# Cargo builds the library as libkyso_ffi.{so,a} (a target named `kyso` would collide with the
# core crate's libkyso.rlib); this step installs it under its C name, libkyso.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=${1:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=$PREFIX/include
DOCDIR=${DOCDIR:-$PREFIX/share/doc/kyso}
DESTDIR=${DESTDIR:-}
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
ABI_MAJOR=0

PROFILE=${KYSO_PROFILE:-release}
case "$PROFILE" in dev) dir=debug ;; *) dir=$PROFILE ;; esac
if [ "${KYSO_NO_BUILD:-0}" != 1 ]; then
    cargo build --profile "$PROFILE" -p kyso-ffi
fi
TARGET=${CARGO_TARGET_DIR:-target}/$dir
install -d "$DESTDIR$LIBDIR/pkgconfig" "$DESTDIR$INCLUDEDIR" "$DESTDIR$DOCDIR"
install -m 0755 "$TARGET/libkyso_ffi.so" "$DESTDIR$LIBDIR/libkyso.so.$ABI_MAJOR"
ln -sfn "libkyso.so.$ABI_MAJOR" "$DESTDIR$LIBDIR/libkyso.so"
install -m 0644 "$TARGET/libkyso_ffi.a" "$DESTDIR$LIBDIR/libkyso.a"
install -m 0644 crates/kyso-ffi/include/kyso.h "$DESTDIR$INCLUDEDIR/kyso.h"
install -m 0644 LICENSE-MIT LICENSE-APACHE crates/kyso/assets/fonts/LICENSE-LiberationSerif.txt \
    "$DESTDIR$DOCDIR/"
sed -e "s|@prefix@|$PREFIX|" -e "s|@libdir@|$LIBDIR|" -e "s|@includedir@|$INCLUDEDIR|" \
    -e "s|@version@|$VERSION|" crates/kyso-ffi/kyso.pc.in >"$DESTDIR$LIBDIR/pkgconfig/kyso.pc"
echo "installed libkyso $VERSION under $DESTDIR$PREFIX (pkg-config --cflags --libs kyso)"
