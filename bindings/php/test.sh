#!/usr/bin/env bash
# The PHP binding's tests (php-cli with the FFI extension) against a freshly built libkyso.
BINDING=php
source "$(dirname "$0")/../lib.sh"

need_apt php-cli 'command -v php'
kyso_build
# Debian's php-cli has FFI compiled in with ffi.enable=preload (CLI allowed); say it anyway.
php -m | grep -x FFI >/dev/null || { log "error: php has no FFI extension" >&2; exit 1; }
log "$(php -r 'echo PHP_VERSION;'), ffi.enable=$(php -r 'echo ini_get("ffi.enable");') (run with -d ffi.enable=true)"
php -d ffi.enable=true -d zend.assertions=1 "$REPO/bindings/php/tests/run.php" "$REPO"
