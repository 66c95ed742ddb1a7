#!/usr/bin/env bash
# Installs what zswift needs and is missing: libzmq3-dev (Debian/Ubuntu, via apt-get), and with
# --tests, pyzmq and JeroMQ (with a JDK) for the interoperability tests, compiling the JeroMQ peer.
# Quiet when everything is there already.
set -euo pipefail

need_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null 2>&1; then sudo "$@"
    else echo "setup: need root to run: $*" >&2; exit 1
    fi
}

if ! command -v swift >/dev/null 2>&1; then
    echo "setup: no Swift toolchain on PATH; install Swift 6 (https://www.swift.org/install/) and retry" >&2
    exit 1
fi

if [ ! -f /usr/include/zmq.h ]; then
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: libzmq headers missing and no apt-get; install libzmq (4.3) development files" >&2
        exit 1
    fi
    echo "setup: installing libzmq3-dev" >&2
    export DEBIAN_FRONTEND=noninteractive
    need_root apt-get update -qq
    need_root apt-get install -y -qq libzmq3-dev >/dev/null
fi

if [ "${1:-}" = "--tests" ]; then
    # zsh and fish check the generated completions; optional, so a failure here is not fatal
    if command -v apt-get >/dev/null 2>&1 && { ! command -v zsh >/dev/null || ! command -v fish >/dev/null; }; then
        echo "setup: installing zsh and fish (completion tests)" >&2
        export DEBIAN_FRONTEND=noninteractive
        { need_root apt-get install -y -qq zsh fish >/dev/null 2>&1 || need_root apt-get update -qq && need_root apt-get install -y -qq zsh fish >/dev/null 2>&1; } || echo "setup: zsh/fish not installed; their completion tests are skipped" >&2
    fi
    # the README's recipes pipe through jq, and a test runs every recipe as written
    if ! command -v jq >/dev/null 2>&1; then
        if command -v apt-get >/dev/null 2>&1; then
            echo "setup: installing jq (README recipe tests)" >&2
            export DEBIAN_FRONTEND=noninteractive
            need_root apt-get install -y -qq jq >/dev/null 2>&1 || { need_root apt-get update -qq && need_root apt-get install -y -qq jq >/dev/null; }
        fi
        command -v jq >/dev/null 2>&1 || { echo "setup: jq is needed by the README recipe tests; install it" >&2; exit 1; }
    fi
    if ! python3 -c 'import zmq' >/dev/null 2>&1; then
        echo "setup: installing pyzmq (test peers)" >&2
        python3 -m pip install -q pyzmq 2>&1 | grep -v -i "warning" >&2 || true
        python3 -c 'import zmq' || { echo "setup: pyzmq did not install" >&2; exit 1; }
    fi
    # JeroMQ 0.3 (ZMTP/2.0) peers for the interoperability tests: Debian's libjeromq-java and a JDK
    # to compile Tests/peers/JeroPeer.java. Without them those tests are skipped, and fail under CI.
    jeromq_missing=()
    [ -f /usr/share/java/jeromq.jar ] || jeromq_missing+=(libjeromq-java)
    { command -v javac >/dev/null 2>&1 && command -v java >/dev/null 2>&1; } || jeromq_missing+=(default-jdk-headless)
    if [ ${#jeromq_missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "setup: installing ${jeromq_missing[*]} (JeroMQ test peers)" >&2
        export DEBIAN_FRONTEND=noninteractive
        need_root apt-get install -y -qq "${jeromq_missing[@]}" >/dev/null 2>&1 \
            || { need_root apt-get update -qq && need_root apt-get install -y -qq "${jeromq_missing[@]}" >/dev/null 2>&1; } \
            || echo "setup: ${jeromq_missing[*]} not installed" >&2
    fi
    "$(dirname "$0")/build-peers.sh" || echo "setup: no JeroMQ test peer: its tests are skipped (and fail when CI is set)" >&2
fi
