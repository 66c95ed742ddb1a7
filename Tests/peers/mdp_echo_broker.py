"""A minimal Majordomo broker stand-in for req --service tests (pyzmq): a ROUTER that binds,
reports "bound to ENDPOINT" on stderr, checks each client request is
[client, "", "MDPC01", SERVICE, body...] and answers [client, "", "MDPC01", SERVICE, "echo:" + each
body frame...]. A request with another header is reported on stderr and answered with nothing.

    mdp_echo_broker.py ENDPOINT
"""
import sys, zmq

ctx = zmq.Context()
s = ctx.socket(zmq.ROUTER)
s.linger = 0
s.bind(sys.argv[1])
print("bound to " + s.getsockopt(zmq.LAST_ENDPOINT).decode(), file=sys.stderr, flush=True)
while True:
    frames = s.recv_multipart()
    client, empty, header, service, body = frames[0], frames[1], frames[2], frames[3], frames[4:]
    if empty != b"" or header != b"MDPC01":
        print("not a Majordomo request: %r" % frames, file=sys.stderr, flush=True)
        continue
    print("request for %s" % service.decode(), file=sys.stderr, flush=True)
    s.send_multipart([client, b"", b"MDPC01", service] + [b"echo:" + f for f in body])
