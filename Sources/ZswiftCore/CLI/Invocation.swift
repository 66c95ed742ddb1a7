// Step two of the command line: RawArguments become an Invocation, and every rule that relates
// flags to each other lives here, so the commands can trust what they are given.
import ZMQ

/// How messages are framed in one direction.
struct Framing: Equatable, Sendable {
    var format: Format
    /// The record delimiter of line format: newline, or NUL with -0.
    var delimiter: UInt8
    var separator: [UInt8]?
}

/// Where a sender's messages come from.
enum Source: Equatable, Sendable {
    case stdin
    /// A fixed message (--data, one frame each), sent once, --count times or every --interval.
    case frames([[UInt8]])
    /// The bytes of a file as one message.
    case file(String)
}

/// How rep answers.
enum ReplySource: Equatable, Sendable {
    /// Runs a command per request: /bin/sh -c TEXT, or an argv given after --.
    case exec(shell: String?, argv: [String]?)
    case echo
    /// A fixed answer (--data frames or --file).
    case fixed
    /// Coprocess mode: requests to stdout, replies from stdin.
    case stdin
}

/// The broker's two sides.
struct BrokerSettings: Sendable {
    var mode: BrokerMode
    var frontends: [Endpoint]
    var backends: [Endpoint]
    var capture: Bool
    /// --heartbeat (lb and majordomo).
    var heartbeat: Interval?
}

/// A checked command line, ready to run.
struct Invocation: Sendable {
    var command: Command
    var endpoints: [Endpoint]
    var input: Framing
    var output: Framing
    var source: Source
    var count: Int?
    var interval: Interval?
    var delay: Interval?
    var timeout: Interval?
    /// The bound on the wait for delivery at end of input: --linger, else --timeout, else none.
    var linger: Interval
    /// Whether `linger` is --timeout's (no --linger given): then it bounds a wait for progress.
    var lingerIsTimeout: Bool
    /// The flag that set `linger`, for messages ("--linger 2s ran out ...").
    var lingerSource: String { lingerIsTimeout ? "--timeout" : "--linger" }
    var waitPeers: Int?
    var waitSubscribers: Int?
    /// -q: after end of input, how long a bidirectional command waits for more to arrive.
    var quitAfter: Interval?
    var socket: SocketSettings
    var legacyZMTP: Bool
    var verbosity: Int
    var stats: Bool
    var statsInterval: Interval?
    var events: EventsFormat?
    var retries: Int?
    var reply: ReplySource?
    /// --service: the Majordomo service req asks for, or a worker registers (nil: a Paranoid
    /// Pirate worker).
    var service: String?
    var execTimeout: Interval?
    /// --heartbeat as the worker's application heartbeat (the broker's is `broker.heartbeat`);
    /// nil: the protocol's default.
    var workerHeartbeat: Interval?
    var broker: BrokerSettings?
    /// keygen's settings (nil for the other commands).
    var keygen: KeygenSettings?
    /// probe's settings (nil for the other commands).
    var probe: ProbeSettings?
    /// bench's settings (nil for the other commands).
    var bench: BenchSettings?
    /// The security flags': mechanism, keys, what the ZAP handler checks.
    var security = SecuritySettings()

    /// Every endpoint of the run: the one socket's, or both broker sides'.
    var allEndpoints: [Endpoint] { endpoints + (broker.map { $0.frontends + $0.backends } ?? []) }

    /// The least --max-msg-size a receiving socket may have: a handshake READY command carries the
    /// socket type and an identity of up to 255 bytes, and libzmq checks it against the limit too.
    static let smallestReceiveLimit: Int64 = 512

    /// The largest message read from stdin or --file when --max-msg-size does not say: reading
    /// stops there, so `--file /dev/zero` fails in bounded memory instead of growing for ever.
    static let defaultInputLimit: Int64 = 256 << 20

    /// The largest message a sender reads (--max-msg-size, else the default).
    var inputLimit: Int64 { socket.maxMessageSize ?? Invocation.defaultInputLimit }

    /// The most bytes read for one message of the input limit in `format`, plus `slack` (a
    /// delimiter, a frame header), saturating rather than overflowing.
    func inputBytes(in format: Format, slack: Int = 64) -> Int {
        let (product, overflow) = inputLimit.multipliedReportingOverflow(by: Int64(format.encodedBytesPerByte))
        let bytes = overflow ? Int.max : Int(clamping: product)
        return bytes > Int.max - slack ? Int.max : bytes + slack
    }

    /// The limit as errors name it.
    var inputLimitName: String {
        socket.maxMessageSize.map { "--max-msg-size \($0)" } ?? "the 256 MiB input limit (--max-msg-size sets another)"
    }

