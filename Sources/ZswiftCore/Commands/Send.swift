// push and pub: every input message is sent; at the end what was sent is delivered before exit.
// pub with --wait-subscribers opens an XPUB (which behaves as a PUB) so it can count subscribers.
import Glibc
import ZMQ

enum SendCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let needsXPUB = invocation.command == .pub && invocation.waitSubscribers != nil
        let session = try Session(invocation, io: io, diagnostics: diagnostics, type: needsXPUB ? .xpub : nil)
        defer { session.printStats() }
        do throws(Exit) {
            try startSending(session)
            var inputError: Exit?
            do throws(Exit) { try sendAll(session) } catch {
                guard case .badInput = error else { throw error }
                inputError = error
            }
            try session.deliver()
            if let inputError { throw inputError }
        } catch {
            session.abandon()
            throw error
        }
    }

    /// What every sender does before its first message: wait for peers or subscribers, then --delay.
    static func startSending(_ session: Session) throws(Exit) {
        let invocation = session.invocation
        if let n = invocation.waitSubscribers {
            if session.socket.type == .xpub { try? session.socket.set(.xpubVerbose, true) }
            try waitForSubscribers(n, session)
        }
        if let n = invocation.waitPeers { try session.waitForPeers(n) }
        if let delay = invocation.delay { try session.pause(delay) }
    }

    /// Sends every message of the source, stopping after --count.
    static func sendAll(_ session: Session) throws(Exit) {
        let invocation = session.invocation
        switch invocation.source {
        case .stdin where invocation.input.format == .line && invocation.input.separator == nil
            && invocation.socket.maxMessageSize == nil && session.diagnostics.verbosity < 2:
            try sendLines(session)
        case .stdin:
            try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, StdinSender(session: session))
        case let .frames(frames):
            try repeatFixed(frames, session)
        case let .file(path):
            try repeatFixed([try readFile(path, session.invocation)], session)
        }
    }

    /// The throughput path: one frame per line, straight from the read buffer to zmq_send,
    /// with the counters kept in locals (class fields would cost an exclusivity check each).
    static func sendLines(_ session: Session) throws(Exit) {
        let input = session.input
        let delimiter = session.invocation.input.delimiter
        let limit = session.invocation.count ?? Int.max
        let socket = session.socket
        var total = session.stats.sentMessages
        var sent = 0  // not yet added to session.stats
        var bytes = 0
        defer {
            session.stats.sentMessages += sent
            session.stats.sentBytes += bytes
            if sent > 0 { session.stats.noteActivity() }
        }
        while total < limit {
            let unread = input.unread
            let frame: UnsafeRawBufferPointer
            if let end = unread.firstIndex(of: delimiter) {
                frame = UnsafeRawBufferPointer(rebasing: unread[0..<end])
                input.consume(end + 1)
            } else if input.atEnd {
                guard unread.count > 0 else { return }
                frame = unread
                input.consume(unread.count)
            } else {
                try input.fill(record: total + 1)
                continue
            }
            let done: Bool
            do { done = try socket.send(frame, flags: .dontWait) } catch { done = false }
            if !done {
                // would block, or a real error: the general path waits, counts and reports
                session.stats.sentMessages += sent
                session.stats.sentBytes += bytes
                (sent, bytes) = (0, 0)
                try session.send([frame], record: total + 1)
                total += 1
                continue
            }
            sent += 1
            bytes += frame.count
            total += 1
            if sent == 1 { session.stats.noteActivity() }  // the active period starts at the first message
        }
    }

    static func repeatFixed(_ message: [[UInt8]], _ session: Session) throws(Exit) {
        try session.repeatFixed(message) { (frames, record) throws(Exit) in try session.send(frames, record: record) }
    }

    /// The bytes of --file PATH, refused past the input limit (`--file /dev/zero` has no end).
    static func readFile(_ path: String, _ invocation: Invocation) throws(Exit) -> [UInt8] {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw Exit.runtime("cannot read --file \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let reader = InputReader(fd: fd, name: "--file \(path)", capacity: 64 * 1024)
        reader.recordLimit = invocation.inputBytes(in: .raw, slack: 1)  // a file of exactly the limit is fine
        reader.recordLimitName = invocation.inputLimitName
        do throws(Exit) {
            while try reader.fill(record: 1) {}
        } catch {
            guard case let .badInput(reason) = error else { throw error }
            throw Exit.runtime(reason, hint: "--max-msg-size BYTES takes a larger file")
        }
        return Array(reader.unread)
    }

    /// pub --wait-subscribers: counts subscribers through the XPUB's subscription messages
    /// (XPUB_VERBOSE, so every subscriber's subscription shows) and completed handshakes.
    static func waitForSubscribers(_ count: Int, _ session: Session) throws(Exit) {
        let invocation = session.invocation
        let deadline = Deadline(after: invocation.timeout)
        let started = Clock.now()
        var noticed = false
        var message = Message()
        while true {
            while true {
                let got: Bool
                do { got = try session.socket.receive(&message, dontWait: true) } catch {
                    if error == .interrupted { try Signals.check(); continue }
                    throw Exit.runtime("cannot receive subscriptions: \(error)")
                }
                guard got else { break }
                if message.count > 0 {
                    let kind = message.bytes[0]
                    if kind == 1 { _ = try session.countSubscription() }
                }
            }
            try session.peers.drain()
            let present = session.subscribersCounted
            if present >= count { return }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                session.diagnostics.note("waiting for \(count - present) more subscriber\(count - present == 1 ? "" : "s") (--wait-subscribers \(count))")
            }
            guard try session.wait(for: .readable, until: deadline) || present >= count else {
                throw Exit.timeout("\(present) of \(count) subscriber\(count == 1 ? "" : "s") arrived within --timeout \(invocation.timeout!)")
            }
        }
    }
}

/// Reads stdin through a decoder and sends each message.
struct StdinSender: DecoderUser {
    let session: Session

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let input = session.input
        let limit = session.invocation.count ?? Int.max
        var frames: [UnsafeRawBufferPointer] = []
        frames.reserveCapacity(8)
        var record = 0
        var sent = 0
        let format = session.invocation.input.format
        while sent < limit, try input.nextMessage(&decoder, into: &frames, record: &record, format: format) {
            try session.send(frames, record: record)
            sent += 1
        }
    }
}
