# Shared by bindings/*/test.sh (sourced): the repository root, apt installs, and a freshly built
# libkyso. After `kyso_build`: $KYSO_LIBRARY is the library file and $KYSO_LIB_DIR a folder
# holding it as libkyso.so (what DllImport("kyso") and JNA's "kyso" look for), also put on
# LD_LIBRARY_PATH.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO

log() { printf '[%s] %s\n' "${BINDING:-bindings}" "$*"; }

# need_apt PACKAGE CHECK...: installs PACKAGE when a CHECK (a shell test) fails.
need_apt() {
    local pkg="$1"
    shift
    local check
    for check in "$@"; do
        if ! eval "$check" >/dev/null 2>&1; then
            if [ "$(id -u)" -ne 0 ]; then
                log "error: $pkg is missing ($check); install it: apt-get install $pkg" >&2
                exit 1
            fi
            log "apt-get install $pkg"
            export DEBIAN_FRONTEND=noninteractive
            apt-get install -y -q --no-install-recommends "$pkg" >/dev/null ||
                { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends "$pkg" >/dev/null; }
            return
        fi
    done
}

kyso_build() {
    if [ -z "${KYSO_LIBRARY:-}" ]; then
        log "cargo build -p kyso-ffi"
        (cd "$REPO" && cargo build -q -p kyso-ffi)
        # Cargo's name for the cdylib; libkyso.so should a later build name it so.
        local dir="${CARGO_TARGET_DIR:-$REPO/target}/debug" name
        for name in libkyso_ffi.so libkyso.so; do
            if [ -f "$dir/$name" ]; then
                KYSO_LIBRARY="$dir/$name"
                break
            fi
        done
    fi
    [ -f "${KYSO_LIBRARY:-}" ] || { log "error: no libkyso built (KYSO_LIBRARY=${KYSO_LIBRARY:-})" >&2; exit 1; }
    KYSO_LIBRARY="$(cd "$(dirname "$KYSO_LIBRARY")" && pwd)/$(basename "$KYSO_LIBRARY")"
    KYSO_LIB_DIR="${CARGO_TARGET_DIR:-$REPO/target}/bindings/lib"
    mkdir -p "$KYSO_LIB_DIR"
    ln -sf "$KYSO_LIBRARY" "$KYSO_LIB_DIR/libkyso.so"
    export KYSO_LIBRARY KYSO_LIB_DIR
    export LD_LIBRARY_PATH="$KYSO_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    # Hermetic: no network, never the user's own trust store.
    export KYSO_OFFLINE=1
    export KYSO_TRUST_DIR="$KYSO_LIB_DIR/no-trust"
}