    init(_ raw: RawArguments) throws(UsageError) {
        guard let command = raw.command else { throw UsageError("no command given") }
        self.command = command
        (endpoints, broker) = try Invocation.endpoints(raw, command: command)
        keygen = command == .keygen ? try KeygenSettings(raw) : nil
        probe = command == .probe ? try ProbeSettings(raw) : nil
        bench = command == .bench ? try BenchSettings(raw) : nil
        try Invocation.checkNothingFollowsDashDash(raw, command: command)
        (input, output) = try Invocation.framings(raw, command: command)
        source = try Invocation.source(raw, format: input.format)
        reply = try Invocation.replies(raw, command: command, source: source)
        retries = raw.retries
        execTimeout = raw.execTimeout
        service = raw.service
        workerHeartbeat = command == .worker ? raw.heartbeat : nil
        try Invocation.checkHeartbeat(raw, command: command)
        if raw.interval != nil && source == .stdin {
            throw UsageError("--interval repeats a --data or --file message", hint: "add --data TEXT, or pace stdin yourself")
        }
        count = raw.count
        interval = raw.interval
        delay = raw.delay
        timeout = raw.timeout
        linger = raw.linger ?? raw.timeout ?? .forever
        lingerIsTimeout = raw.linger == nil && raw.timeout != nil
        waitPeers = raw.waitPeers
        quitAfter = raw.quitAfter
        waitSubscribers = raw.waitSubscribers
        socket = SocketSettings(raw, command: command, endpoints: endpoints)
        legacyZMTP = raw.legacyZMTP
        verbosity = raw.verbosity
        stats = raw.stats
        statsInterval = raw.statsInterval
        events = raw.events
        security = try SecuritySettings(raw, command: command)
        try security.checkEndpoints(allEndpoints)
        try checkSocketOptions(raw.socketOptions)
    }
}

// MARK: - The rules, one step of init each

extension Invocation {
    /// The one socket's endpoints (-b, -c, then positionals, in the order given within each kind),
    /// or broker's two sides instead; an address is bound once at most.
    static func endpoints(_ raw: RawArguments, command: Command) throws(UsageError) -> ([Endpoint], BrokerSettings?) {
        var endpoints: [Endpoint] = []
        var broker: BrokerSettings?
        if command == .broker {
            broker = try brokerSides(raw)
        } else if command.opensSockets {
            for text in raw.binds { endpoints.append(try Endpoint.parse(text, role: .bind)) }
            for text in raw.connects { endpoints.append(try Endpoint.parse(text, role: .connect)) }
            for text in raw.positionals { endpoints.append(try Endpoint.parse(text, role: nil)) }
            guard !endpoints.isEmpty else {
                let name = command.rawValue
                throw UsageError("\(name) needs an endpoint to bind or connect", hint: command == .worker
                    ? "for example: zswift worker localhost:5560 (a broker's backend)"
                    : "for example: zswift \(name) :5555 (bind) or zswift \(name) localhost:5555 (connect)")
            }
            if command == .worker && endpoints.count > 1 {
                // a DEALER would deal READY, heartbeats and replies round robin over the brokers
                throw UsageError("a worker serves one broker, but \(endpoints.count) endpoints were given",
                                 hint: "start one worker per broker: zswift worker -c BACKEND")
            }
        }
        let all = endpoints + (broker.map { $0.frontends + $0.backends } ?? [])
        for (i, endpoint) in all.enumerated() where endpoint.role == .bind && !endpoint.address.hasSuffix("*")
            && all[..<i].contains(where: { $0.role == .bind && $0.address == endpoint.address }) {
            throw UsageError("\(endpoint.address) is bound twice", hint: "give each endpoint once; * picks a different free port each time")
        }
        return (endpoints, broker)
    }

    /// What follows --: only rep runs it.
    static func checkNothingFollowsDashDash(_ raw: RawArguments, command: Command) throws(UsageError) {
        if let exec = raw.execArguments, command != .rep && command != .worker {
            throw UsageError("\(command.rawValue) runs no command, so nothing may follow --" + (exec.isEmpty ? "" : " (got '\(exec[0])')"),
                             hint: "a -- is only for the command rep runs per request")
        }
    }

