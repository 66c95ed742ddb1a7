#!/usr/bin/env bash
# Issue 11's figures for broker --mode lb, side by side with --mode queue, in one run:
#  (a) 20 concurrent `zswift req` clients, one worker taking 0.5 s and one answering at once
#      (zswift rep behind queue, zswift worker behind lb; the same with Python workers): wall
#      time of the batch and how many requests the fast worker answered;
#  (b) requests/s (`zswift bench req`, 4 clients; medians of RUNS runs, the setups taking turns)
#      through lb with two `zswift worker --echo` vs queue with two `zswift rep --echo`; also lb
#      with two Paranoid Pirate echo workers in C (Tests/peers/ppecho.c, built here with cc), an
#      LRU broker in C with those workers (Tests/peers/lbqueue.c, the design's ceiling), Python
#      ppworker-like workers next to queue with Python REPs, and queue, lb and C by client count;
#  (c) 1,000 concurrent clients through lb with two zswift workers: requests answered,
#      timeouts, broker peak RSS (VmHWM).
# Usage: [RUNS=5] scripts/lb-figures.sh [ZSWIFT] [REQUESTS]   (default .build/release/zswift, 50000)
set -euo pipefail
Z=$(realpath "${1:-.build/release/zswift}")
N=${2:-50000}
RUNS=${RUNS:-5}
PEER=$(dirname "$0")/../Tests/peers/lbpeer.py
dir=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$dir"' EXIT
cc -O2 -o "$dir/ppecho" "$(dirname "$0")/../Tests/peers/ppecho.c" -lzmq
cc -O2 -o "$dir/lbqueue" "$(dirname "$0")/../Tests/peers/lbqueue.c" -lzmq

broker() { # MODE NAME [OPTIONS]: starts a broker on ipc endpoints $dir/NAME.f and $dir/NAME.b
    local mode=$1 name=$2; shift 2
    "$Z" broker --mode "$mode" --frontend "ipc://$dir/$name.f" --backend "ipc://$dir/$name.b" -v "$@" \
        2> "$dir/$name.err" > /dev/null &
    echo $! > "$dir/$name.pid"
    for _ in $(seq 250); do [ "$(grep -c 'bound to' "$dir/$name.err" 2>/dev/null)" -ge 2 ] && break; sleep 0.02; done
}
rep_worker() { # NAME MODE SLEEP: a REP echo worker ("NAME:BODY") on the queue's backend (Python)
    python3 -c '
import sys, time, zmq
s = zmq.Context().socket(zmq.REP); s.connect(sys.argv[1])
while True:
    m = s.recv_multipart(); time.sleep(float(sys.argv[3])); s.send_multipart(m[:-1] + [sys.argv[2].encode() + b":" + m[-1]])
' "$@" &
}
batch() { # NAME: 20 concurrent clients on NAME's frontend -> "SECONDS FAST"
    local t0 t1 pids=()
    t0=$(date +%s.%N)
    for i in $(seq 20); do echo "r$i" | "$Z" req -c "ipc://$dir/$1.f" -t 20s > "$dir/$1.out.$i" & pids+=($!); done
    for p in "${pids[@]}"; do wait "$p"; done
    t1=$(date +%s.%N)
    echo "$(echo "$t1 - $t0" | bc) $(cat "$dir/$1".out.* | grep -c '^fast:')"
}
stop_all() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; }
rate() { "$Z" bench req -c "ipc://$dir/$1.f" --clients "${2:-4}" -n "$N" -f json | python3 -c 'import json,sys; print(int(json.load(sys.stdin)["msgs_per_s"]))'; }

# (a) the batch, zswift workers
broker queue za; "$Z" rep -c "ipc://$dir/za.b" --exec 'sleep 0.5; echo slow:' > /dev/null & "$Z" rep -c "ipc://$dir/za.b" --data fast: > /dev/null & sleep 0.5
read -r za_time za_fast < <(batch za); stop_all
broker lb zl; "$Z" worker -c "ipc://$dir/zl.b" --exec 'sleep 0.5; echo slow:' > /dev/null & "$Z" worker -c "ipc://$dir/zl.b" --data fast: > /dev/null & sleep 0.5
read -r zl_time zl_fast < <(batch zl); stop_all
# ... and Python workers
broker queue qa; rep_worker "ipc://$dir/qa.b" slow 0.5; rep_worker "ipc://$dir/qa.b" fast 0; sleep 0.5
read -r qa_time qa_fast < <(batch qa); stop_all
broker lb la; python3 "$PEER" worker "ipc://$dir/la.b" --name slow --sleep 0.5 2>/dev/null &
python3 "$PEER" worker "ipc://$dir/la.b" --name fast 2>/dev/null & sleep 0.5
read -r la_time la_fast < <(batch la); stop_all

