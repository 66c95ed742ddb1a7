// How rep and worker answer a request's frames: --exec (a command per request, with ZSWIFT_SEQ,
// ZSWIFT_FRAMES and the peer's metadata in its environment), --echo, --data/--file, or stdin as a
// coprocess (the request written and flushed to stdout, the next input message is the reply).
// The answer goes to a `send` closure: rep sends it as it is, worker puts the envelope before it.
import ZMQ

/// The peer's metadata a request came with, for --exec's environment.
struct RequestMetadata {
    var peerAddress: String?
    /// The client's user id from zswift's ZAP handler: its CURVE public key, or its PLAIN user name.
    var userID: String?
    var routingID: String?

    /// What `message` (a request's first frame) says; only --exec needs it (a map search each).
    init(of message: borrowing Message) {
        peerAddress = message.property("Peer-Address")
        userID = message.property("User-Id")
        routingID = (message.propertyBytes("Routing-Id") ?? message.propertyBytes("Identity")).map { id in  // 4.3.4 says Identity
            id.withUnsafeBytes { Hex.string($0) }
        }
    }

    init() {}
}

/// A command's loop that answers requests with an Answering (rep's, worker's).
protocol AnsweringLoop: DecoderUser {
    var answering: Answering { get }
}

extension Answering {
    /// Runs rep or worker: `makeLoop` serves on a socket of `type`; then what it queued is
    /// delivered, and a failed --exec command ends the run with status 1.
    static func run(_ scope: RunScope, on type: SocketType,
                    _ makeLoop: (Channel) throws(Exit) -> some AnsweringLoop) throws(Exit) {
        let channel = try scope.open(type)
        let loop = try makeLoop(channel)
        try scope.invocation.input.withDecoder(sizeLimit: scope.invocation.inputLimit, loop)
        try scope.output.flush()
        try channel.deliver()
        try loop.answering.checkCommands()
    }
}

/// Answers requests as --exec, --echo, --data/--file or the stdin coprocess say.
final class Answering {
    typealias Send = ([UnsafeRawBufferPointer]) throws(Exit) -> Void
    let channel: Channel
    let source: ReplySource
    private var encoder: any MessageEncoder
    private let fixed: [[UInt8]]
    /// --exec commands that exited non-zero, were killed, timed out or wrote unusable output.
    private(set) var failedCommands = 0

    init(channel: Channel) throws(Exit) {
        self.channel = channel
        source = channel.invocation.reply ?? .stdin
        encoder = channel.invocation.output.makeEncoder(diagnostics: channel.diagnostics)
        fixed = try channel.invocation.fixedMessage() ?? []
    }

    /// Whether answers need the peer's metadata (only --exec does).
    var needsMetadata: Bool {
        if case .exec = source { return true }
        return false
    }

    /// Answers request `sequence` (its frames in `request`) and hands the answer to `send`.
    func answer<D: MessageDecoder>(_ request: [UnsafeRawBufferPointer], sequence: Int, metadata: RequestMetadata,
                                   input: inout DecodedInput<D>, send: Send) throws(Exit) {
        switch source {
        case .echo:
            try send(request)
        case .fixed:
            try fixed.withFramePointers { (f) throws(Exit) in try send(f) }
        case let .exec(shell, argv):
            let answer = try runCommand(request, shell: shell, argv: argv, sequence: sequence, metadata: metadata)
            try answer.withFramePointers { (f) throws(Exit) in try send(f) }
        case .stdin:
            try send(try replyFromStdin(request, &input, sequence: sequence))
        }
    }

    /// Says how many commands failed, as the run's error, when any did.
    func checkCommands() throws(Exit) {
        if failedCommands > 0 {
            throw Exit.runtime("\(Words.count(failedCommands, "request")) of \(channel.scope.stats.receivedMessages) got a failed command's answer (see above)")
        }
    }

    /// Coprocess mode: the request goes to stdout, flushed; the next input message is the reply.
    private func replyFromStdin<D: MessageDecoder>(_ request: [UnsafeRawBufferPointer], _ source: inout DecodedInput<D>,
                                                   sequence: Int) throws(Exit) -> [UnsafeRawBufferPointer] {
        for (i, frame) in request.enumerated() {
            try encoder.frame(frame, index: i, more: i < request.count - 1, to: channel.output)
        }
        try channel.output.flush()
        var replies: [UnsafeRawBufferPointer] = []
        source.recordName = { _ in "the reply to request \(sequence)" }
        do throws(Exit) {
            if case .message = try source.next(&replies, waiting: true) { return replies }
        } catch {
            guard case let .badInput(reason) = error else { throw error }
            throw Exit.runtime(reason)  // not a record of a stream to send: the exchange broke
        }
        throw Exit.runtime("stdin ended before the reply to request \(sequence)",
                           hint: "in coprocess mode every request written to stdout needs a reply on stdin")
    }