    /// How stdin and stdout are framed: --format for both, --in/--out for one direction; -0 and
    /// --separator apply to line format only.
    static func framings(_ raw: RawArguments, command: Command) throws(UsageError) -> (input: Framing, output: Framing) {
        let base = raw.format ?? .line
        let inFormat = raw.inFormat ?? base
        let outFormat = raw.outFormat ?? base
        let lineIn = command.readsInput && inFormat == .line
        let lineOut = command.writesOutput && outFormat == .line
        if raw.nulDelimited && !lineIn && !lineOut {
            throw UsageError("-0 applies to line format only (the format is \(command.readsInput ? inFormat : outFormat))",
                             hint: "drop -0, or use --format line")
        }
        if raw.separator != nil && !lineIn && !lineOut {
            throw UsageError("--separator applies to line format only", hint: "the other formats keep frames apart by themselves")
        }
        let delimiter: UInt8 = raw.nulDelimited ? 0 : 10
        if let sep = raw.separator, sep.contains(delimiter) {
            throw UsageError("--separator cannot contain the record delimiter (\(raw.nulDelimited ? "NUL" : "newline"))")
        }
        // dealer and router carry envelopes: in line format their input splits at TAB like their output
        let envelopes = command.spec.framesAtTab && inFormat == .line
        return (Framing(format: inFormat, delimiter: delimiter, separator: raw.separator ?? (envelopes ? [9] : nil)),
                Framing(format: outFormat, delimiter: delimiter, separator: raw.separator))
    }

    /// Where messages come from: --data (each value decoded in the input `format`), --file or stdin.
    static func source(_ raw: RawArguments, format: Format) throws(UsageError) -> Source {
        if !raw.data.isEmpty && raw.file != nil {
            throw UsageError("--data and --file both give the message to send", hint: "use one of them")
        }
        if let file = raw.file { return .file(file) }
        if raw.data.isEmpty { return .stdin }
        var frames: [[UInt8]] = []
        for (i, text) in raw.data.enumerated() {
            do { frames.append(try FrameText.decode(text, format: format)) } catch {
                throw UsageError("--data #\(i + 1) is not valid \(format.rawValue): \(error.reason)",
                                 hint: "--data is decoded in the --in format; --in line sends it as it is")
            }
        }
        return .frames(frames)
    }

    /// How rep answers (nil for the other commands), and the rules of the flags about replies.
    static func replies(_ raw: RawArguments, command: Command, source: Source) throws(UsageError) -> ReplySource? {
        var reply: ReplySource?
        if command == .rep || command == .worker {
            reply = try replySource(raw, fixed: source != .stdin)
        } else if raw.execTimeout != nil {
            throw UsageError("--exec-timeout applies to --exec")
        }
        if raw.retries != nil && raw.timeout == nil {
            throw UsageError("--retries needs --timeout: without one, req waits for each reply as long as it takes",
                             hint: "for example: -t 2s --retries 3")
        }
        return reply
    }

    /// rep's one way of answering: --exec or a command after --, --echo, --data/--file
    /// (`fixed`), or else stdin (coprocess mode).
    static func replySource(_ raw: RawArguments, fixed: Bool) throws(UsageError) -> ReplySource {
        var sources: [(String, ReplySource)] = []
        if let command = raw.exec { sources.append(("--exec", .exec(shell: command, argv: nil))) }
        if let argv = raw.execArguments {
            guard !argv.isEmpty else { throw UsageError("nothing follows --", hint: "give the command to run per request: rep :5555 -- tr a-z A-Z") }
            sources.append(("a command after --", .exec(shell: nil, argv: argv)))
        }
        if raw.echo { sources.append(("--echo", .echo)) }
        if fixed { sources.append((raw.file != nil ? "--file" : "--data", .fixed)) }
        if sources.count > 1 {
            throw UsageError("\(sources[0].0) and \(sources[1].0) both say how to answer", hint: "give one of --exec, --echo, --data/--file, or none to answer from stdin")
        }
        if raw.execTimeout != nil, case .exec? = sources.first?.1 {} else if raw.execTimeout != nil {
            throw UsageError("--exec-timeout applies to --exec")
        }
        return sources.first?.1 ?? .stdin
    }

    /// Holds the socket options to the sockets the command opens: a receiver's --max-msg-size must
    /// leave room for ZMTP handshake commands, and each -o `settings` must apply to every socket.
    func checkSocketOptions(_ settings: [SocketOptionSetting]) throws(UsageError) {
        if let max = socket.maxMessageSize, command.writesOutput, max < Invocation.smallestReceiveLimit {
            throw UsageError("--max-msg-size \(max) is too small for \(command.rawValue): libzmq applies it to ZMTP handshake commands too",
                             hint: "give at least \(Invocation.smallestReceiveLimit) bytes")
        }
        let opened = broker.map { [$0.mode.socketTypes.frontend, $0.mode.socketTypes.backend] } ?? (command.socketType.map { [$0] } ?? [])
        let opener = broker.map { "broker --mode \($0.mode.rawValue)" } ?? command.rawValue
        for setting in settings { try setting.check(on: opened, opener: opener) }
    }
}
