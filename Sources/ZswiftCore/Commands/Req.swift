// req: each input message is a request and each reply goes to stdout. -t bounds each wait; with
// --retries the socket is closed (linger 0), reopened and the request resent (Lazy Pirate, zguide
// ch. 4), so a late reply to an abandoned attempt dies with the old socket.
import Glibc
import ZMQ

enum ReqCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let session = try Session(invocation, io: io, diagnostics: diagnostics)
        defer { session.printStats() }
        do throws(Exit) {
            if invocation.retries != nil && invocation.socket.identity != nil { try session.correlateReplies() }
            if let n = invocation.waitPeers { try session.waitForPeers(n) }
            if let delay = invocation.delay { try session.pause(delay) }
            var inputError: Exit?
            do throws(Exit) {
                try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, RequestLoop(session: session))
            } catch {
                guard case .badInput = error else { throw error }
                inputError = error
            }
            try session.output.flush()
            session.stats.delivery = .delivered  // every request sent was answered
            session.finish()
            if let inputError { throw inputError }
        } catch {
            if !error.isSignal { try? session.output.flush() }
            session.abandon()
            throw error
        }
    }
}

/// Reads requests (stdin through the decoder, or the --data/--file message) and waits for each reply.
final class RequestLoop: DecoderUser {
    let session: Session
    private var encoder: any MessageEncoder
    private var message = Message()

    init(session: Session) {
        self.session = session
        encoder = session.invocation.output.makeEncoder(diagnostics: session.diagnostics)
    }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = session.invocation
        let input = session.input
        let limit = invocation.count ?? Int.max
        var frames: [UnsafeRawBufferPointer] = []
        var fixed: [[UInt8]] = []
        switch invocation.source {
        case .stdin: break
        case let .frames(f): fixed = f
        case let .file(path): fixed = [try SendCommand.readFile(path, invocation)]
        }
        if !fixed.isEmpty {
            return try session.repeatFixed(fixed) { (frames, record) throws(Exit) in try exchange(frames, record: record) }
        }
        var record = 0
        var answered = 0
        let output = session.output
        // before reading more, flush: the next request may depend on this reply (coproc)
        while answered < limit, try input.nextMessage(&decoder, into: &frames, record: &record, format: invocation.input.format,
                                                      beforeReading: { () throws(Exit) in try output.flush() }) {
            try exchange(frames, record: record)
            answered += 1
        }
    }

    /// Sends one request and writes its reply, retrying as --retries allows.
    private func exchange(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        let invocation = session.invocation
        let attempts = (invocation.retries ?? 0) + 1
        var attempt = 1
        while true {
            let deadline = Deadline(after: invocation.timeout)
            if try sendRequest(frames, record: record, until: deadline), try session.receiveBlocking(&message, until: deadline) {
                try session.writeReceived(&encoder, &message)
                return
            }
            let timeout = invocation.timeout!
            if attempt >= attempts {
                throw Exit.timeout("no reply from \(session.endpointNames) within \(timeout)"
                                   + (attempts > 1 ? " in \(attempts) attempts" : "") + " (request \(record))")
            }
            attempt += 1
            session.diagnostics.warning("no reply from \(session.endpointNames) within \(timeout); reopening the socket and resending request \(record) (attempt \(attempt) of \(attempts))")
            try session.reopen()
        }
    }

    /// Sends the request; false when --timeout ran out first (no peer took it).
    private func sendRequest(_ frames: [UnsafeRawBufferPointer], record: Int, until deadline: Deadline) throws(Exit) -> Bool {
        var next = try session.sendFrames(frames, from: 0, record: record)
        while next < frames.count {
            guard try session.wait(for: .writable, until: deadline) else { return false }
            next = try session.sendFrames(frames, from: next, record: record)
        }
        return true
    }
}
