"""Things for `zswift probe` to find, each bound to a free port on 127.0.0.1:

    probe_targets.py zmq TYPE [IDENTITY]   a pyzmq socket of TYPE (with a routing id)
    probe_targets.py curve                 a pyzmq CURVE server (REP); its public key on stderr
    probe_targets.py http                  Python's http.server
    probe_targets.py silent                a TCP listener that accepts and never says anything

Each reports "bound to tcp://127.0.0.1:PORT" on stderr (curve first "server-key KEY") and runs
until stdin closes or it is killed.
"""
import http.server, socket, sys, threading, zmq

kind = sys.argv[1]
ctx = zmq.Context()
if kind == "zmq":
    s = ctx.socket(getattr(zmq, sys.argv[2].upper()))
    if len(sys.argv) > 3: s.setsockopt(zmq.ROUTING_ID, sys.argv[3].encode())
    port = s.bind_to_random_port("tcp://127.0.0.1")
elif kind == "curve":
    public, secret = zmq.curve_keypair()
    s = ctx.socket(zmq.REP); s.curve_server = True; s.curve_secretkey = secret
    port = s.bind_to_random_port("tcp://127.0.0.1")
    print("server-key " + public.decode(), file=sys.stderr, flush=True)
elif kind == "http":
    server = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
elif kind == "silent":
    listener = socket.socket(); listener.bind(("127.0.0.1", 0)); listener.listen(8)
    port = listener.getsockname()[1]
    held = []
    threading.Thread(target=lambda: [held.append(listener.accept()) for _ in iter(int, 1)], daemon=True).start()
print("bound to tcp://127.0.0.1:%d" % port, file=sys.stderr, flush=True)
sys.stdin.read()
