// req: each input message is a request and each reply goes to stdout. -t bounds each wait; with
// --retries the socket is closed (linger 0), reopened and the request resent (Lazy Pirate, zguide
// ch. 4), so a late reply to an abandoned attempt dies with the old socket. With --service it is a
// Majordomo client (MDP/0.1): each request goes out as ["MDPC01", service, frames...] and the
// reply's two header frames are checked and taken off before it is written.
import Glibc
import ZMQ

enum ReqCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let invocation = scope.invocation
        let channel = try scope.open(.req)
        // (not for Majordomo: its brokers expect no request-id frame, and the reopen of each retry
        // already drops a late reply)
        if invocation.retries != nil && invocation.socket.identity != nil && invocation.service == nil { try channel.correlateReplies() }
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
    /// --service: the Majordomo header of each request and reply.
    private let majordomo: [[UInt8]]?

    init(channel: Channel) {
        self.channel = channel
        majordomo = channel.invocation.service.map { [MDP.clientHeader, Array($0.utf8)] }
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
                if majordomo != nil { try takeMajordomoHeader(record: record) }
                let took = Clock.nanoseconds() - sent
                channel.scope.stats.roundTrips.record(nanoseconds: took)
                channel.diagnostics.trace("reply to request \(record) after \(RoundTrips.milliseconds(Double(took) / 1000))")
                try channel.writeReceived(&encoder, &message)
                return
            }
            let timeout = invocation.timeout!
            if attempt >= attempts {
                // a Majordomo broker holds a request for a service nobody provides: say how to ask
                // (when a broker was met at all)
                let seen = channel.whatWasSeen(waitedFor: "it did not answer request \(record)")
                let service = channel.peers.tracker.everReady ? channel.invocation.service : nil
                throw Exit.timeout("no reply from \(channel.endpointNames) within \(timeout)"
                                   + (attempts > 1 ? " in \(attempts) attempts" : "") + " (request \(record)): " + seen,
                                   hint: service.map { "does service '\($0)' have workers? zswift req \(channel.endpointNames) --service mmi.service -d '\($0)' says (200: yes, 404: no)" })
            }
            attempt += 1
            channel.diagnostics.warning("no reply from \(channel.endpointNames) within \(timeout); reopening the socket and resending request \(record) (attempt \(attempt) of \(attempts))")
            try channel.reopen()
        }
    }

    /// Sends the request; false when --timeout ran out first (no peer took it).
    private func sendRequest(_ frames: [UnsafeRawBufferPointer], record: Int, until deadline: Deadline) throws(Exit) -> Bool {
        guard let majordomo else { return try sendFrames(frames, record: record, until: deadline) }
        return try majordomo.withFramePointers { (header) throws(Exit) -> Bool in
            try sendFrames(header + frames, record: record, until: deadline)
        }
    }

    /// Checks the reply's "MDPC01" and service frames and leaves its first body frame in `message`.
    private func takeMajordomoHeader(record: Int) throws(Exit) {
        let service = majordomo![1]
        let notMajordomo = "the reply to request \(record) is not a Majordomo reply"
        let hint = "is \(channel.endpointNames) a Majordomo broker (zswift broker --mode majordomo)?"
        guard message.hasMore, message.bytes.elementsEqual(MDP.clientHeader) else {
            throw Exit.runtime(notMajordomo + " (it does not begin with MDPC01)", hint: hint)
        }
        try channel.receiveNextFrame(&message)
        guard message.bytes.elementsEqual(service) else {
            throw Exit.runtime(notMajordomo + ": it names service '\(String(decoding: message.bytes, as: UTF8.self))', not '\(String(decoding: service, as: UTF8.self))'", hint: hint)
        }
        guard message.hasMore else {
            throw Exit.runtime(notMajordomo + ": it has no body", hint: hint)
        }
        try channel.receiveNextFrame(&message)
    }

    private func sendFrames(_ frames: [UnsafeRawBufferPointer], record: Int, until deadline: Deadline) throws(Exit) -> Bool {
        var next = try channel.sendFrames(frames, from: 0, record: record)
        while next < frames.count {
            guard try channel.wait(for: .writable, until: deadline, drained: true) else { return false }
            next = try channel.sendFrames(frames, from: next, record: record)
        }
        return true
    }
}