    /// --exec: runs the command with the request on its stdin; its stdout is the answer.
    private func runCommand(_ request: [UnsafeRawBufferPointer], shell: String?, argv: [String]?, sequence: Int,
                            metadata: RequestMetadata) throws(Exit) -> [[UInt8]] {
        let invocation = channel.invocation
        let written = OutputWriter.memory()
        var requestEncoder = invocation.output.makeEncoder(diagnostics: nil)
        for (i, frame) in request.enumerated() {
            try requestEncoder.frame(frame, index: i, more: i < request.count - 1, to: written)
        }
        var environment = ["ZSWIFT_SEQ": "\(sequence)", "ZSWIFT_FRAMES": "\(request.count)"]
        if let peerAddress = metadata.peerAddress { environment["ZSWIFT_PEER_ADDRESS"] = peerAddress }
        if let userID = metadata.userID, !userID.isEmpty { environment["ZSWIFT_USER_ID"] = userID }
        if let routingID = metadata.routingID, !routingID.isEmpty { environment["ZSWIFT_ROUTING_ID"] = routingID }
        let shown = shell ?? argv!.joined(separator: " ")
        let output: ByteBuffer
        let end: CommandEnd
        do {
            (output, end) = try Exec.run(argv ?? ["/bin/sh", "-c", shell!], input: written.buffer.bytes(0, written.buffer.count),
                                         environment: environment, timeout: invocation.execTimeout,
                                         outputLimit: invocation.inputBytes(in: invocation.input.format),
                                         on: channel.scope.reactor)
        } catch {
            guard case let .failed(_, reason, _) = error else { throw error }  // signals end the run
            failedCommands += 1
            channel.diagnostics.error("request \(sequence): \(reason); answering with an empty message")
            return [[]]
        }
        return interpret(output, end: end, shown: shown, sequence: sequence)
    }

    /// The answer a command gave: its output, or an empty message when it failed (said on stderr).
    private func interpret(_ output: ByteBuffer, end: CommandEnd, shown: String, sequence: Int) -> [[UInt8]] {
        let invocation = channel.invocation
        if end != .exited(0) { failedCommands += 1 }
        switch end {
        case .exited(0):
            break
        case let .exited(status):
            channel.diagnostics.error("request \(sequence): '\(shown)' exited with status \(status); its output is the answer")
        case let .killed(signal):
            channel.diagnostics.error("request \(sequence): '\(shown)' was killed by signal \(signal); answering with an empty message")
            return [[]]
        case .timedOut:
            channel.diagnostics.error("request \(sequence): '\(shown)' ran longer than --exec-timeout \(invocation.execTimeout!) and was killed; answering with an empty message")
            return [[]]
        case .wroteTooMuch:
            channel.diagnostics.error("request \(sequence): '\(shown)' wrote more than \(invocation.inputLimitName) and was killed; answering with an empty message")
            return [[]]
        }
        do {
            return try Answering.answer(from: output.bytes(0, output.count), framing: invocation.input)
        } catch {
            if end == .exited(0) { failedCommands += 1 }
            channel.diagnostics.error("request \(sequence): the output of '\(shown)' is not valid \(invocation.input.format.rawValue): \(error.reason); answering with an empty message")
            return [[]]
        }
    }

    /// A command's whole output as one message: in line format one frame (one trailing delimiter
    /// dropped, split at -S); in raw as it is; otherwise exactly one record of the format.
    static func answer(from output: UnsafeRawBufferPointer, framing: Framing) throws(FramingError) -> [[UInt8]] {
        switch framing.format {
        case .raw:
            return [Array(output)]
        case .line:
            var body = output
            if body.last == framing.delimiter { body = UnsafeRawBufferPointer(rebasing: body.dropLast()) }
            guard let separator = framing.separator else { return [Array(body)] }
            // split the whole output (it may hold several lines) at every separator
            var frames: [UnsafeRawBufferPointer] = []
            LineDecoder.split(body, at: separator, into: &frames)
            return frames.map { Array($0) }
        default:
            var decoder: any MessageDecoder = framing.format == .zmtp ? ZMTPDecoder() : TextDecoder(format: framing.format)
            var frames: [UnsafeRawBufferPointer] = []
            var offset = 0
            var message: [[UInt8]]?
            while offset < output.count {
                guard let taken = try decoder.decode(UnsafeRawBufferPointer(rebasing: output[offset...]), atEnd: true, frames: &frames) else { break }
                offset += taken
                if frames.isEmpty { continue }
                guard message == nil else { throw FramingError("it holds more than one message") }
                message = frames.map { Array($0) }
            }
            guard let message else { throw FramingError("it holds no message") }
            return message
        }
    }
}
