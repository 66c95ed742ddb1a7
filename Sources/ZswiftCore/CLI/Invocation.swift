// Step two of the command line: RawArguments become an Invocation, and every rule that relates
// flags to each other lives here, so the commands can trust what they are given.

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

/// Socket options given by flag, applied before any bind or connect.
struct SocketSettings: Sendable {
    var sendHighWaterMark: Int32?
    var receiveHighWaterMark: Int32?
    var identity: [UInt8]?
    var subscriptions: [[UInt8]] = []
    var conflate = false
    var immediate = false
    var ipv6 = false
    var reconnectInterval: Interval?
    var heartbeat: Interval?
    var maxMessageSize: Int64?
    var custom: [SocketOptionSetting] = []
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
    var linger: Interval
    var waitPeers: Int?
    var waitSubscribers: Int?
    var socket: SocketSettings
    var legacyZMTP: Bool
    var verbosity: Int
    var stats: Bool
    var events: EventsFormat?

    /// The least --max-msg-size a receiving socket may have: a handshake READY command carries the
    /// socket type and an identity of up to 255 bytes, and libzmq checks it against the limit too.
    static let smallestReceiveLimit: Int64 = 512

    init(_ raw: RawArguments) throws(UsageError) {
        guard let command = raw.command else { throw UsageError("no command given") }
        self.command = command
        let name = command.rawValue

        // Endpoints: -b, -c and positionals, in the order given within each kind.
        var endpoints: [Endpoint] = []
        for text in raw.binds { endpoints.append(try Endpoint.parse(text, role: .bind)) }
        for text in raw.connects { endpoints.append(try Endpoint.parse(text, role: .connect)) }
        for text in raw.positionals { endpoints.append(try Endpoint.parse(text, role: nil)) }
        guard !endpoints.isEmpty else {
            throw UsageError("\(name) needs an endpoint to bind or connect",
                             hint: "for example: zswift \(name) :5555 (bind) or zswift \(name) localhost:5555 (connect)")
        }
        self.endpoints = endpoints

        if let exec = raw.execArguments {
            throw UsageError("\(name) runs no command, so nothing may follow --" + (exec.isEmpty ? "" : " (got '\(exec[0])')"),
                             hint: "a -- is only for the command rep runs per request")
        }

        // Formats: --format for both, --in/--out for one direction.
        let base = raw.format ?? .line
        let inFormat = raw.inFormat ?? base
        let outFormat = raw.outFormat ?? base
        let shape = command.shape
        let lineIn = shape != .receiver && inFormat == .line
        let lineOut = shape != .sender && outFormat == .line
        if raw.nulDelimited && !lineIn && !lineOut {
            throw UsageError("-0 applies to line format only (the format is \(shape == .receiver ? outFormat : inFormat))",
                             hint: "drop -0, or use --format line")
        }
        if raw.separator != nil && !lineIn && !lineOut {
            throw UsageError("--separator applies to line format only", hint: "the other formats keep frames apart by themselves")
        }
        let delimiter: UInt8 = raw.nulDelimited ? 0 : 10
        if let sep = raw.separator, sep.contains(delimiter) {
            throw UsageError("--separator cannot contain the record delimiter (\(raw.nulDelimited ? "NUL" : "newline"))")
        }
        input = Framing(format: inFormat, delimiter: delimiter, separator: raw.separator)
        output = Framing(format: outFormat, delimiter: delimiter, separator: raw.separator)

        // Where messages come from.
        if !raw.data.isEmpty && raw.file != nil {
            throw UsageError("--data and --file both give the message to send", hint: "use one of them")
        }
        if !raw.data.isEmpty {
            var frames: [[UInt8]] = []
            for (i, text) in raw.data.enumerated() {
                do { frames.append(try FrameText.decode(text, format: inFormat)) } catch {
                    throw UsageError("--data #\(i + 1) is not valid \(inFormat.rawValue): \(error.reason)",
                                     hint: "--data is decoded in the --in format; --in line sends it as it is")
                }
            }
            source = .frames(frames)
        } else if let file = raw.file {
            source = .file(file)
        } else {
            source = .stdin
        }
        if raw.interval != nil && source == .stdin {
            throw UsageError("--interval repeats a --data or --file message", hint: "add --data TEXT, or pace stdin yourself")
        }
        count = raw.count
        interval = raw.interval
        delay = raw.delay
        timeout = raw.timeout
        linger = raw.linger ?? .forever
        waitPeers = raw.waitPeers
        waitSubscribers = raw.waitSubscribers

        var socket = SocketSettings()
        socket.sendHighWaterMark = raw.sendHighWaterMark ?? raw.highWaterMark
        socket.receiveHighWaterMark = raw.receiveHighWaterMark ?? raw.highWaterMark
        socket.identity = raw.identity
        socket.subscriptions = raw.subscriptions
        socket.conflate = raw.conflate
        socket.immediate = raw.immediate
        socket.ipv6 = raw.ipv6 || endpoints.contains(where: \.usesIPv6)
        socket.reconnectInterval = raw.reconnectInterval
        socket.heartbeat = raw.heartbeat
        socket.maxMessageSize = raw.maxMessageSize
        if let max = raw.maxMessageSize, shape != .sender, max < Invocation.smallestReceiveLimit {
            throw UsageError("--max-msg-size \(max) is too small for \(name): libzmq applies it to ZMTP handshake commands too",
                             hint: "give at least \(Invocation.smallestReceiveLimit) bytes")
        }
        socket.custom = raw.socketOptions
        self.socket = socket
        legacyZMTP = raw.legacyZMTP
        verbosity = raw.verbosity
        stats = raw.stats
        events = raw.events
    }
}
