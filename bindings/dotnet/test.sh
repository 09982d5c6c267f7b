#!/usr/bin/env bash
# The .NET binding's tests under Mono (mcs + mono) against a freshly built libkyso.
# (Kyso.csproj builds the same Kyso.cs for .NET 6+ with `dotnet build`; no SDK is installed here.)
BINDING=dotnet
source "$(dirname "$0")/../lib.sh"

need_apt mono-mcs 'command -v mcs'
need_apt mono-runtime 'command -v mono'
kyso_build
out="${CARGO_TARGET_DIR:-$REPO/target}/bindings/dotnet"
mkdir -p "$out"
cd "$REPO/bindings/dotnet"
log "$(mcs --version)"
mcs -nologo -warnaserror -langversion:7.2 -target:library -out:"$out/Kyso.dll" Kyso.cs
mcs -nologo -warnaserror -langversion:7.2 -r:"$out/Kyso.dll" -r:System.Core.dll -out:"$out/KysoTests.exe" tests/*.cs
MONO_PATH="$out" mono "$out/KysoTests.exe" "$REPO"
