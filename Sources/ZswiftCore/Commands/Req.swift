// req: each input message is a request and each reply goes to stdout. -t bounds each wait; with
// --retries the socket is closed (linger 0), reopened and the request resent (Lazy Pirate, zguide
// ch. 4), so a late reply to an abandoned attempt dies with the old socket.
import Glibc
import ZMQ

enum ReqCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let session = try Session(invocation, io: io, diagnostics: diagnostics)
        do throws(Exit) {
            if let n = invocation.waitPeers { try session.waitForPeers(n) }
            if let delay = invocation.delay { try session.pause(delay) }
            var inputError: Exit?
            do throws(Exit) {
                try invocation.input.withDecoder(sizeLimit: invocation.socket.maxMessageSize, RequestLoop(session: session))
            } catch {
                guard case .badInput = error else { throw error }
                inputError = error
            }
            try session.output.flush()
            session.finish()
            if let inputError { throw inputError }
        } catch {
            try? session.output.flush()
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
    private var poller = Poller()
    private var polled: Socket?

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
        case let .file(path): fixed = [try SendCommand.readFile(path)]
        }
        if !fixed.isEmpty {
            let times = invocation.count ?? (invocation.interval == nil ? 1 : Int.max)
            var sent = 0
            while sent < times {
                try fixed.withFramePointers { (f) throws(Exit) in try exchange(f, record: sent + 1) }
                sent += 1
                if sent < times, let interval = invocation.interval { try session.pause(interval) }
            }
            return
        }
        var record = 0
        var answered = 0
        while answered < limit {
            let taken: Int?
            do { taken = try decoder.decode(input.unread, atEnd: input.atEnd, frames: &frames) } catch {
                throw Exit.badInput("input record \(record + 1) is not valid \(invocation.input.format.rawValue): \(error.reason)")
            }
            guard let taken else {
                if input.atEnd { return }
                try session.output.flush()  // the next request may depend on this reply (coproc)
                try input.fill()
                continue
            }
            input.consume(taken)
            record += 1
            if frames.isEmpty { continue }
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
            if try sendRequest(frames, record: record, until: deadline), try awaitReply(until: deadline) {
                // exactly one reply: a REQ may not receive again before its next send
                _ = try session.receiveWaiting(&encoder, &message, limit: session.stats.receivedMessages + 1)
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

    /// Waits for the reply to be readable. The output is flushed only when the reply is not there
    /// within a millisecond, so a batch of requests goes out in large writes while an interactive
    /// user (or a slow server) still sees each reply at once.
    private func awaitReply(until deadline: Deadline) throws(Exit) -> Bool {
        if session.socket !== polled {
            poller = Poller()
            poller.add(session.socket, .readable)
            poller.add(session.peers.monitor.socket, .readable)
            poller.add(fd: session.io.output, [])
            polled = session.socket
        }
        var flushed = session.output.buffer.count == 0
        while true {
            if session.socket.events.contains(.readable) { return true }
            try Signals.check()
            try session.checkSecurity()
            if deadline.hasPassed { return false }
            do { _ = try poller.poll(timeout: deadline.remaining(cap: flushed ? 1000 : 1)) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(0).isEmpty { return true }
            if !poller.events(1).isEmpty { try session.peers.drain() }
            if poller.events(2).contains(.error) { throw Exit.outputClosed }
            if !flushed {
                try session.output.flush()
                flushed = true
            }
        }
    }
}
