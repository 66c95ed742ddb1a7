"""A minimal Majordomo (MDP/0.1) client for zswift worker's tests (pyzmq REQ, connects).

    mdpclient.py ENDPOINT SERVICE BODY... [--timeout SECONDS]

Sends one request ["MDPC01", SERVICE, BODY...] and prints the reply's body frames (after
"MDPC01" and the service name, which must come back as sent) as a JSON array of hex strings.
Status 3 and "timeout" on stderr when no reply comes within --timeout; 1 for a malformed reply.
"""
import argparse, json, sys, zmq

p = argparse.ArgumentParser()
p.add_argument("endpoint")
p.add_argument("service")
p.add_argument("body", nargs="+")
p.add_argument("--timeout", type=float, default=10.0)
a = p.parse_args()

s = zmq.Context().socket(zmq.REQ)
s.linger = 0
s.connect(a.endpoint)
s.send_multipart([b"MDPC01", a.service.encode()] + [b.encode() for b in a.body])
if not s.poll(int(a.timeout * 1000)):
    print("timeout", file=sys.stderr, flush=True)
    sys.exit(3)
reply = s.recv_multipart()
if reply[:2] != [b"MDPC01", a.service.encode()]:
    print("malformed reply: %r" % reply, file=sys.stderr, flush=True)
    sys.exit(1)
print(json.dumps([f.hex() for f in reply[2:]]), flush=True)
