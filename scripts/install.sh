#!/usr/bin/env bash
# Installs the kyso command under PREFIX with its manual pages and shell completions:
#   BINDIR/kyso
#   MANDIR/man1/kyso.1, kyso-sign.1, …            (`kyso man`, from the clap definitions)
#   PREFIX/share/bash-completion/completions/kyso
#   PREFIX/share/zsh/site-functions/_kyso
#   PREFIX/share/fish/vendor_completions.d/kyso.fish
#   (`kyso completions SHELL`). The C library has its own step: crates/kyso-ffi/install.sh.
#
#   bash scripts/install.sh [PREFIX]      (default /usr/local; BINDIR, MANDIR may be set;
#                                          DESTDIR is prefixed to every path)
#   KYSO_NO_BUILD=1: install what cargo built without building; KYSO_PROFILE: the cargo profile
#   (default release; dev takes target/debug).
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${1:-/usr/local}
BINDIR=${BINDIR:-$PREFIX/bin}
MANDIR=${MANDIR:-$PREFIX/share/man}
SHARE=$PREFIX/share
DESTDIR=${DESTDIR:-}
PROFILE=${KYSO_PROFILE:-release}
case "$PROFILE" in dev) dir=debug ;; *) dir=$PROFILE ;; esac
if [ "${KYSO_NO_BUILD:-0}" != 1 ]; then
    cargo build --profile "$PROFILE" -p kyso-cli
fi
KYSO=${CARGO_TARGET_DIR:-target}/$dir/kyso
install -d "$DESTDIR$BINDIR" "$DESTDIR$MANDIR/man1" "$DESTDIR$SHARE/bash-completion/completions" \
    "$DESTDIR$SHARE/zsh/site-functions" "$DESTDIR$SHARE/fish/vendor_completions.d"
install -m 0755 "$KYSO" "$DESTDIR$BINDIR/kyso"
"$KYSO" man "$DESTDIR$MANDIR/man1"
chmod 0644 "$DESTDIR$MANDIR"/man1/kyso*.1
"$KYSO" completions bash >"$DESTDIR$SHARE/bash-completion/completions/kyso"
"$KYSO" completions zsh >"$DESTDIR$SHARE/zsh/site-functions/_kyso"
"$KYSO" completions fish >"$DESTDIR$SHARE/fish/vendor_completions.d/kyso.fish"
echo "installed kyso under $DESTDIR$PREFIX (man kyso; completions for bash, zsh and fish)"
