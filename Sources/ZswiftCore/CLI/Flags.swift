// The flag table: the one place a flag is defined. The parser, `-h`, `--help`, the man page and
// every shell completion are generated from it. Each definition starts with a marker line.
import ZMQ

extension Flag {
    static let all: [Flag] = core + security + bench

    /// Every flag but the security ones (Flags+Security.swift), in table order.
    private static let core: [Flag] = [
        /// -b/--bind
        Flag("bind", short: "b", value: "ENDPOINT", .endpoints, for: .sockets,
             summary: "bind the socket to ENDPOINT (repeatable)",
             doc: "Binds the socket to ENDPOINT. :PORT means tcp://*:PORT and HOST:PORT means tcp://HOST:PORT; every libzmq transport (tcp, ipc, inproc, ws, pgm, ...) passes through. A port of * picks a free port: -v reports it.",
             completion: .endpoint, repeatable: true) { raw, v throws(UsageError) in raw.binds.append(v.text) },
        /// -c/--connect
        Flag("connect", short: "c", value: "ENDPOINT", .endpoints, for: .sockets,
             summary: "connect the socket to ENDPOINT (repeatable)",
             doc: "Connects the socket to ENDPOINT. :PORT means tcp://127.0.0.1:PORT and HOST:PORT means tcp://HOST:PORT. The host must resolve; libzmq retries the connection in the background until a peer is there.",
             completion: .endpoint, repeatable: true) { raw, v throws(UsageError) in raw.connects.append(v.text) },
        /// --legacy-zmtp
        Flag("legacy-zmtp", .endpoints, for: .networked,
             summary: "let bound sockets accept ZMTP 1.0/2.0 peers",
             doc: "A socket that binds refuses peers that speak ZMTP 1.0 or 2.0 (libzmq 2.x/3.x-era programs, JeroMQ 0.3) so that junk bytes and unauthenticated old-protocol frames never become messages; -v says when it refused one. This flag accepts them.") { raw, _ throws(UsageError) in raw.legacyZMTP = true },

        /// -f/--format
        Flag("format", short: "f", value: "FORMAT", .input, for: .networked,
             summary: "message format of stdin and stdout (default line)",
             doc: "Sets the format of both directions. line: one message per line. raw: all of stdin is one message, output bytes as they are. quoted, hex, base64: one message per line, frames separated by a space. json: JSON Lines, each message an array of frames (a string, or {\"base64\": ...} for bytes that are not UTF-8). zmtp: binary ZMTP/3 framing. Every format but line and raw keeps any bytes and any number of frames.",
             choices: Format.allCases.map(\.rawValue)) { raw, v throws(UsageError) in raw.format = try Flag.format(v.text, flag: "format") },
        /// --format (probe)
        Flag("format", short: "f", value: "FORMAT", .output, for: CommandSet(.probe),
             summary: "text (default): a block per endpoint; json: an object per line",
             doc: "probe's report: text, a block per endpoint for people, or json, one JSON object per endpoint per line with the keys endpoint, kind, zmtp, mechanism, as_server, socket_type, identity (hex), metadata, connect_ms, handshake_ms and, with --curve-server-key, key_accepted (null where unknown).",
             choices: ProbeFormat.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let format = ProbeFormat(rawValue: v.text.lowercased()) else {
                throw UsageError("--format: probe reports as text or json, not '\(v.text)'", hint: "--format json")
            }
            raw.probeFormat = format
        },
        /// --in
        Flag("in", value: "FORMAT", .input, for: .senders,
             summary: "format of stdin (overrides --format)",
             doc: "Sets the format of stdin only; --data values are decoded in it too.",
             choices: Format.allCases.map(\.rawValue)) { raw, v throws(UsageError) in raw.inFormat = try Flag.format(v.text, flag: "in") },
        /// -0/--null
        Flag("null", short: "0", .input, for: .networked,
             summary: "records end with NUL instead of newline",
             doc: "In line format, input records are split at NUL bytes and output records end with one (for find -print0 and xargs -0).") { raw, _ throws(UsageError) in raw.nulDelimited = true },
        /// -S/--separator
        Flag("separator", short: "S", value: "SEP", .input, for: .networked,
             summary: "split input lines into frames at SEP; join output frames with SEP",
             doc: "In line format, splits each input line into frames at SEP and joins the frames of each output message with SEP. Without it, an input line is one frame and output frames are joined by a TAB. SEP is taken literally except for the escapes \\t (TAB), \\xHH (any byte) and \\\\ (a backslash), as awk -F takes them.") { raw, v throws(UsageError) in
            raw.separator = try Values.separator(v.bytes)
        },
        /// -d/--data
        Flag("data", short: "d", value: "TEXT", .input, for: CommandSet.senders.union(CommandSet(.bench)),
             summary: "send TEXT instead of reading stdin (repeatable: one frame each)",
             doc: "Sends a message made of the given frames instead of reading stdin, once, or --count times, every --interval. Each value is one frame, taken literally in line, raw and zmtp format and decoded in the --in format otherwise (--in hex -d 00ff sends two bytes; --in quoted -d 'a\\tb' a TAB). bench req, push and pub send it, taken literally, instead of --size zero bytes.",
             repeatable: true) { raw, v throws(UsageError) in raw.data.append(v.bytes) },
        /// --file
        Flag("file", value: "PATH", .input, for: .senders,
             summary: "send the bytes of PATH as one message instead of reading stdin",
             doc: "Sends the whole content of PATH as one single-frame message, once, or --count times, every --interval.",
             completion: .file) { raw, v throws(UsageError) in raw.file = v.text },

        /// --out
        Flag("out", value: "FORMAT", .output, for: .receivers,
             summary: "format of stdout (overrides --format)",
             doc: "Sets the format of stdout only (for broker: of --capture).",
             choices: Format.allCases.map(\.rawValue)) { raw, v throws(UsageError) in raw.outFormat = try Flag.format(v.text, flag: "out") },

        /// -n/--count
        Flag("count", short: "n", value: "N", .messages, for: .sockets,
             summary: "stop after N messages sent or received",
             doc: "A sender stops after sending N messages (with --data: sends it N times). A receiver exits after printing N messages, and with --timeout exits 3 if fewer arrive. req stops after N requests answered, rep after N replies delivered; pair, dealer, router, xpub and xsub count received messages.") { raw, v throws(UsageError) in raw.count = try Values.count(v.text, flag: "count", minimum: 1) },
        /// -i/--interval
        Flag("interval", short: "i", value: "DURATION", .messages, for: CommandSet.senders.removing(.rep, .worker),
             summary: "repeat --data/--file every DURATION",
             doc: "Sends the --data or --file message every DURATION, for ever or --count times.") { raw, v throws(UsageError) in raw.interval = try Interval.parse(v.text, flag: "interval") },
        /// --delay
        Flag("delay", value: "DURATION", .messages, for: CommandSet.senders.removing(.rep, .worker),
             summary: "wait DURATION before the first send",
             doc: "Waits DURATION after the endpoints are set up (and after --wait-peers/--wait-subscribers) before sending the first message.") { raw, v throws(UsageError) in raw.delay = try Interval.parse(v.text, flag: "delay") },

        /// -t/--timeout
        Flag("timeout", short: "t", value: "DURATION", .delivery, for: CommandSet.sockets.union(CommandSet(.probe, .bench)),
             summary: "exit 3 when nothing arrives within DURATION",
             doc: "A receiver exits with status 3 when no message arrives within DURATION of the start or of the previous message; req waits DURATION for each reply (see --retries). It also bounds --wait-peers and --wait-subscribers, a send that peers do not take, and (unless --linger is given) the wait for delivery at end of input. A receiver's or req's timeout says what it saw: nothing listening (and how often the connect was retried), connections that completed no ZMTP handshake (zswift probe says what is there), or peers that sent or answered nothing. probe: bounds the description of each endpoint, connection and handshake together (default 2s). bench: thr and lat wait this long for the other end and for each message (by default for ever, as libzmq's perf programs); req waits this long for each reply and counts a timeout, push and pub this long for a subscriber or a send the service does not take (default 5s).") { raw, v throws(UsageError) in raw.timeout = try Interval.parse(v.text, flag: "timeout") },
        /// --linger
        Flag("linger", value: "DURATION", .delivery, for: .delivering,
             summary: "bound the wait for delivery at end of input (default: --timeout)",
             doc: "At end of input a sender waits until every queued message has been handed to a peer and its kernel buffers are empty, saying on stderr what it waits for after a second. --linger bounds that wait (without it, --timeout does; without either, it lasts until delivery or Ctrl-C): when it runs out with messages undelivered, the status is 3. --linger 0 drops what is queued at once.") { raw, v throws(UsageError) in raw.linger = try Interval.parse(v.text, flag: "linger") },
        /// -q/--quit-after
        Flag("quit-after", short: "q", value: "DURATION", .delivery, for: CommandSet(.pair, .dealer, .router, .xpub, .xsub),
             summary: "after end of input, exit once nothing arrived for DURATION",
             doc: "Once stdin has ended (or the --data/--file message was sent) and the socket has taken every message, exits 0 when nothing has arrived for DURATION, like nc -q: two peers that both reach the end of their input both end. 0 ends as soon as the input is sent. What was sent is still delivered first (see --linger). With --count, fewer messages than N is status 3.") { raw, v throws(UsageError) in raw.quitAfter = try Interval.parse(v.text, flag: "quit-after") },
        /// --wait-peers
        Flag("wait-peers", value: "N", .delivery, for: CommandSet(.push, .pair, .xsub, .req, .dealer, .router),
             summary: "hold the first send until N peers are connected",
             doc: "Holds the first message until N peers have completed the ZMTP handshake, bounded by --timeout (status 3 when it runs out).") { raw, v throws(UsageError) in raw.waitPeers = try Values.count(v.text, flag: "wait-peers", minimum: 1) },
        /// --wait-subscribers
        Flag("wait-subscribers", value: "N", .delivery, for: CommandSet(.pub, .xpub),
             summary: "hold the first message until N subscribers are there",
             doc: "Holds the first message until N subscribers have connected and subscribed, so nothing is dropped for want of a subscriber (a PUB drops by design). A subscriber is a connection that completed its handshake and subscribed; behind a forwarder every subscriber is the one broker connection. Bounded by --timeout (status 3 when it runs out).") { raw, v throws(UsageError) in raw.waitSubscribers = try Values.count(v.text, flag: "wait-subscribers", minimum: 1) },

        /// --retries
        Flag("retries", value: "N", .delivery, for: CommandSet(.req),
             summary: "resend an unanswered request up to N times (needs --timeout)",
             doc: "When no reply arrives within --timeout, closes the socket, reopens it, reconnects and resends the request (the Lazy Pirate pattern), up to N times, saying so on stderr. --retries 2 means up to 3 attempts; after the last one req exits 3 naming the endpoint. Connected to several servers, req sends only to those whose connection is complete (--immediate), and each reopen connects to them starting with the next one, so a dead server is passed over.") { raw, v throws(UsageError) in raw.retries = try Values.count(v.text, flag: "retries") },

        /// --echo
        Flag("echo", .replies, for: CommandSet(.rep, .worker),
             summary: "answer each request with itself",
             doc: "Answers each request with the request itself, every frame.") { raw, _ throws(UsageError) in raw.echo = true },
        /// --exec
        Flag("exec", value: "CMD", .replies, for: CommandSet(.rep, .worker),
             summary: "answer each request with the output of /bin/sh -c CMD",
             doc: "Runs /bin/sh -c CMD for each request (or the command given after --, without a shell) with the request on its stdin, written in the --out format, and answers with its stdout, read in the --in format (line: the whole output as one frame, one trailing newline removed; -S splits it into frames). The environment carries ZSWIFT_SEQ (1, 2, ...), ZSWIFT_FRAMES, ZSWIFT_PEER_ADDRESS, when the peer set one ZSWIFT_ROUTING_ID (in hex, as router shows routing ids), and for a client a CURVE or PLAIN server let in, ZSWIFT_USER_ID (its public key in Z85, or its user name). For worker, ZSWIFT_ROUTING_ID is the client's routing id at the broker (the client's --identity, or the one libzmq made up) and ZSWIFT_PEER_ADDRESS the broker's address. A command that exits non-zero is reported on stderr and its output is still the answer; one that is killed, outlives --exec-timeout or writes output that is not valid in the --in format is reported and answered with an empty message, so the client's REQ never wedges. When any command failed, rep ends with status 1.") { raw, v throws(UsageError) in raw.exec = v.text },
        /// --exec-timeout
        Flag("exec-timeout", value: "DURATION", .replies, for: CommandSet(.rep, .worker),
             summary: "kill a command that runs longer than DURATION",
             doc: "Kills an --exec command still running after DURATION (its process group, SIGTERM then SIGKILL), reports it and answers with an empty message. DURATION is more than 0: without --exec-timeout a command runs as long as it takes.") { raw, v throws(UsageError) in
            let timeout = try Interval.parse(v.text, flag: "exec-timeout")
            guard timeout.milliseconds != 0 else {
                throw UsageError("--exec-timeout \(v.text) would kill every command before it could answer", hint: "leave --exec-timeout out for no limit")
            }
            raw.execTimeout = timeout
        },

        /// --frontend
        Flag("frontend", value: "ENDPOINT", .broker, for: CommandSet(.broker),
             summary: "where clients, publishers or producers come (repeatable)",
             doc: "The frontend endpoint; it binds, whatever its host, unless --connect-frontend. Repeatable. Two positional endpoints are the frontend and the backend.",
             completion: .endpoint, repeatable: true) { raw, v throws(UsageError) in raw.frontends.append(v.text) },
        /// --backend
        Flag("backend", value: "ENDPOINT", .broker, for: CommandSet(.broker),
             summary: "where workers, subscribers or consumers come (repeatable)",
             doc: "The backend endpoint; it binds, whatever its host, unless --connect-backend. Repeatable.",
             completion: .endpoint, repeatable: true) { raw, v throws(UsageError) in raw.backends.append(v.text) },
        /// --connect-frontend
        Flag("connect-frontend", .broker, for: CommandSet(.broker),
             summary: "connect the frontend instead of binding it",
             doc: "Makes the frontend connect to its endpoints instead of binding them (to chain brokers, or reach a server that binds).") { raw, _ throws(UsageError) in raw.connectFrontend = true },
        /// --connect-backend
        Flag("connect-backend", .broker, for: CommandSet(.broker),
             summary: "connect the backend instead of binding it",
             doc: "Makes the backend connect to its endpoints instead of binding them.") { raw, _ throws(UsageError) in raw.connectBackend = true },
        /// --mode
        Flag("mode", value: "MODE", .broker, for: CommandSet(.broker),
             summary: "queue (default), forwarder, streamer, lb or majordomo",
             doc: "queue: ROUTER frontend and DEALER backend, dealing REQ clients' requests round robin over REP workers. forwarder: XSUB frontend and XPUB backend, passing subscriptions up and messages down. streamer: PULL frontend and PUSH backend. lb: ROUTER frontend and ROUTER backend, each request to the least recently used idle worker (zswift worker, or the zguide's ppworker and lbworker), requests queued while all are busy (at most 10,000 or 64 MiB, each for at most 10s; past either the request is dropped for the client's retry), silent workers dropped (the zguide's Paranoid Pirate queue). majordomo: the same sockets speaking MDP/0.1 (rfc.zeromq.org spec 7): requests routed by service name to workers that registered it (zswift worker --service, zswift req --service), mmi.service answered.",
             choices: BrokerMode.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let mode = BrokerMode(rawValue: v.text) else {
                let near = NearMiss.suggestion(for: v.text, among: BrokerMode.allCases.map(\.rawValue))
                throw UsageError("--mode: unknown mode '\(v.text)'", hint: near.map { "did you mean \($0)?" } ?? "modes: " + BrokerMode.allCases.map(\.rawValue).joined(separator: ", "))
            }
            raw.mode = mode
        },
        /// --service
        Flag("service", value: "NAME", .replies, for: CommandSet(.worker, .req, .bench),
             summary: "a Majordomo service: worker registers NAME, req asks for it",
             doc: "Speaks Majordomo (MDP/0.1, rfc.zeromq.org spec 7) to a broker --mode majordomo: worker registers as a worker for service NAME; req sends each request to service NAME and prints the reply's body (still with --timeout and --retries). The service mmi.service answers 200 when the service named in the request has workers, 404 when not. bench req --service NAME loads a Majordomo service the same way.") { raw, v throws(UsageError) in
            guard !v.text.isEmpty, v.text.utf8.count <= 255 else {
                throw UsageError("--service: a service name is 1 to 255 bytes", hint: "for example --service echo")
            }
            if raw.command == .worker, v.text.hasPrefix("mmi.") {
                throw UsageError("--service \(v.text): mmi. services are the broker's own; a worker cannot register one",
                                 hint: "pick another name; clients ask mmi.service about yours")
            }
            raw.service = v.text
        },
        /// --capture
        Flag("capture", .broker, for: CommandSet(.broker),
             summary: "print every relayed message, marked with its direction",
             doc: "Writes every message the broker relays to stdout in the --out format, with a first frame saying its direction: > from frontend to backend, < from backend to frontend. libzmq's proxy does not say which way a message went, so the direction is read from the mode: streamer is one way; in forwarder subscriptions go up; in queue each client's messages alternate request and reply (exact for REQ clients, not for a DEALER client with several requests in flight, nor after a drop). The capture never slows the broker: the proxy's copies pass through a queue that drops instead of blocking (1000 messages at each end), and stdout is written without waiting, with at most 1 MiB (and 100,000 messages) waiting for it. When the reader of stdout is slower than the traffic, or the capture cannot format messages as fast as they are relayed (a flood), whole messages are dropped and counted: --stats and SIGUSR1 lines end with 'capture: N messages dropped' ('at least N' when a flood left the exact figure for that moment unknown; the count at exit is exact), and at exit a line on stderr says how many of the relayed messages were dropped and why. Messages still waiting for stdout when a signal stops the broker count as dropped.") { raw, _ throws(UsageError) in raw.capture = true },

        /// -s/--subscribe
        Flag("subscribe", short: "s", value: "PREFIX", .socket, for: CommandSet(.sub, .xsub),
             summary: "receive messages starting with PREFIX (repeatable; default all)",
             doc: "Subscribes to messages whose first frame starts with PREFIX. Repeatable; with none, sub receives everything.",
             repeatable: true) { raw, v throws(UsageError) in raw.subscriptions.append(v.bytes) },
        /// --hwm
        Flag("hwm", value: "N", .socket, for: .networked,
             summary: "high-water mark for both directions (messages; 0: none)",
             doc: "Sets ZMQ_SNDHWM and ZMQ_RCVHWM: how many messages may queue per peer before a sender blocks (push, pair) or drops (pub). 0 means no limit. libzmq's default is 1000.",
             sets: .count(.sendHighWaterMark, .receiveHighWaterMark)),
        /// --sndhwm
        Flag("sndhwm", value: "N", .socket, for: .networked,
             summary: "send high-water mark (messages; 0: none)",
             doc: "Sets ZMQ_SNDHWM, overriding --hwm for the send direction.",
             sets: .count(.sendHighWaterMark)),
        /// --rcvhwm
        Flag("rcvhwm", value: "N", .socket, for: .networked,
             summary: "receive high-water mark (messages; 0: none)",
             doc: "Sets ZMQ_RCVHWM, overriding --hwm for the receive direction.",
             sets: .count(.receiveHighWaterMark)),
        /// --identity
        Flag("identity", value: "ID", .socket, for: .networked,
             summary: "routing id the socket announces to ROUTER peers",
             doc: "Sets ZMQ_ROUTING_ID: the identity a ROUTER peer sees as the first frame of this socket's messages (1 to 255 bytes, not starting with a zero byte).",
             sets: .bytes(.routingID, noun: "an identity", example: "client-1")),
        /// --conflate
        // not worker: a request is several frames, and the protocol's messages must not be dropped
        Flag("conflate", .socket, for: .applying(AnySocketOption(SocketOption.conflate)).removing(.worker),
             summary: "keep only the last message (single-frame messages only)",
             doc: "Sets ZMQ_CONFLATE: queues keep only the most recent message. Does not support multipart messages. libzmq honours it on PUB, SUB, PUSH, PULL and DEALER sockets only.",
             sets: .on(.conflate)),
        /// --immediate
        Flag("immediate", .socket, for: .networked,
             summary: "queue messages only to completed connections",
             doc: "Sets ZMQ_IMMEDIATE: messages are queued only for peers whose connection is complete, so a connecting push with no peer blocks instead of queueing.",
             sets: .on(.immediate)),
        /// --reconnect-ivl
        Flag("reconnect-ivl", value: "DURATION", .socket, for: .networked,
             summary: "wait between reconnection attempts (default 100ms)",
             doc: "Sets ZMQ_RECONNECT_IVL.",
             sets: .duration(.reconnectInterval)),
        /// --heartbeat
        Flag("heartbeat", value: "DURATION", .socket, for: .networked,
             summary: "send ZMTP heartbeats every DURATION; drop a silent peer after 3",
             doc: "Sets ZMQ_HEARTBEAT_IVL to DURATION and ZMQ_HEARTBEAT_TIMEOUT and ZMQ_HEARTBEAT_TTL to three times it: the only way a dead peer is noticed (-v reports it as disconnected). broker --mode lb and majordomo and zswift worker also tell each other they are alive every DURATION when nothing else passes (default 1s; majordomo 2.5s): a peer silent for 3 intervals is taken for gone. The broker forgets such a worker (a request it held is lost; the client's --retries asks again); the worker reconnects, waiting 1s, then 2s, 4s and so on up to 32s between attempts. Give broker and workers the same interval, at least 10ms. A Majordomo broker forgets a busy worker only if it has heartbeated while busy before (zswift worker does; the zguide's mdwrkapi does not, so it may work as long as it needs), or when its connection closes.",
             sets: .heartbeat) { raw, v throws(UsageError) in
            raw.optionFlags["heartbeat"] = try OptionFlag.heartbeat.settings(v, flag: "heartbeat")
            raw.heartbeat = try Interval.parse(v.text, flag: "heartbeat")
        },
        /// --max-msg-size
        Flag("max-msg-size", value: "BYTES", .socket, for: .networked,
             summary: "refuse messages larger than BYTES",
             doc: "Sets ZMQ_MAXMSGSIZE: a peer that sends a larger message is disconnected (libzmq's rule: that message and the next are lost and the sender is not told; -v reports the disconnection). A sender refuses to send a frame larger than BYTES: it delivers the messages before it, reports the record and exits 1. BYTES also bounds what is read for one message (an input record, a --file, the output of an --exec command; 256 MiB when not given), so input without end (--file /dev/zero) fails at the limit in bounded memory instead of growing for ever. libzmq checks handshake commands against the limit too, so a receiving socket takes at least 512.",
             sets: .size(.maxMessageSize, for: .receiving)),
        /// --ipv6
        Flag("ipv6", .socket, for: .networked,
             summary: "use IPv6 as well as IPv4 on tcp endpoints",
             doc: "Sets ZMQ_IPV6, so tcp endpoints may use IPv6 addresses and hostnames that resolve to them.",
             sets: .on(.ipv6)),
        /// -o/--sockopt
        Flag("sockopt", short: "o", value: "NAME=VALUE", .socket, for: .networked,
             summary: "set any libzmq socket option (repeatable)",
             doc: "Sets a socket option by its libzmq name, with or without ZMQ_, in any case: -o tcp_keepalive=1, -o ZMQ_SNDBUF=1048576. Numbers for integer options, 0/1 for switches, text otherwise. Applied after every other option flag. A value libzmq would refuse (-o sndhwm=-7), or an option for another socket type (-o subscribe=x on pull), is a usage error.",
             completion: .socketOption, repeatable: true) { raw, v throws(UsageError) in raw.socketOptions.append(try SocketOptionSetting.parse(v)) },

        /// -v/--verbose
        Flag("verbose", short: "v", .diagnostics, for: .networked,
             summary: "report endpoints and connection events on stderr (-vv: every message)",
             doc: "-v reports each bound endpoint as it really is (after * is resolved) and connection events: connected, disconnected, retried, refused, handshake failed with its reason. -vv adds a one-line trace of every message sent or received.",
             repeatable: true) { raw, _ throws(UsageError) in raw.verbosity += 1 },
        /// --stats
        Flag("stats", value: "DURATION", .diagnostics, for: .networked,
             summary: "print counts, bytes and rates on stderr at exit (and every DURATION)",
             doc: "At exit, prints how many messages and bytes were sent and received, and the rate. With a DURATION (--stats=5s, or --stats 5s) also every DURATION; broker prints per-direction counts (with --capture, also how many captured messages were dropped), and at once on SIGUSR1. req adds its round trips: min, mean, p99 and max (-vv says each one as its reply comes).",
             optionalValue: { (try? Interval.parse($0, flag: "stats")) != nil }) { raw, v throws(UsageError) in
            raw.stats = true
            if !v.text.isEmpty { raw.statsInterval = try Interval.parse(v.text, flag: "stats") }
        },
        /// --events
        Flag("events", value: "FORMAT", .diagnostics, for: .networked,
             summary: "write socket-monitor events to stderr as JSON Lines",
             doc: "Writes every libzmq socket-monitor event to stderr, one JSON object a line: {\"event\": \"connected\", \"value\": 12, \"endpoint\": \"tcp://...\"}. Floods are folded: per event, endpoint and connection at most one line a second is written, the last event folded meanwhile comes out when that second is over, and a line with \"repeated\": N stands for N more such events since the previous line of its kind (a reconnect loop gives a few lines a second, not dozens).",
             choices: EventsFormat.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let format = EventsFormat(rawValue: v.text) else {
                throw UsageError("--events: unknown format '\(v.text)'", hint: "the format is json")
            }
            raw.events = format
        },

        /// -h/--help
        Flag("help", short: "h", .general, for: .all,
             summary: "show help (-h: short, --help: with details)",
             doc: "-h prints a summary of the command's flags; --help adds their details.") { raw, _ throws(UsageError) in raw.help = raw.help ?? .long },
        /// -V/--version
        Flag("version", short: "V", .general, for: .all,
             summary: "print the version of zswift and libzmq",
             doc: "Prints zswift's version and the version of the libzmq it runs on.") { raw, _ throws(UsageError) in raw.version = true },
    ]

    static func format(_ text: String, flag: String) throws(UsageError) -> Format {
        if let format = Format(rawValue: text.lowercased()) { return format }
        let near = NearMiss.suggestion(for: text.lowercased(), among: Format.allCases.map(\.rawValue))
        throw UsageError("--\(flag): unknown format '\(text)'",
                         hint: near.map { "did you mean \($0)?" } ?? "formats: " + Format.allCases.map(\.rawValue).joined(separator: ", "))
    }

    /// The row of `long`: the one that applies to `command` when two share a name (--format:
    /// message formats, and probe's report), else the first.
    static func named(_ long: String, for command: Command? = nil) -> Flag? {
        let rows = all.filter { $0.long == long }
        return rows.first { command.map($0.commands.contains) ?? false } ?? rows.first
    }
    static func short(_ c: Character, for command: Command? = nil) -> Flag? {
        let rows = all.filter { $0.short == c }
        return rows.first { command.map($0.commands.contains) ?? false } ?? rows.first
    }
}