# (b) throughput: each setup started afresh and measured with the same `zswift bench req` load,
# the setups taking turns, RUNS times; the medians are reported
setup() { # SETUP NAME: a broker and two echo workers
    case $1 in
        queue-rep) broker queue "$2"; for _ in 1 2; do "$Z" rep -c "ipc://$dir/$2.b" --echo > /dev/null & done ;;
        lb-worker) broker lb "$2"; for _ in 1 2; do "$Z" worker -c "ipc://$dir/$2.b" --echo > /dev/null & done ;;
        lb-ppecho) broker lb "$2"; for _ in 1 2; do "$dir/ppecho" "ipc://$dir/$2.b" & done ;;
        c-lru) "$dir/lbqueue" "ipc://$dir/$2.f" "ipc://$dir/$2.b" & for _ in 1 2; do "$dir/ppecho" "ipc://$dir/$2.b" & done ;;
        queue-py) broker queue "$2"; rep_worker "ipc://$dir/$2.b" p 0; rep_worker "ipc://$dir/$2.b" p 0 ;;
        lb-py) broker lb "$2"; for _ in 1 2; do python3 "$PEER" worker "ipc://$dir/$2.b" 2>/dev/null & done ;;
    esac
    sleep 0.3
}
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
measure() { # CLIENTS SETUP...: prints "SETUP MEDIAN" for each setup, RUNS turns each
    local clients=$1 run s; shift
    for run in $(seq "$RUNS"); do
        for s in "$@"; do setup "$s" "$s$clients$run"; rate "$s$clients$run" "$clients" >> "$dir/rate.$s.$clients"; stop_all; done
    done
    for s in "$@"; do echo "$s $(median < "$dir/rate.$s.$clients")"; done
}
declare -A r4
while read -r s v; do r4[$s]=$v; done < <(measure 4 queue-rep lb-worker c-lru lb-ppecho queue-py lb-py)
qb=${r4[queue-rep]} zb=${r4[lb-worker]} lx=${r4[lb-ppecho]} cx=${r4[c-lru]} qp=${r4[queue-py]} lb=${r4[lb-py]}

# (b') by clients: lb never queues a request behind a busy worker, queue deals them into the
# workers' pipes (which is what makes it wait on a slow one), so with more clients than workers
# queue pipelines and lb cannot: an LRU broker in C (Tests/peers/lbqueue.c, the zguide's lbbroker)
# with C workers is the ceiling for the design
sweep=""
for c in 1 2 8 16; do
    declare -A rc=()
    while read -r s v; do rc[$s]=$v; done < <(measure "$c" queue-rep lb-worker c-lru)
    sweep+=$(printf '    %2d clients: queue %d, lb %d (%d%%), C LRU broker + C workers %d (%d%%)' "$c" \
        "${rc[queue-rep]}" "${rc[lb-worker]}" $((100 * rc[lb-worker] / rc[queue-rep])) "${rc[c-lru]}" $((100 * rc[c-lru] / rc[queue-rep])))$'\n'
done

# (c) 1,000 clients
broker lb lc; "$Z" worker -c "ipc://$dir/lc.b" --echo > /dev/null & "$Z" worker -c "ipc://$dir/lc.b" --echo > /dev/null & sleep 0.3
"$Z" bench req -c "ipc://$dir/lc.f" --clients 1000 -n 5000 -t 30s -f json > "$dir/lc.json" || true
hwm=$(grep VmHWM "/proc/$(cat "$dir/lc.pid")/status" | awk '{print $2 " " $3}')
stop_all
read -r lc_msgs lc_timeouts lc_errors < <(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["messages"], d["timeouts"], d["errors"])' "$dir/lc.json")

printf '(a) 20 clients, 0.5 s worker + fast worker:  queue + zswift rep %.2f s, %d on fast;  lb + zswift worker %.2f s, %d on fast\n' "$za_time" "$za_fast" "$zl_time" "$zl_fast"
printf '    Python workers:  queue %.2f s, %d on fast;  lb %.2f s, %d on fast\n' "$qa_time" "$qa_fast" "$la_time" "$la_fast"
printf '(b) requests/s, 4 clients, medians of %d runs: queue + 2 zswift rep --echo %d;  lb + 2 zswift worker --echo %d (%d%% of queue)\n' "$RUNS" "$qb" "$zb" $((100 * zb / qb))
printf '    lb + 2 C ppecho %d (%d%% of queue);  C LRU broker + 2 C ppecho %d (%d%%): zswift lb + worker is %d%% of C\n' "$lx" $((100 * lx / qb)) "$cx" $((100 * cx / qb)) $((100 * zb / cx))
printf '    Python workers: queue + 2 REP echo %d;  lb + 2 ppworker-like echo %d (%d%%)\n' "$qp" "$lb" $((100 * lb / qp))
printf '    by clients (medians of %d):\n%s' "$RUNS" "$sweep"
printf '(c) lb + 2 zswift worker --echo, 1000 clients, 5000 requests: %s answered, %s timeouts, %s errors; broker peak RSS %s\n' "$lc_msgs" "$lc_timeouts" "$lc_errors" "$hwm"
