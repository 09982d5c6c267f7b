#!/usr/bin/env bash
# The Python binding's tests (pytest) against a freshly built libkyso.
BINDING=python
source "$(dirname "$0")/../lib.sh"

PY="${PYTHON:-python3}"
if ! "$PY" -c 'import pytest' >/dev/null 2>&1; then
    # Debian's python3-pytest is for the system python.
    need_apt python3-pytest '/usr/bin/python3 -c "import pytest"'
    PY=/usr/bin/python3
fi
kyso_build
log "$("$PY" --version), pytest $("$PY" -c 'import pytest; print(pytest.__version__)')"
cd "$REPO/bindings/python"
PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" "$PY" -m pytest -q -p no:cacheprovider tests
