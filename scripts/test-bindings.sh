#!/usr/bin/env bash
# The four language bindings' tests (bindings/*/test.sh) against one freshly built libkyso:
# .NET (Mono), Java (JNA), PHP (FFI), Python (ctypes + pytest), all driven by
# bindings/test-vectors.json. Each test.sh installs what it needs (apt, when root).
set -euo pipefail
cd "$(dirname "$0")/.."

# Each test.sh builds libkyso (a no-op after the first) unless KYSO_LIBRARY names one.
failed=()
for b in dotnet java php python; do
    echo "== bindings/$b"
    start=$(date +%s)
    if bash "bindings/$b/test.sh"; then
        echo "bindings/$b: ok ($(($(date +%s) - start)) s)"
    else
        echo "bindings/$b: FAILED"
        failed+=("$b")
    fi
done
if [ "${#failed[@]}" -ne 0 ]; then
    echo "bindings failed: ${failed[*]}"
    exit 1
fi
echo "bindings: all 4 passed"
