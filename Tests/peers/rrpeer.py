"""Request-reply peers for zswift's black-box tests (pyzmq).

    rrpeer.py ROLE ENDPOINT [options]

Messages on stdin and stdout are JSON Lines, each an array of frames in hex (as in peer.py). Every
role that binds reports "bound to ENDPOINT" on stderr; servers report "received BODY" (the last
frame, as text) on stderr before they answer, so a test can synchronise on it.

  client   REQ, connects: sends each stdin message, waits --timeout for its reply, prints it
           (status 3 and "client: timeout" when a reply does not come)
  server   REP, binds: answers each request with its frames, the last one prefixed by "reply:";
           --sleep SECONDS: waits that long before each answer (a service of known latency);
           --stall-on BODY: after receiving BODY it says so and never answers (a test kills it)
  mute     ROUTER, binds: receives requests and never answers
  late     ROUTER with ROUTER_HANDOVER, binds: holds the first request it receives and answers it
           only --delay seconds later; further copies of that request are answered at once, other
           requests only after the late answer went out (so a later request is waiting when it
           does); then everything is answered at once. Answers are "reply:BODY".
"""
import argparse, json, sys, time, zmq

p = argparse.ArgumentParser()
p.add_argument("role", choices=["client", "server", "mute", "late"])
p.add_argument("endpoint")
p.add_argument("--timeout", type=float, default=10.0)
p.add_argument("--stall-on")
p.add_argument("--delay", type=float, default=1.0)
p.add_argument("--sleep", type=float, default=0.0)
a = p.parse_args()

ctx = zmq.Context()


def say(text):
    print(text, file=sys.stderr, flush=True)


def bind(sock):
    sock.linger = 0
    sock.bind(a.endpoint)
    say("bound to " + sock.getsockopt(zmq.LAST_ENDPOINT).decode())


def text(frame):
    return frame.decode("utf-8", "replace")


if a.role == "client":
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    s.connect(a.endpoint)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        s.send_multipart([bytes.fromhex(f) for f in json.loads(line)])
        if not s.poll(int(a.timeout * 1000)):
            say("client: timeout")
            sys.exit(3)
        reply = s.recv_multipart()
        sys.stdout.write(json.dumps([f.hex() for f in reply]) + "\n")
        sys.stdout.flush()
    s.close()

elif a.role == "server":
    s = ctx.socket(zmq.REP)
    bind(s)
    while True:
        request = s.recv_multipart()
        body = text(request[-1])
        say("received " + body)
        if a.stall_on is not None and body == a.stall_on:
            while True:
                time.sleep(60)
        if a.sleep > 0:
            time.sleep(a.sleep)
        s.send_multipart(request[:-1] + [b"reply:" + request[-1]])

elif a.role == "mute":
    s = ctx.socket(zmq.ROUTER)
    bind(s)
    while True:
        message = s.recv_multipart()
        say("received " + text(message[-1]))

else:  # late
    s = ctx.socket(zmq.ROUTER)
    s.setsockopt(zmq.ROUTER_HANDOVER, 1)
    bind(s)
    held = None  # (envelope, body, due)
    first_body = None
    late_sent = False
    waiting = []

    def answer(envelope, body):
        s.send_multipart(envelope + [b"reply:" + body])

    while True:
        timeout = 1000
        if held is not None:
            timeout = max(0, int((held[2] - time.monotonic()) * 1000))
        if s.poll(timeout):
            message = s.recv_multipart()
            split = message.index(b"") + 1
            envelope, body = message[:split], message[-1]
            say("received " + text(body))
            if first_body is None:
                first_body = body
                held = (envelope, body, time.monotonic() + a.delay)
            elif late_sent:
                answer(envelope, body)
            elif body == first_body:
                answer(envelope, body)
            else:
                waiting.append((envelope, body))
        if held is not None and time.monotonic() >= held[2]:
            answer(held[0], held[1])
            say("answered the first copy late")
            held = None
            late_sent = True
            for envelope, body in waiting:
                answer(envelope, body)
            waiting = []
