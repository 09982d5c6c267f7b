#!/usr/bin/env bash
# Builds the C ABI and installs libkyso.so, libkyso.a, kyso.h and kyso.pc under PREFIX.
#
#   bash crates/kyso-ffi/install.sh [PREFIX]      (default /usr/local; LIBDIR may be set)
#
# Cargo builds the library as libkyso_ffi.{so,a} (a target named `kyso` would collide with the
# core crate's libkyso.rlib); this step installs it under its C name, libkyso.
set -euo pipefail
cd "$(dirname "$0")/../.."
PREFIX=${1:-/usr/local}
LIBDIR=${LIBDIR:-$PREFIX/lib}
INCLUDEDIR=$PREFIX/include
VERSION=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)

cargo build --release -p kyso-ffi
TARGET=${CARGO_TARGET_DIR:-target}/release
install -d "$LIBDIR/pkgconfig" "$INCLUDEDIR"
install -m 0755 "$TARGET/libkyso_ffi.so" "$LIBDIR/libkyso.so"
install -m 0644 "$TARGET/libkyso_ffi.a" "$LIBDIR/libkyso.a"
install -m 0644 crates/kyso-ffi/include/kyso.h "$INCLUDEDIR/kyso.h"
sed -e "s|@prefix@|$PREFIX|" -e "s|@libdir@|$LIBDIR|" -e "s|@includedir@|$INCLUDEDIR|" \
    -e "s|@version@|$VERSION|" crates/kyso-ffi/kyso.pc.in >"$LIBDIR/pkgconfig/kyso.pc"
echo "installed libkyso $VERSION under $PREFIX (pkg-config --cflags --libs kyso)"
