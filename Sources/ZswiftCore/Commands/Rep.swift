// rep: answers each request as Answering says (--exec, --echo, --data/--file, or stdin as a
// coprocess). With --count N it exits after N replies, the last one delivered. A one-frame echo
// sends the received message itself back, with no copy.
import Glibc
import ZMQ

enum RepCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        try Answering.run(scope, on: .rep) { (channel) throws(Exit) in try ReplyLoop(channel: channel) }
    }
}

/// rep's loop: receives each request off the REP socket and answers it.
final class ReplyLoop: AnsweringLoop {
    let channel: Channel
    let answering: Answering
    /// The request's frames, copied out of the received messages.
    private let request = ByteBuffer(capacity: 4096)
    private var ends: [Int] = []
    private var metadata = RequestMetadata()

    init(channel: Channel) throws(Exit) {
        self.channel = channel
        answering = try Answering(channel: channel)
    }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = channel.invocation
        let limit = invocation.count ?? Int.max
        var message = Message()
        var input = DecodedInput(decoder, input: channel.scope.input, format: invocation.input.format)
        var sequence = 0
        while sequence < limit {
            try receiveRequest(&message)
            sequence += 1
            if answering.source == .echo && ends.count == 1 && message.count == request.count {
                try echoInPlace(&message, sequence: sequence)
                continue
            }
            try answering.answer(frames(), sequence: sequence, metadata: metadata, input: &input) { (f) throws(Exit) in
                try channel.send(f, record: sequence)
            }
        }
    }

    /// One frame: sends the received message itself back, no copy.
    private func echoInPlace(_ message: inout Message, sequence: Int) throws(Exit) {
        let invocation = channel.invocation
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
        if answering.needsMetadata { metadata = RequestMetadata(of: message) }
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
}
