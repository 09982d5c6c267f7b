#!/usr/bin/env bash
# The Java binding's tests (javac + java, JNA from Debian's libjna-java; no Maven/Gradle
# download) against a freshly built libkyso.
BINDING=java
source "$(dirname "$0")/../lib.sh"

need_apt default-jdk-headless 'command -v javac' 'command -v java'
need_apt libjna-java 'test -f /usr/share/java/jna.jar'
kyso_build
JNA=/usr/share/java/jna.jar
out="${CARGO_TARGET_DIR:-$REPO/target}/bindings/java"
rm -rf "$out"
mkdir -p "$out"
cd "$REPO/bindings/java"
log "$(javac -version 2>&1), JNA $(unzip -p "$JNA" META-INF/MANIFEST.MF 2>/dev/null | sed -n 's/^Bundle-Version: //p' | tr -d '\r')"
javac -Xlint:all -Werror -encoding UTF-8 -cp "$JNA" -d "$out" src/vn/kyso/*.java tests/*.java
java -Djna.library.path="$KYSO_LIB_DIR" -Dfile.encoding=UTF-8 -cp "$out:$JNA" KysoTest "$REPO"
