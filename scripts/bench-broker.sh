#!/usr/bin/env bash
# Requests per second through `zswift broker --mode queue` (4 concurrent req clients, 2 rep --echo
# workers) next to the same 4 clients talking to one rep --echo directly. All zswift, over tcp
# loopback; then, as a reference, the same through pyzmq's zmq.proxy (libzmq's engine alone).
# Usage: scripts/bench-broker.sh [ZSWIFT] [REQUESTS]   (default .build/release/zswift, 100000)
set -euo pipefail
Z=${1:-.build/release/zswift}
N=${2:-100000}
CLIENTS=4
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
seq $((N / CLIENTS)) > "$dir/requests"

ports() { # FILE COUNT: waits for COUNT "bound to" lines in FILE and prints their ports
    for _ in $(seq 250); do [ "$(grep -c 'bound to' "$1" 2>/dev/null)" -ge "$2" ] && break; sleep 0.02; done
    sed -n 's/.*bound to tcp:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$1"
}

clients() { # port label -> seconds for CLIENTS clients to get N replies (written to $dir/LABEL.*)
    local t0 t1 pids=()
    t0=$(date +%s.%N)
    for _ in $(seq $CLIENTS); do "$Z" req -c "tcp://127.0.0.1:$1" < "$dir/requests" > "$dir/$2.$RANDOM" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
    t1=$(date +%s.%N)
    echo "$t1 - $t0" | bc
}

# direct: the clients against one worker
"$Z" rep -b 'tcp://127.0.0.1:*' --echo -v 2> "$dir/rep.err" > /dev/null &
worker=$!
direct=$(clients "$(ports "$dir/rep.err" 1)" direct)
kill $worker

# through the broker: frontend and backend on ports picked by the system
"$Z" broker --frontend 'tcp://127.0.0.1:*' --backend 'tcp://127.0.0.1:*' -v 2> "$dir/broker.err" > /dev/null &
front=$(ports "$dir/broker.err" 2 | sed -n 1p)
back=$(ports "$dir/broker.err" 2 | sed -n 2p)
"$Z" rep -c "tcp://127.0.0.1:$back" --echo > /dev/null & "$Z" rep -c "tcp://127.0.0.1:$back" --echo > /dev/null &
brokered=$(clients "$front" broker)
answered=$(cat "$dir"/broker.[0-9]* | wc -l)
kill $(jobs -p) 2>/dev/null || true

# the same through pyzmq's zmq.proxy (libzmq's engine without zswift), when pyzmq is there
reference=""
if python3 -c 'import zmq' 2>/dev/null; then
    python3 -c '
import sys, zmq
c = zmq.Context(); f = c.socket(zmq.ROUTER); b = c.socket(zmq.DEALER)
ports = (f.bind_to_random_port("tcp://127.0.0.1"), b.bind_to_random_port("tcp://127.0.0.1"))
print("bound to tcp://127.0.0.1:%d" % ports[0], file=sys.stderr)
print("bound to tcp://127.0.0.1:%d" % ports[1], file=sys.stderr, flush=True)
zmq.proxy(f, b)' 2> "$dir/pybroker.err" &
    front=$(ports "$dir/pybroker.err" 2 | sed -n 1p)
    back=$(ports "$dir/pybroker.err" 2 | sed -n 2p)
    "$Z" rep -c "tcp://127.0.0.1:$back" --echo > /dev/null & "$Z" rep -c "tcp://127.0.0.1:$back" --echo > /dev/null &
    reference=$(clients "$front" pyzmq)
fi
printf 'direct  (%d clients, 1 worker):  %8.0f requests/s\n' $CLIENTS "$(echo "$N / $direct" | bc -l)"
printf 'broker  (%d clients, 2 workers): %8.0f requests/s   (%d replies)\n' $CLIENTS "$(echo "$N / $brokered" | bc -l)" "$answered"
[ -z "$reference" ] || printf 'pyzmq zmq.proxy (same clients and workers): %8.0f requests/s\n' "$(echo "$N / $reference" | bc -l)"
