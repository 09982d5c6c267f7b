#!/usr/bin/env bash
# Install everything the kyso test suite needs on a fresh Debian machine (run as root).
# Idempotent: apt is skipped when every needed command is already present, pip is
# skipped when `pyhanko` is already on PATH.
set -euo pipefail

log() { printf '[install-test-deps] %s\n' "$*"; }

if [ "$(id -u)" -ne 0 ]; then
    log "error: must run as root (apt-get/pip install)" >&2
    exit 1
fi

# Only what the tests run. Regenerating the fixtures also needs libreoffice-writer-nogui and
# fonts-liberation2 (see fixtures/README.md). chromium: the `kyso serve` page test
# (tests/serve.rs, driven by Python playwright, never a browser playwright downloads).
# fonts-dejavu-core: a second TrueType font for the `kyso sign --font` test (tests/appearance.rs).
# The bindings' tests (scripts/test-bindings.sh; each bindings/*/test.sh also installs its own):
# mono-mcs + mono-runtime (.NET), default-jdk-headless + libjna-java (Java), php-cli (PHP FFI),
# python3-pytest (Python, for Debian's /usr/bin/python3).
# tmux: a terminal for tests/desk.rs (progress bar, password typed again); zsh, fish: they parse
# the completion scripts `kyso completions` writes (tests/desk.rs).
# gcc-mingw-w64-x86-64, wine64, wine: the Windows cross-build and its run under Wine
# (scripts/test-windows.sh; it adds the Rust target itself with rustup).
APT_PACKAGES=(poppler-utils qpdf openssl softhsm2 valgrind gcc g++ chromium fonts-dejavu-core
    mono-mcs mono-runtime default-jdk-headless libjna-java php-cli python3-pytest bsdutils
    gcc-mingw-w64-x86-64 wine64 wine tmux zsh fish)

# command (or file) that proves each package is installed
missing=()
have_cmd() { command -v "$1" >/dev/null 2>&1; }
have_cmd pdftotext     || missing+=(poppler-utils)
have_cmd pdfsig        || missing+=(poppler-utils)
have_cmd qpdf          || missing+=(qpdf)
have_cmd valgrind      || missing+=(valgrind)
have_cmd cc            || missing+=(gcc)
have_cmd c++           || missing+=(g++)
have_cmd openssl       || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -f /usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf ] || missing+=(fonts-dejavu-core)
have_cmd mcs           || missing+=(mono-mcs)
have_cmd mono          || missing+=(mono-runtime)
have_cmd javac         || missing+=(default-jdk-headless)
[ -f /usr/share/java/jna.jar ] || missing+=(libjna-java)
have_cmd php           || missing+=(php-cli)
# kyso serve --confirm is answered through a pseudo-terminal made by script (tests/serve.rs)
have_cmd script        || missing+=(bsdutils)
# the progress bar and the retyped .p12 password on a terminal (tests/desk.rs)
have_cmd tmux          || missing+=(tmux)
have_cmd zsh           || missing+=(zsh)
have_cmd fish          || missing+=(fish)
/usr/bin/python3 -c 'import pytest' >/dev/null 2>&1 || missing+=(python3-pytest)
have_cmd x86_64-w64-mingw32-gcc || missing+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || missing+=(wine64)
have_cmd wine          || missing+=(wine)
# the PKCS#11 token tests (tests/token.rs, crates/kyso/tests/pkcs11.rs) load this module
{ have_cmd softhsm2-util && [ -f /usr/lib/softhsm/libsofthsm2.so ]; } || missing+=(softhsm2)
# pip is needed below for pyhanko and playwright
need_pip() { ! have_cmd pyhanko || ! python3 -c 'import playwright.sync_api' >/dev/null 2>&1; }
if need_pip && ! python3 -m pip --version >/dev/null 2>&1; then
    missing+=(python3-pip)
    APT_PACKAGES+=(python3-pip)
fi

if [ "${#missing[@]}" -eq 0 ]; then
    log "apt: all commands present, skipping apt-get"
else
    log "apt: missing ${missing[*]} -> apt-get update"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    log "apt: apt-get install ${APT_PACKAGES[*]}"
    apt-get install -y --no-install-recommends "${APT_PACKAGES[@]}"
    log "apt: done"
fi

if have_cmd pyhanko; then
    log "pip: pyhanko already on PATH ($(command -v pyhanko)), skipping"
else
    pip_args=(install pyhanko pyhanko-cli)
    # Debian's system python is "externally managed" (PEP 668)
    if python3 -c 'import sys,sysconfig,os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"),"EXTERNALLY-MANAGED")) else 1)'; then
        pip_args+=(--break-system-packages)
    fi
    log "pip: python3 -m pip ${pip_args[*]}"
    python3 -m pip "${pip_args[@]}"
    hash -r
    if ! have_cmd pyhanko; then
        log "error: pyhanko still not on PATH after pip install" >&2
        exit 1
    fi
    log "pip: done ($(pyhanko --version))"
fi

# Python playwright drives Debian's /usr/bin/chromium in tests/serve.rs (no `playwright install`).
if python3 -c 'import playwright.sync_api' >/dev/null 2>&1; then
    log "pip: playwright already installed, skipping"
else
    pw_args=(install playwright)
    if python3 -c 'import sys,sysconfig,os; sys.exit(0 if os.path.exists(os.path.join(sysconfig.get_path("stdlib"),"EXTERNALLY-MANAGED")) else 1)'; then
        pw_args+=(--break-system-packages)
    fi
    log "pip: python3 -m pip ${pw_args[*]}"
    python3 -m pip "${pw_args[@]}"
    python3 -c 'import playwright.sync_api' || { log "error: playwright not importable after pip install" >&2; exit 1; }
    log "pip: playwright done"
fi

# cargo-audit: checks Cargo.lock against the RustSec advisory database (scripts/test.sh).
# Built once from crates.io with its own lockfile (--locked) and kept in ~/.cargo/bin.
if have_cmd cargo-audit; then
    log "cargo: cargo-audit already installed, skipping"
else
    log "cargo: cargo install --locked cargo-audit"
    if ! cargo install --locked cargo-audit; then
        if [ "${KYSO_REQUIRE_TOOLS:-0}" = 1 ]; then
            log "error: cargo-audit could not be installed" >&2
            exit 1
        fi
        log "SKIP: cargo-audit could not be installed (the RustSec check will be skipped)"
    fi
fi

log "all test dependencies present"
