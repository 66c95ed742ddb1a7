"""A secured pyzmq peer for zswift's security tests: CURVE and PLAIN, with pyzmq's own ZAP
handler (zmq.auth.thread.ThreadAuthenticator) on the server side, as the seeds' secure server.

    secure_peer.py server ENDPOINT [options]   a REP that binds and echoes every request
    secure_peer.py client ENDPOINT [options]   a REQ that connects, sends --send and prints the reply

Both print "ready" on stderr once they can be used (a server: bound, its authenticator running).

Server options:
  --curve-secret-file FILE   be a CURVE server with the pair in FILE (a secret certificate)
  --curve-allow-dir DIR      the authenticator accepts the client keys in DIR's certificates
  --curve-allow-any          the authenticator accepts any client key (CURVE_ALLOW_ANY)
  --plain-user USER:PASS     be a PLAIN server accepting this user (repeatable)
Client options:
  --curve-server-key KEY     be a CURVE client of the server with this Z85 public key
  --curve-secret-file FILE   the client's own pair (default: a new one)
  --plain-user USER:PASS     be a PLAIN client
  --send TEXT                the request (default "hello")
  --timeout S                give up waiting for the reply after S seconds (status 3)
The client exits 4 as soon as its monitor reports a handshake failure (zswift's status for a
refused handshake), 3 when --timeout passes without a reply, 0 after printing the reply.
"""
import argparse, os, sys, zmq, zmq.auth
from zmq.auth.thread import ThreadAuthenticator
from zmq.utils.monitor import recv_monitor_message

p = argparse.ArgumentParser()
p.add_argument("role", choices=["server", "client"]); p.add_argument("endpoint")
p.add_argument("--curve-secret-file"); p.add_argument("--curve-allow-dir")
p.add_argument("--curve-allow-any", action="store_true"); p.add_argument("--curve-server-key")
p.add_argument("--plain-user", action="append", default=[]); p.add_argument("--send", default="hello")
p.add_argument("--timeout", type=float, default=10.0)
a = p.parse_args()

ctx = zmq.Context()

if a.role == "server":
    auth = None
    if a.curve_allow_dir or a.curve_allow_any or a.plain_user:
        auth = ThreadAuthenticator(ctx)
        auth.start()
        if a.curve_allow_dir: auth.configure_curve(domain="*", location=a.curve_allow_dir)
        if a.curve_allow_any: auth.configure_curve(domain="*", location=zmq.auth.CURVE_ALLOW_ANY)
        if a.plain_user: auth.configure_plain(domain="*", passwords=dict(u.split(":", 1) for u in a.plain_user))
    s = ctx.socket(zmq.REP)
    s.linger = 0
    if a.curve_secret_file:
        public, secret = zmq.auth.load_certificate(a.curve_secret_file)
        s.curve_publickey, s.curve_secretkey, s.curve_server = public, secret, True
    if a.plain_user: s.plain_server = True
    s.bind(a.endpoint)
    print("ready", file=sys.stderr, flush=True)
    try:
        while True: s.send(s.recv())
    finally:
        if auth: auth.stop()
else:
    s = ctx.socket(zmq.REQ)
    s.linger = 0
    if a.curve_server_key:
        if a.curve_secret_file: public, secret = zmq.auth.load_certificate(a.curve_secret_file)
        else: public, secret = zmq.curve_keypair()
        s.curve_publickey, s.curve_secretkey, s.curve_serverkey = public, secret, a.curve_server_key.encode()
    if a.plain_user:
        user, password = a.plain_user[0].split(":", 1)
        s.plain_username, s.plain_password = user.encode(), password.encode()
    monitor = s.get_monitor_socket(zmq.EVENT_HANDSHAKE_FAILED_AUTH | zmq.EVENT_HANDSHAKE_FAILED_PROTOCOL | zmq.EVENT_HANDSHAKE_FAILED_NO_DETAIL)
    s.connect(a.endpoint)
    print("ready", file=sys.stderr, flush=True)
    s.send(a.send.encode())
    poller = zmq.Poller()
    poller.register(s, zmq.POLLIN); poller.register(monitor, zmq.POLLIN)
    events = dict(poller.poll(int(a.timeout * 1000)))
    if s in events:
        print(s.recv().decode(), flush=True)
        sys.stdout.flush(); os._exit(0)
    if monitor in events:
        event = recv_monitor_message(monitor)
        print("handshake failed: %s %s" % (event["event"], event["value"]), file=sys.stderr, flush=True)
        sys.stdout.flush(); os._exit(4)
    print("peer: timeout", file=sys.stderr, flush=True)
    sys.stdout.flush(); os._exit(3)
