// Every command in one value each: its docs (help, man page, completions, README), the socket it
// opens, what it always sets on it, how it moves messages, and the handler that runs it. Adding a
// command with one socket takes a case in `Command`, its spec here and its handler; a command
// with no socket (keygen) runs alone, without a scope, so no libzmq context is ever made.
import ZMQ

/// Everything zswift knows about one command.
struct CommandSpec: Sendable {
    /// How subscription prefixes (-s) reach the socket.
    enum Subscribing: Sendable { case none, byOption, byMessage }

    /// One line for the command list.
    let summary: String
    /// What the command does, for `zswift COMMAND --help` and the man page.
    let details: String
    /// Worked examples for help and the man page: (command line, what it does).
    let examples: [(String, String)]
    /// The one socket it opens; nil when its flags say which (broker: two, by --mode).
    let socket: SocketType?
    /// How it moves messages.
    let shape: Command.Shape
    /// Options it always sets on its socket, before the flags' (which may override them).
    var alwaysSets: [SocketOptionSetting] = []
    /// In line format, input splits into frames at TAB like its output (dealer and router carry envelopes).
    var framesAtTab = false
    /// How -s subscribes: ZMQ_SUBSCRIBE (sub) or a \x01PREFIX message (xsub).
    var subscribes: Subscribing = .none
    /// What follows the command name in its usage line; nil: `[OPTIONS] [ENDPOINT ...]`.
    var synopsis: String? = nil
    /// Runs the command.
    let handler: Handler

    /// How a command runs.
    enum Handler: Sendable {
        /// In a RunScope: the context, the sockets, the event loop.
        case scoped(@Sendable (RunScope) throws(Exit) -> Void)
        /// On its own, for a command that opens no socket: no context, no event loop.
        case alone(@Sendable (Invocation, StandardIO, Diagnostics) throws(Exit) -> Void)
    }

    /// Runs the command in `scope` (a command that runs alone ignores the scope's sockets).
    var run: @Sendable (RunScope) throws(Exit) -> Void {
        switch handler {
        case let .scoped(run): run
        case let .alone(run): { (scope) throws(Exit) in try run(scope.invocation, scope.io, scope.diagnostics) }
        }
    }
}

extension Command {
    /// The command's spec (built once).
    var spec: CommandSpec { CommandSpec.table[self]! }
}

extension CommandSpec {
    static let table = Dictionary(uniqueKeysWithValues: Command.allCases.map { ($0, spec(of: $0)) })

    private static func spec(of command: Command) -> CommandSpec {
        switch command {
        case .req: req
        case .rep: rep
        case .worker: worker
        case .pub: pub
        case .sub: sub
        case .push: push
        case .pull: pull
        case .pair: pair
        case .dealer: dealer
        case .router: router
        case .xpub: xpub
        case .xsub: xsub
        case .broker: broker
        case .keygen: keygen
        case .probe: probe
        case .bench: bench
        }
    }

    static let req = CommandSpec(
        summary: "send each input message as a request and print each reply (REQ)",
        details: "Sends each input message (or the --data message) as a request and writes each reply to stdout. -t bounds the wait for each reply; with --retries N it then closes the socket, reopens it and resends (the Lazy Pirate pattern), up to N more times, saying so on stderr, and gives up with status 3. A reply to an abandoned attempt is never taken for the answer to a later request.",
        examples: [("echo hello | zswift req localhost:5555", "one request, one reply"),
                    ("zswift req -c :5555 -d ping -t 2s --retries 3", "give up after 4 attempts of 2 s each (status 3)")],
        socket: .req, shape: .requester, handler: .scoped(ReqCommand.run))

    static let rep = CommandSpec(
        summary: "answer requests: by --exec, --echo, --data, or from stdin (REP)",
        details: "Answers each request with the first of: --exec CMD (or a command after --), --echo, --data, or stdin. --exec runs the command once per request with the request on its stdin and takes its stdout as the reply; with stdin (coprocess mode) each request is written and flushed to stdout and the next input message is the reply, so it works with bash coproc. -n N exits after N replies, each delivered.",
        examples: [("zswift rep :5555 --echo", "an echo server"),
                    ("zswift rep :5555 --exec 'tr a-z A-Z'", "a service: each request through a command"),
                    ("coproc zswift rep :5555", "answer from the shell: read each request from ${COPROC[0]}, write its reply to ${COPROC[1]}")],
        socket: .rep, shape: .replier, handler: .scoped(RepCommand.run))

