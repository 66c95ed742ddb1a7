// The subcommands zswift knows, with the facts the flag table, help, man page and completions
// share: which socket, what it does, examples. Behaviour lives in Commands/.
import ZMQ

/// A zswift subcommand.
public enum Command: String, CaseIterable, Sendable {
    case req, rep, pub, sub, push, pull, pair, dealer, router, xpub, xsub, broker

    /// The socket type the command opens (broker opens two, by --mode).
    var socketType: SocketType {
        switch self {
        case .req: .req
        case .rep: .rep
        case .dealer: .dealer
        case .router: .router
        case .broker: .router
        case .push: .push
        case .pull: .pull
        case .pub: .pub
        case .sub: .sub
        case .pair: .pair
        case .xpub: .xpub
        case .xsub: .xsub
        }
    }

    /// One line for the command list.
    var summary: String {
        switch self {
        case .req: "send each input message as a request and print each reply (REQ)"
        case .rep: "answer requests: by --exec, --echo, --data, or from stdin (REP)"
        case .dealer: "send stdin and print replies asynchronously (DEALER)"
        case .router: "address peers by routing id: first frame out and in (ROUTER)"
        case .broker: "relay a frontend to a backend: queue, forwarder or streamer"
        case .push: "send each input message down a pipeline (PUSH)"
        case .pull: "print every message received from a pipeline (PULL)"
        case .pub: "publish each input message (PUB)"
        case .sub: "print every published message matching --subscribe prefixes (SUB)"
        case .pair: "stdin to the peer and the peer to stdout: netcat for zmq (PAIR)"
        case .xpub: "publish stdin and print subscription events as +TOPIC/-TOPIC (XPUB)"
        case .xsub: "subscribe with +TOPIC/-TOPIC lines; print what arrives (XSUB)"
        }
    }

    /// What the command does, for `zswift COMMAND --help` and the man page.
    var details: String {
        switch self {
        case .req:
            "Sends each input message (or the --data message) as a request and writes each reply to stdout. -t bounds the wait for each reply; with --retries N it then closes the socket, reopens it and resends (the Lazy Pirate pattern), up to N more times, saying so on stderr, and gives up with status 3. A reply to an abandoned attempt is never taken for the answer to a later request."
        case .rep:
            "Answers each request with the first of: --exec CMD (or a command after --), --echo, --data, or stdin. --exec runs the command once per request with the request on its stdin and takes its stdout as the reply; with stdin (coprocess mode) each request is written and flushed to stdout and the next input message is the reply, so it works with bash coproc. -n N exits after N replies, each delivered."
        case .dealer:
            "Sends stdin and prints what arrives, both at once, without REQ's lockstep. In line format input lines split into frames at TAB (or -S), so an empty first field sends the empty delimiter frame a REP peer expects. Ends like pair."
        case .router:
            "Prints each message with the sender's routing id as its first frame, and sends each input message to the peer whose routing id is its first frame. In line format the routing id is written and read as hex and frames split at TAB (or -S). A destination that is not connected is reported on stderr (ROUTER_MANDATORY), never dropped in silence; the status is then 1. Ends like pair."
        case .broker:
            "Relays messages between a frontend and a backend with libzmq's proxy (zmq_proxy_steerable): --mode queue (ROUTER frontend for REQ clients, DEALER backend for REP workers), forwarder (XSUB frontend for publishers, XPUB backend for subscribers) or streamer (PULL frontend, PUSH backend). Both sides bind unless --connect-frontend/--connect-backend. --capture prints every relayed message with its direction, never slowing the broker (what stdout cannot take in time is dropped and counted); --stats and SIGUSR1 print per-direction counts. SIGINT and SIGTERM stop it through the proxy's control socket."
        case .push:
            "Reads messages from stdin (or --data/--file) and sends each to one of the connected PULL peers, round robin. At end of input it waits until every queued message is delivered (see --linger)."
        case .pull:
            "Prints every message it receives, one per record in the output format. Ends after --count messages, when no message arrives within --timeout (status 3), or on Ctrl-C."
        case .pub:
            "Publishes each input message to every subscriber whose subscription prefixes it. A PUB drops messages while nobody is subscribed: --wait-subscribers N holds the first message until N subscribers are there."
        case .sub:
            "Prints every published message that starts with one of the --subscribe prefixes (every message when none is given). Ends like pull."
        case .pair:
            "Sends stdin to the one peer and prints what the peer sends, both at once. At end of input it keeps printing; it ends when the peer has gone after end of input, after --count received messages, when nothing arrives within --timeout (status 3), or on Ctrl-C."
        case .xpub:
            "A publisher that also shows subscriptions: input messages are published, and each subscription event is printed as +TOPIC (subscribe) or -TOPIC (unsubscribe). Ends like pair."
        case .xsub:
            "A subscriber driven by stdin: each input message +TOPIC subscribes and -TOPIC unsubscribes; every message that arrives is printed. -s subscribes from the command line. Ends like pair."
        }
    }

