"""Load-balancing workers for zswift's black-box tests of broker --mode lb (pyzmq).

    lbpeer.py worker ENDPOINT [--name NAME] [--sleep S] [--heartbeat S] [--plain] [--stall-on BODY]

A worker connects to a broker's backend and answers each request with "NAME:BODY" (the last frame
prefixed by its name), after --sleep seconds. It behaves like the zguide's ppworker: a DEALER
that sends READY (0x01) once connected, HEARTBEAT (0x02) every --heartbeat seconds (also while it
sleeps on a request, as zswift worker does; the zguide's ppworker cannot), and answers the
broker's heartbeats with nothing. --plain makes it the zguide's lbworker instead: a REQ socket
that says "READY" and then gets requests and sends replies, with no heartbeats.
--stall-on BODY: on receiving that body it prints "stalled" on stderr and stops heartbeating and
answering (a test kills it). --count N: exits after N answers. It prints "ready" on stderr once
READY is sent and "received BODY" for each request (not with --quiet: a test that sends
thousands of requests does not read the worker's stderr).
"""
import argparse, sys, time, zmq

p = argparse.ArgumentParser()
p.add_argument("role", choices=["worker"])
p.add_argument("endpoint")
p.add_argument("--name", default="w")
p.add_argument("--sleep", type=float, default=0.0)
p.add_argument("--heartbeat", type=float, default=1.0)
p.add_argument("--plain", action="store_true")
p.add_argument("--stall-on")
p.add_argument("--count", type=int, default=0)
p.add_argument("--quiet", action="store_true")
a = p.parse_args()

ctx = zmq.Context()
s = ctx.socket(zmq.REQ if a.plain else zmq.DEALER)
s.setsockopt(zmq.LINGER, 0)
s.connect(a.endpoint)
s.send(b"READY" if a.plain else b"\x01")
print("ready", file=sys.stderr, flush=True)
answered = 0


def beat_while(seconds):
    """Sleeps `seconds`, heartbeating the broker meanwhile (DEALER workers only)."""
    end = time.monotonic() + seconds
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(left, a.heartbeat))
        if not a.plain and time.monotonic() < end:
            s.send(b"\x02")


next_beat = time.monotonic() + a.heartbeat
while True:
    if not a.plain:
        wait = max(0, next_beat - time.monotonic())
        if not s.poll(int(wait * 1000) + 1):
            s.send(b"\x02")
            next_beat = time.monotonic() + a.heartbeat
            continue
    frames = s.recv_multipart()
    if not a.plain and len(frames) == 1:
        continue  # the broker's heartbeat
    body = frames[-1]
    if not a.quiet:
        print("received " + body.decode("utf-8", "replace"), file=sys.stderr, flush=True)
    if a.stall_on is not None and body == a.stall_on.encode():
        print("stalled", file=sys.stderr, flush=True)
        time.sleep(3600)
    beat_while(a.sleep)
    s.send_multipart(frames[:-1] + [a.name.encode() + b":" + body])
    next_beat = time.monotonic() + a.heartbeat
    answered += 1
    if a.count and answered >= a.count:
        break