    static let pub = CommandSpec(
        summary: "publish each input message (PUB)",
        details: "Publishes each input message to every subscriber whose subscription prefixes it. A PUB drops messages while nobody is subscribed: --wait-subscribers N holds the first message until N subscribers are there.",
        examples: [("tail -f log | zswift pub :5556", "publish every new log line"),
                    ("seq 10 | zswift pub :5556 --wait-subscribers 1", "wait for a subscriber before the first message")],
        socket: .pub, shape: .sender, handler: .scoped(SendCommand.run))

    static let sub = CommandSpec(
        summary: "print every published message matching --subscribe prefixes (SUB)",
        details: "Prints every published message that starts with one of the --subscribe prefixes (every message when none is given). Ends like pull.",
        examples: [("zswift sub localhost:5556 -s 10001", "print updates whose text starts with 10001"),
                    ("zswift sub :5556 -n 1 -t 5s", "connect to port 5556 locally, print one message, give up after 5 s")],
        socket: .sub, shape: .receiver, subscribes: .byOption, handler: .scoped(ReceiveCommand.run))

    static let push = CommandSpec(
        summary: "send each input message down a pipeline (PUSH)",
        details: "Reads messages from stdin (or --data/--file) and sends each to one of the connected PULL peers, round robin. At end of input it waits until every queued message is delivered (see --linger).",
        examples: [("seq 100 | zswift push -c :5557", "send 100 messages to a PULL bound on port 5557"),
                     ("zswift push :5557 --data hello -n 5 -i 1s", "bind and send hello five times, once a second")],
        socket: .push, shape: .sender, handler: .scoped(SendCommand.run))

    static let pull = CommandSpec(
        summary: "print every message received from a pipeline (PULL)",
        details: "Prints every message it receives, one per record in the output format. Ends after --count messages, when no message arrives within --timeout (status 3), or on Ctrl-C.",
        examples: [("zswift pull :5557 -n 100 > out.txt", "bind, receive 100 messages, exit"),
                     ("zswift pull -b 'tcp://127.0.0.1:*' -v", "bind a free port and report it on stderr")],
        socket: .pull, shape: .receiver, handler: .scoped(ReceiveCommand.run))

    static let pair = CommandSpec(
        summary: "stdin to the peer and the peer to stdout: netcat for zmq (PAIR)",
        details: "Sends stdin to the one peer and prints what the peer sends, both at once. At end of input it keeps printing; it ends when the peer has gone after end of input, after --count received messages, when nothing arrives within --timeout (status 3), or on Ctrl-C.",
        examples: [("zswift pair :5555", "bind and chat with the peer that connects"),
                     ("zswift pair localhost:5555 < /dev/null", "print what the peer sends until it leaves")],
        socket: .pair, shape: .bidirectional, handler: .scoped(DuplexCommand.run))

    static let dealer = CommandSpec(
        summary: "send stdin and print replies asynchronously (DEALER)",
        details: "Sends stdin and prints what arrives, both at once, without REQ's lockstep. In line format input lines split into frames at TAB (or -S), so an empty first field sends the empty delimiter frame a REP peer expects. Ends like pair.",
        examples: [("printf '\\tping\\n' | zswift dealer localhost:5555 -n 1", "an asynchronous request to a REP (empty delimiter frame first)")],
        socket: .dealer, shape: .bidirectional, framesAtTab: true, handler: .scoped(DuplexCommand.run))

    static let router = CommandSpec(
        summary: "address peers by routing id: first frame out and in (ROUTER)",
        details: "Prints each message with the sender's routing id as its first frame, and sends each input message to the peer whose routing id is its first frame. In line format the routing id is written and read as hex and frames split at TAB (or -S). A destination that is not connected is reported on stderr (ROUTER_MANDATORY), never dropped in silence; the status is then 1. Ends like pair.",
        examples: [("zswift router :5555", "print id<TAB>message for every peer's message"),
                       ("mkfifo f; zswift router :5555 -f json <f | jq -c --unbuffered . >f", "answer REQ clients through jq (here an echo; change the filter to transform)")],
        socket: .router, shape: .bidirectional, alwaysSets: [.zswift(.routerMandatory, true)], framesAtTab: true, handler: .scoped(DuplexCommand.run))

