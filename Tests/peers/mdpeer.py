"""Majordomo peers for zswift's black-box tests, built on the zguide's reference Python API
(Tests/peers/zguide/mdwrkapi.py and mdcliapi.py).

    mdpeer.py worker ENDPOINT SERVICE [--name NAME] [--stall-on BODY]
                                                       echo worker: answers [NAME:BODY...]; on
                                                       receiving BODY it prints "stalled" on
                                                       stderr and never answers (a test kills it)
    mdpeer.py client ENDPOINT SERVICE BODY...          one request per BODY, prints each reply
                                                       (its frames joined by "|"), or "no reply"
                                                       and status 3 when mdcliapi gives up

The worker prints "ready" on stderr once it has sent READY.
"""
import os, sys, time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "zguide"))
from mdcliapi import MajorDomoClient
from mdwrkapi import MajorDomoWorker

role, endpoint, service = sys.argv[1], sys.argv[2], sys.argv[3].encode()
if role == "worker":
    name = sys.argv[sys.argv.index("--name") + 1].encode() if "--name" in sys.argv else b"w"
    stall = sys.argv[sys.argv.index("--stall-on") + 1].encode() if "--stall-on" in sys.argv else None
    worker = MajorDomoWorker(endpoint, service)
    print("ready", file=sys.stderr, flush=True)
    reply = None
    while True:
        request = worker.recv(reply)
        if request is None:
            break
        if request[-1] == stall:
            print("stalled", file=sys.stderr, flush=True)
            time.sleep(3600)
        reply = request[:-1] + [name + b":" + request[-1]]
else:
    client = MajorDomoClient(endpoint)
    client.timeout = 2000
    for body in sys.argv[4:]:
        reply = client.send(service, body.encode())
        if reply is None:
            print("no reply", flush=True)
            sys.exit(3)
        print("|".join(part.decode("utf-8", "replace") for part in reply), flush=True)
