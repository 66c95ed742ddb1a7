// rep: answers each request from --exec (a command per request), --echo, --data/--file, or stdin
// (coprocess mode: the request is written and flushed to stdout, the next input message is the
// reply). With --count N it exits after N replies, the last one delivered.
import Glibc
import ZMQ

enum RepCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let channel = try scope.open(.rep)
        let loop = ReplyLoop(channel: channel)
        try scope.invocation.input.withDecoder(sizeLimit: scope.invocation.inputLimit, loop)
        try scope.output.flush()
        try channel.deliver()
        if loop.failedCommands > 0 {
            throw Exit.runtime("\(Words.count(loop.failedCommands, "request")) of \(scope.stats.receivedMessages) got a failed command's answer (see above)")
        }
    }
}

final class ReplyLoop: DecoderUser {
    let channel: Channel
    private var encoder: any MessageEncoder
    /// The request's frames, copied out of the received messages.
    private let request = ByteBuffer(capacity: 4096)
    private var ends: [Int] = []
    private var peerAddress: String?
    /// The client's user id from zswift's ZAP handler: its CURVE public key, or its PLAIN user name.
    private var userID: String?
    /// --exec commands that exited non-zero, were killed, timed out or wrote unusable output.
    private(set) var failedCommands = 0
    private var routingID: String?

    init(channel: Channel) {
        self.channel = channel
        encoder = channel.invocation.output.makeEncoder(diagnostics: channel.diagnostics)
    }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = channel.invocation
        let limit = invocation.count ?? Int.max
        var message = Message()
        let fixed = try invocation.fixedMessage() ?? []
        var input = DecodedInput(decoder, input: channel.scope.input, format: invocation.input.format)
        var replies: [UnsafeRawBufferPointer] = []
        var sequence = 0
        while sequence < limit {
            try receiveRequest(&message)
            sequence += 1
            switch invocation.reply ?? .stdin {
            case .echo where ends.count == 1 && message.count == request.count:
                // one frame: send the received message itself back, no copy
                var deadline: Deadline?
                while true {
                    let sent: Bool
                    do { sent = try channel.socket.send(&message, flags: .dontWait) } catch {
                        if error == .interrupted { try Signals.check(); continue }
                        throw channel.sendError(error, record: sequence)
                    }
                    if sent { break }
                    if deadline == nil { deadline = Deadline(after: invocation.timeout) }
                    guard try channel.wait(for: .writable, until: deadline!, drained: true) else {
                        throw Exit.timeout("could not send reply \(sequence) within --timeout \(invocation.timeout!)")
                    }
                }
                channel.scope.stats.sentMessages += 1
                channel.scope.stats.sentBytes += request.count
                channel.scope.stats.noteActivity()
                continue
            case .echo:
                replies = frames()
            case .fixed:
                try fixed.withFramePointers { (f) throws(Exit) in try channel.send(f, record: sequence) }
                continue
            case let .exec(shell, argv):
                let answer = try runCommand(shell: shell, argv: argv, sequence: sequence)
                try answer.withFramePointers { (f) throws(Exit) in try channel.send(f, record: sequence) }
                continue
            case .stdin:
                replies = try replyFromStdin(&input, sequence: sequence)
            }
            try channel.send(replies, record: sequence)
        }
    }

    private func frames() -> [UnsafeRawBufferPointer] {
        var result: [UnsafeRawBufferPointer] = []
        var start = 0
        for end in ends {
            result.append(request.bytes(start, end))
            start = end
        }
        return result
    }

    /// Waits for the next request and copies its frames (the last one stays in `message`).
    private func receiveRequest(_ message: inout Message) throws(Exit) {
        let invocation = channel.invocation
        request.count = 0
        ends.removeAll(keepingCapacity: true)
        guard try channel.receiveBlocking(&message, until: Deadline(after: invocation.timeout)) else {
            throw ReceiveCommand.timedOut(channel.scope)
        }
        if case .exec? = invocation.reply {  // metadata lookups cost a map search: only --exec uses them
            peerAddress = message.property("Peer-Address")
            userID = message.property("User-Id")
            routingID = (message.propertyBytes("Routing-Id") ?? message.propertyBytes("Identity")).map { id in  // 4.3.4 says Identity
                id.withUnsafeBytes { Hex.string($0) }
            }
        }
        while true {
            request.append(message.bytes)
            ends.append(request.count)
            channel.scope.stats.receivedBytes += message.count
            guard message.hasMore else { break }
            try channel.receiveNextFrame(&message)
        }
        channel.scope.stats.receivedMessages += 1
        if channel.diagnostics.verbosity >= 2 { channel.diagnostics.trace("request " + Words.describe(frames())) }
    }

    /// Coprocess mode: the request goes to stdout, flushed; the next input message is the reply.
    private func replyFromStdin<D: MessageDecoder>(_ source: inout DecodedInput<D>, sequence: Int) throws(Exit) -> [UnsafeRawBufferPointer] {
        let requestFrames = frames()
        for (i, frame) in requestFrames.enumerated() {
            try encoder.frame(frame, index: i, more: i < requestFrames.count - 1, to: channel.output)
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
    private func runCommand(shell: String?, argv: [String]?, sequence: Int) throws(Exit) -> [[UInt8]] {
        let invocation = channel.invocation
        let written = OutputWriter.memory()
        let requestFrames = frames()
        var requestEncoder = invocation.output.makeEncoder(diagnostics: nil)
        for (i, frame) in requestFrames.enumerated() {
            try requestEncoder.frame(frame, index: i, more: i < requestFrames.count - 1, to: written)
        }
        var environment = ["ZSWIFT_SEQ": "\(sequence)", "ZSWIFT_FRAMES": "\(requestFrames.count)"]
        if let peerAddress { environment["ZSWIFT_PEER_ADDRESS"] = peerAddress }
        if let userID, !userID.isEmpty { environment["ZSWIFT_USER_ID"] = userID }
        if let routingID, !routingID.isEmpty { environment["ZSWIFT_ROUTING_ID"] = routingID }
        let command = argv ?? ["/bin/sh", "-c", shell!]
        let shown = shell ?? argv!.joined(separator: " ")
        let output: ByteBuffer
        let end: CommandEnd
        do {
            (output, end) = try Exec.run(command, input: written.buffer.bytes(0, written.buffer.count),
                                         environment: environment, timeout: channel.invocation.execTimeout,
                                         outputLimit: invocation.inputBytes(in: invocation.input.format),
                                         on: channel.scope.reactor)
        } catch {
            guard case let .failed(_, reason, _) = error else { throw error }  // signals end the run
            failedCommands += 1
            channel.diagnostics.error("request \(sequence): \(reason); answering with an empty message")
            return [[]]
        }
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
            return try ReplyLoop.answer(from: output.bytes(0, output.count), framing: invocation.input)
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