    static let xpub = CommandSpec(
        summary: "publish stdin and print subscription events as +TOPIC/-TOPIC (XPUB)",
        details: "A publisher that also shows subscriptions: input messages are published, and each subscription event is printed as +TOPIC (subscribe) or -TOPIC (unsubscribe). Ends like pair.",
        examples: [("zswift xpub :5556", "publish stdin and watch subscribers come and go")],
        socket: .xpub, shape: .bidirectional, handler: .scoped(DuplexCommand.run))

    static let xsub = CommandSpec(
        summary: "subscribe with +TOPIC/-TOPIC lines; print what arrives (XSUB)",
        details: "A subscriber driven by stdin: each input message +TOPIC subscribes and -TOPIC unsubscribes; every message that arrives is printed. -s subscribes from the command line. Ends like pair.",
        examples: [("printf '+weather\\n' | zswift xsub localhost:5556", "subscribe to weather and print it")],
        socket: .xsub, shape: .bidirectional, subscribes: .byMessage, handler: .scoped(DuplexCommand.run))

    static let broker = CommandSpec(
        summary: "relay a frontend to a backend, or balance requests over workers",
        details: "Relays messages between a frontend and a backend with libzmq's proxy (zmq_proxy_steerable): --mode queue (ROUTER frontend for REQ clients, DEALER backend for REP workers), forwarder (XSUB frontend for publishers, XPUB backend for subscribers) or streamer (PULL frontend, PUSH backend). Both sides bind unless --connect-frontend/--connect-backend. --capture prints every relayed message with its direction, never slowing the broker (what stdout cannot take in time is dropped and counted); --stats and SIGUSR1 print per-direction counts. SIGINT and SIGTERM stop it through the proxy's control socket. --mode lb and majordomo run a loop of their own instead (ROUTER frontend and backend): each request goes to the least recently used idle worker, and waits while every worker is busy, at most 10,000 requests or 64 MiB (a request past that, or one that has waited 10s, is dropped, and the client's --retries asks again); idle workers get a heartbeat every --heartbeat (default 1s, majordomo 2.5s) and a worker silent for three is forgotten; a reply whose client has gone is dropped. --stats adds per-worker requests and busy time, and workers lost; -v reports workers joining and leaving.",
        examples: [("zswift broker --frontend :5559 --backend :5560", "REQ clients on 5559, REP workers on 5560"),
                       ("zswift broker --mode forwarder :5559 :5560 --capture --out quoted", "XSUB/XPUB forwarder printing every message"),
                       ("zswift broker --mode lb --frontend :5559 --backend :5560", "each request to an idle worker (zswift worker, zguide ppworker)")],
        socket: nil, shape: .relay, handler: .scoped(BrokerCommand.run))

    static let worker = CommandSpec(
        summary: "answer a load-balancing broker's requests like rep, heartbeating",
        details: "Connects a DEALER to the backend of a broker --mode lb, announces itself ready, and answers each request like rep: --exec CMD (same environment variables), --echo, --data, or stdin as a coprocess. It takes one request at a time, so the broker's idea of an idle worker is true. It heartbeats the broker every --heartbeat, also while it answers (a slow --exec is not taken for a dead worker), and, when the broker falls silent for three of them, reconnects with a growing back-off (1s doubling to 32s), saying so under -v. With --service NAME it is a Majordomo worker (MDP/0.1) for a broker --mode majordomo instead.",
        examples: [("zswift worker -c localhost:5560 --exec 'tr a-z A-Z'", "a worker behind zswift broker --mode lb --backend :5560"),
                   ("zswift worker -c localhost:5560 --service echo --echo", "a Majordomo worker for the service echo")],
        socket: .dealer, shape: .replier, handler: .scoped(WorkerCommand.run))

    static let keygen = CommandSpec(
        summary: "print a new CURVE key pair, or write it as certificate files",
        details: "Prints a new CURVE key pair in Z85 on two lines, the public key first: public-key: KEY, then secret-key: KEY. With --cert NAME it writes the pair instead, as certificates in the czmq format that pyzmq's zmq.auth reads and writes: NAME holds the public key, to give to peers, and NAME_secret both keys, created with mode 0600; it prints the public key and the two paths (public-key:, public-certificate:, secret-certificate:), never the secret key, and never overwrites a file. Both certificates carry metadata: created-by, created-at (UTC) and each --meta KEY=VALUE. keygen opens no socket.",
        examples: [("zswift keygen", "print a new key pair"),
                   ("zswift keygen --cert server.key --meta name=server", "write server.key and server.key_secret, the names pyzmq's zmq.auth.load_certificates looks for")],
        socket: nil, shape: .offline, handler: .alone(KeygenCommand.run))

