// req: each input message is a request and each reply goes to stdout. -t bounds each wait; with
// --retries the socket is closed (linger 0), reopened and the request resent (Lazy Pirate, zguide
// ch. 4), so a late reply to an abandoned attempt dies with the old socket.
import Glibc
import ZMQ

enum ReqCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let invocation = scope.invocation
        let channel = try scope.open(.req)
        if invocation.retries != nil && invocation.socket.identity != nil { try channel.correlateReplies() }
        if let n = invocation.waitPeers { try channel.waitForPeers(n) }
        if let delay = invocation.delay { try scope.pause(delay) }
        var inputError: Exit?
        do throws(Exit) {
            try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, RequestLoop(channel: channel))
        } catch {
            guard case .badInput = error else { throw error }
            inputError = error
        }
        try scope.output.flush()
        scope.stats.delivery = .delivered  // every request sent was answered
        if let inputError { throw inputError }
    }
}

/// Reads requests (stdin through the decoder, or the --data/--file message) and waits for each reply.
final class RequestLoop: DecoderUser {
    let channel: Channel
    private var encoder: any MessageEncoder
    private var message = Message()

    init(channel: Channel) {
        self.channel = channel
        encoder = channel.invocation.output.makeEncoder(diagnostics: channel.diagnostics)
    }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = channel.invocation
        let scope = channel.scope
        let exchange = { (frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) in try self.exchange(frames, record: record) }
        if let fixed = try invocation.fixedMessage() {
            var source = RepeatedMessage(fixed, count: invocation.count, interval: invocation.interval)
            return try scope.sendAll(from: &source, exchange)
        }
        var source = DecodedInput(decoder, input: scope.input, format: invocation.input.format)
        // before reading more, flush: the next request may depend on this reply (coproc)
        let output = channel.output
        source.beforeReading = { () throws(Exit) in try output.flush() }
        try scope.sendAll(from: &source, exchange)
    }

    /// Sends one request and writes its reply, retrying as --retries allows.
    private func exchange(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        let invocation = channel.invocation
        let attempts = (invocation.retries ?? 0) + 1
        var attempt = 1
        while true {
            let deadline = Deadline(after: invocation.timeout)
            let sent = Clock.nanoseconds()
            if try sendRequest(frames, record: record, until: deadline), try channel.receiveBlocking(&message, until: deadline) {
                let took = Clock.nanoseconds() - sent
                channel.scope.stats.roundTrips.record(nanoseconds: took)
                channel.diagnostics.trace("reply to request \(record) after \(RoundTrips.milliseconds(Double(took) / 1000))")
                try channel.writeReceived(&encoder, &message)
                return
            }
            let timeout = invocation.timeout!
            if attempt >= attempts {
                throw Exit.timeout("no reply from \(channel.endpointNames) within \(timeout)"
                                   + (attempts > 1 ? " in \(attempts) attempts" : "") + " (request \(record)): "
                                   + channel.whatWasSeen(waitedFor: "it did not answer request \(record)"))
            }
            attempt += 1
            channel.diagnostics.warning("no reply from \(channel.endpointNames) within \(timeout); reopening the socket and resending request \(record) (attempt \(attempt) of \(attempts))")
            try channel.reopen()
        }
    }

    /// Sends the request; false when --timeout ran out first (no peer took it).
    private func sendRequest(_ frames: [UnsafeRawBufferPointer], record: Int, until deadline: Deadline) throws(Exit) -> Bool {
        var next = try channel.sendFrames(frames, from: 0, record: record)
        while next < frames.count {
            guard try channel.wait(for: .writable, until: deadline, drained: true) else { return false }
            next = try channel.sendFrames(frames, from: next, record: record)
        }
        return true
    }
}
