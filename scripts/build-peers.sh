#!/usr/bin/env bash
# Compiles the JeroMQ test peer (Tests/peers/JeroPeer.java) into .build/peers, git-ignored, when
# the class is missing or older than its source. Installs nothing: scripts/setup.sh --tests
# installs a JDK and Debian's libjeromq-java first. The black-box tests run this too.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
source="$root/Tests/peers/JeroPeer.java"
out="$root/.build/peers"
jar="${JEROMQ_JAR:-/usr/share/java/jeromq.jar}"

if [ ! -f "$jar" ]; then
    echo "no JeroMQ at $jar (Debian: apt-get install libjeromq-java)" >&2
    exit 1
fi
if ! command -v javac >/dev/null 2>&1 || ! command -v java >/dev/null 2>&1; then
    echo "no Java compiler or runtime on PATH (Debian: apt-get install default-jdk-headless)" >&2
    exit 1
fi
if [ -f "$out/JeroPeer.class" ] && [ "$out/JeroPeer.class" -nt "$source" ]; then
    exit 0
fi
mkdir -p "$out"
staging="$(mktemp -d "$out/.javac.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
javac -nowarn -d "$staging" -cp "$jar" "$source"
mv -f "$staging"/*.class "$out/"