    static let probe = CommandSpec(
        summary: "describe what listens at each endpoint, without sending a message",
        details: "Connects to each ENDPOINT (tcp, with host names and IPv6, or ipc) and speaks just enough ZMTP to describe the peer: the time to connect and to complete the greeting, the ZMTP version (3.1, 3.0, 2.0, 1.0), the security mechanism and whether the peer is the security server, and for NULL peers every property of its READY command (Socket-Type, Identity, ...) with the zswift command that talks to it. A peer that is not ZMTP is named for what it looks like: an HTTP, TLS or SSH server, a text protocol, or an open port that says nothing within -t. No message is ever sent: after the peer's READY the connection is closed without answering it, so the peer attaches nothing. --curve-server-key checks with libzmq whether a CURVE server accepts that key. --format json prints one object per endpoint. It ends with status 0 when every endpoint is a ZMTP peer (and the key is accepted), 1 when something else answered, 3 when nothing answered or the port is closed, 4 when the key was refused; the highest of them.",
        examples: [("zswift probe localhost:5555", "what listens on port 5555?"),
                   ("zswift probe tcp://[::1]:5555 ipc:///tmp/feed --format json", "two endpoints, one JSON object each"),
                   ("zswift probe host:5555 --curve-server-key @server.key", "does this CURVE server accept that key?")],
        socket: nil, shape: .inspector, handler: .alone(ProbeCommand.run))

    static let bench = CommandSpec(
        summary: "measure throughput and latency, or load a running service",
        details: "bench thr sends --count messages of --size bytes from a PUSH to a PULL and prints messages/s and MB/s (1 MB = 1,000,000 bytes), timed like libzmq's local_thr: from the first message received to the last. bench lat sends --count requests from a REQ to a REP that echoes them and times each round trip with the monotonic clock: p50, p90, p99, p99.9, max and mean, in microseconds. Without -b or -c both ends run in this process, on two threads, over --transport. With -b or -c it runs one end of a split run against another zswift bench or libzmq's perf programs: thr -b receives and reports (as local_thr), thr -c sends (as remote_thr); lat -b echoes (as local_lat), lat -c measures and reports (as remote_lat, which prints half the mean round trip as its latency). Both ends must be given the same --size and --count. bench req, push and pub load a running service at -c ENDPOINT (a REP or ROUTER, a PULL, a SUB; pub waits up to -t for a subscriber): --clients N connections driven from one thread, as fast as each can or at --rate N/s all together, each client on a schedule of its own, for --duration or -n messages (10s when neither is given). req times each request from when it was meant to go, so a service that stalls shows in the latency (the coordinated-omission correction), counts a request with no reply within -t (default 5s) as a timeout, and ends with status 3 saying what it saw when there were any. On a terminal a progress line shows the run; SIGINT prints the summary of what ran so far (status 130), as it does for thr and lat, and a thr or lat run whose -t runs out prints what it measured and ends with 3. --format json prints the summary as one JSON object: messages, bytes, seconds, msgs_per_s, mb_per_s, for lat and req latency_us {p50, p90, p99, p999, max, mean}, and for load runs endpoint, clients, rate, planned, sent, unsent, errors, timeouts, interrupted and (push, pub) send_lag_us.",
        examples: [("zswift bench thr", "a million 100-byte messages over tcp loopback"),
                   ("zswift bench lat --size 1k --transport ipc", "round-trip percentiles over ipc"),
                   ("zswift bench thr -b tcp://*:5555 --size 64k --count 20000", "the receiving end of a split run; the other end: zswift bench thr -c host:5555 --size 64k --count 20000"),
                   ("zswift bench req -c localhost:5555 --rate 1000/s --duration 30s --clients 10", "1000 requests a second from 10 clients for 30 s, latency from the intended send time"),
                   ("zswift bench push -c localhost:5557 -n 1000000 --size 1k", "a million 1 KiB messages into a PULL, as fast as it takes them")],
        socket: nil, shape: .meter, synopsis: "thr|lat|req|push|pub [OPTIONS]", handler: .alone(BenchCommand.run))
}
