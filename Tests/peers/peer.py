"""A pyzmq peer for zswift's black-box tests.

    peer.py TYPE bind|connect ENDPOINT [options]

Messages on stdin and stdout are JSON Lines: each message an array of frames in hex, so any
bytes and any number of frames cross unchanged. With -v the bound endpoint is reported on stderr
as "bound to ENDPOINT" (like zswift -v). Exit status 3 when --timeout runs out.

  --send               send every message read from stdin (after --wait-peers/--wait-sub)
  --count N            receive N messages and print them
  --timeout S          give up receiving after S seconds of silence (status 3)
  --subscribe PREFIX   (sub) subscribe to PREFIX (hex); default everything
  --echo               (rep, router, dealer, pair) send every message back, --count times or for ever
  --wait-sub N         (xpub) wait for N subscriptions before sending
  --identity ID        set the routing id (text)
  --linger MS          linger at close (default: wait for delivery)
"""
import argparse, json, sys, zmq

p = argparse.ArgumentParser()
p.add_argument("type"); p.add_argument("mode"); p.add_argument("endpoint")
p.add_argument("--send", action="store_true"); p.add_argument("--count", type=int, default=0)
p.add_argument("--timeout", type=float, default=10.0); p.add_argument("--subscribe", action="append")
p.add_argument("--echo", action="store_true"); p.add_argument("--wait-sub", type=int, default=0)
p.add_argument("--identity"); p.add_argument("--linger", type=int, default=-1); p.add_argument("-v", action="store_true")
a = p.parse_args()

ctx = zmq.Context()
s = ctx.socket(getattr(zmq, a.type.upper()))
s.linger = a.linger
if a.identity: s.setsockopt(zmq.ROUTING_ID, a.identity.encode())
if a.type == "sub":
    for prefix in (a.subscribe or [""]): s.setsockopt(zmq.SUBSCRIBE, bytes.fromhex(prefix))
if a.mode == "bind":
    s.bind(a.endpoint)
    if a.v: print("bound to " + s.getsockopt(zmq.LAST_ENDPOINT).decode(), file=sys.stderr, flush=True)
else:
    s.connect(a.endpoint)

def recv(timeout):
    if not s.poll(int(timeout * 1000)):
        print("peer: timeout", file=sys.stderr, flush=True); sys.exit(3)
    return s.recv_multipart()

def show(msg):
    sys.stdout.write(json.dumps([f.hex() for f in msg]) + "\n"); sys.stdout.flush()

if a.wait_sub:
    got = 0
    while got < a.wait_sub:
        m = recv(a.timeout)
        if m[0][:1] == b"\x01": got += 1
if a.send:
    for line in sys.stdin:
        line = line.strip()
        if line: s.send_multipart([bytes.fromhex(f) for f in json.loads(line)])
if a.echo:
    n = 0
    while a.count == 0 or n < a.count:
        m = recv(a.timeout); s.send_multipart(m); n += 1
elif a.count:
    for _ in range(a.count): show(recv(a.timeout))
s.close()
ctx.term()
