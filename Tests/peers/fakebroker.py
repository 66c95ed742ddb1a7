"""A scripted broker for zswift worker's black-box tests (pyzmq ROUTER, binds).

    fakebroker.py ENDPOINT [--mdp SERVICE] [--request BODY]... [--heartbeats N]
                  [--busy-heartbeats N] [--silent] [--disconnect] [--timeout SECONDS]

Says "bound to ENDPOINT" on stderr, then checks, in order, that the worker that connects:
  1. announces itself: [01] (Paranoid Pirate), or ["", "MDPW01", 01, SERVICE] with --mdp;
  2. answers each --request (sent one at a time, with a two-hop envelope ["client", "hop", ""], or
     with --mdp as a REQUEST from the client address "client-N") with the envelope it came with;
     each reply's frames go to stdout as a JSON array of hex strings; with --busy-heartbeats N, at
     least N heartbeats must arrive while a request is being answered;
  3. with --heartbeats N: sends N heartbeats while idle;
  4. with --silent: when this broker stays silent, reconnects (a new READY from a new routing id,
     "reconnected" on stderr); with --disconnect (--mdp) the same after a DISCONNECT is sent.
Until step 4, each heartbeat is answered with one. Ends with status 0 and "ok" on stderr, or status 1 and "FAIL: why" when a check fails.
"""
import argparse, json, sys, time, zmq

p = argparse.ArgumentParser()
p.add_argument("endpoint")
p.add_argument("--mdp")
p.add_argument("--request", action="append", default=[])
p.add_argument("--heartbeats", type=int, default=0)
p.add_argument("--busy-heartbeats", type=int, default=0)
p.add_argument("--silent", action="store_true")
p.add_argument("--disconnect", action="store_true")
p.add_argument("--timeout", type=float, default=15.0)
a = p.parse_args()

W = b"MDPW01"
ctx = zmq.Context()
s = ctx.socket(zmq.ROUTER)
s.linger = 0
s.bind(a.endpoint)
print("bound to " + s.getsockopt(zmq.LAST_ENDPOINT).decode(), file=sys.stderr, flush=True)
deadline = time.time() + a.timeout


def fail(why):
    print("FAIL: " + why, file=sys.stderr, flush=True)
    sys.exit(1)


answering = True  # heartbeats are answered with one (as a live broker's would be) until --silent


def recv():
    left = deadline - time.time()
    if left <= 0 or not s.poll(int(left * 1000)):
        fail("timed out")
    frames = s.recv_multipart()
    if answering and len(frames) > 1 and is_heartbeat(body(frames)):
        send(frames[0], [b"\x04"] if a.mdp else [b"\x02"])
    return frames


def body(frames):
    """What a worker's message says after its routing id: MDP frames without "" and MDPW01."""
    if not a.mdp:
        return frames[1:]
    if frames[1:3] != [b"", W]:
        fail("not an MDP worker message: %r" % frames)
    return frames[3:]


def is_ready(msg):
    return msg == ([b"\x01", a.mdp.encode()] if a.mdp else [b"\x01"])


def is_heartbeat(msg):
    return msg == [b"\x04"] if a.mdp else msg == [b"\x02"]


def await_ready(other_than=None):
    while True:
        frames = recv()
        msg = body(frames)
        if is_ready(msg) and frames[0] != other_than:
            return frames[0]
        if not is_heartbeat(msg) and not is_ready(msg):
            fail("expected READY, got %r" % frames)


def send(worker, frames):
    s.send_multipart([worker] + ([b"", W] + frames if a.mdp else frames))


worker = await_ready()
for i, text in enumerate(a.request):
    client = b"client-%d" % (i + 1)
    if a.mdp:
        send(worker, [b"\x02", client, b"", text.encode()])
        head = [b"\x03", client, b""]
    else:
        send(worker, [client, b"hop", b"", text.encode()])
        head = [client, b"hop", b""]
    beats = 0
    while True:
        msg = body(recv())
        if is_heartbeat(msg):
            beats += 1
            continue
        if msg[:len(head)] != head:
            fail("reply %d came back with the wrong envelope: %r" % (i + 1, msg))
        print(json.dumps([f.hex() for f in msg[len(head):]]), flush=True)
        break
    if beats < a.busy_heartbeats:
        fail("%d heartbeats while request %d was answered, expected %d" % (beats, i + 1, a.busy_heartbeats))
beats = 0
while beats < a.heartbeats:
    msg = body(recv())
    if not is_heartbeat(msg):
        fail("expected a heartbeat, got %r" % msg)
    beats += 1
answering = False
if a.disconnect:
    send(worker, [b"\x05"])
if a.silent or a.disconnect:
    await_ready(other_than=worker)
    print("reconnected", file=sys.stderr, flush=True)
print("ok", file=sys.stderr, flush=True)