    /// How the command moves messages.
    enum Shape { case sender, receiver, bidirectional, requester, replier, relay }
    var shape: Shape {
        switch self {
        case .req: .requester
        case .rep: .replier
        case .dealer, .router: .bidirectional
        case .broker: .relay
        case .push, .pub: .sender
        case .pull, .sub: .receiver
        case .pair, .xpub, .xsub: .bidirectional
        }
    }

    /// Whether the command reads messages from stdin (or --data/--file).
    var readsInput: Bool { shape != .receiver && shape != .relay }
    /// Whether the command writes messages to stdout.
    var writesOutput: Bool { shape != .sender }

    /// Worked examples for help and the man page: (command line, what it does).
    var examples: [(String, String)] {
        switch self {
        case .req: [("echo hello | zswift req localhost:5555", "one request, one reply"),
                    ("zswift req -c :5555 -d ping -t 2s --retries 3", "give up after 4 attempts of 2 s each (status 3)")]
        case .rep: [("zswift rep :5555 --echo", "an echo server"),
                    ("zswift rep :5555 --exec 'tr a-z A-Z'", "a service: each request through a command"),
                    ("coproc zswift rep :5555", "answer from the shell: read each request from ${COPROC[0]}, write its reply to ${COPROC[1]}")]
        case .dealer: [("printf '\\tping\\n' | zswift dealer localhost:5555 -n 1", "an asynchronous request to a REP (empty delimiter frame first)")]
        case .router: [("zswift router :5555", "print id<TAB>message for every peer's message"),
                       ("mkfifo f; zswift router :5555 -f json <f | jq -c --unbuffered . >f", "answer REQ clients through jq (here an echo; change the filter to transform)")]
        case .broker: [("zswift broker --frontend :5559 --backend :5560", "REQ clients on 5559, REP workers on 5560"),
                       ("zswift broker --mode forwarder :5559 :5560 --capture --out quoted", "XSUB/XPUB forwarder printing every message")]
        case .push: [("seq 100 | zswift push -c :5557", "send 100 messages to a PULL bound on port 5557"),
                     ("zswift push :5557 --data hello -n 5 -i 1s", "bind and send hello five times, once a second")]
        case .pull: [("zswift pull :5557 -n 100 > out.txt", "bind, receive 100 messages, exit"),
                     ("zswift pull -b 'tcp://127.0.0.1:*' -v", "bind a free port and report it on stderr")]
        case .pub: [("tail -f log | zswift pub :5556", "publish every new log line"),
                    ("seq 10 | zswift pub :5556 --wait-subscribers 1", "wait for a subscriber before the first message")]
        case .sub: [("zswift sub localhost:5556 -s 10001", "print updates whose text starts with 10001"),
                    ("zswift sub :5556 -n 1 -t 5s", "connect to port 5556 locally, print one message, give up after 5 s")]
        case .pair: [("zswift pair :5555", "bind and chat with the peer that connects"),
                     ("zswift pair localhost:5555 < /dev/null", "print what the peer sends until it leaves")]
        case .xpub: [("zswift xpub :5556", "publish stdin and watch subscribers come and go")]
        case .xsub: [("printf '+weather\\n' | zswift xsub localhost:5556", "subscribe to weather and print it")]
        }
    }
}
