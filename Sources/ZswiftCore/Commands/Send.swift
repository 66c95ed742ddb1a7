// push and pub: every input message is sent; at the end what was sent is delivered before exit.
// pub with --wait-subscribers opens an XPUB (which behaves as a PUB) so it can count subscribers.
import Glibc
import ZMQ

enum SendCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let invocation = scope.invocation
        let needsXPUB = invocation.command == .pub && invocation.waitSubscribers != nil
        let channel = try scope.open(needsXPUB ? .xpub : nil)
        try startSending(channel)
        var inputError: Exit?
        do throws(Exit) { try sendAll(channel) } catch {
            guard case .badInput = error else { throw error }
            inputError = error
        }
        try channel.deliver()
        if let inputError { throw inputError }
    }

    /// What every sender does before its first message: wait for peers or subscribers, then --delay.
    static func startSending(_ channel: Channel) throws(Exit) {
        let invocation = channel.invocation
        if let n = invocation.waitSubscribers {
            if channel.type == .xpub { try? channel.socket.set(.xpubVerbose, true) }
            try waitForSubscribers(n, channel)
        }
        if let n = invocation.waitPeers { try channel.waitForPeers(n) }
        if let delay = invocation.delay { try channel.scope.pause(delay) }
    }

    /// Sends every message of the source, stopping after --count.
    static func sendAll(_ channel: Channel) throws(Exit) {
        let invocation = channel.invocation
        switch invocation.source {
        case .stdin where invocation.input.format == .line && invocation.input.separator == nil
            && invocation.socket.maxMessageSize == nil && channel.diagnostics.verbosity < 2:
            try sendLines(channel)
        case .stdin:
            try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, StdinSender(channel: channel))
        case .frames, .file:
            var source = RepeatedMessage(try invocation.fixedMessage()!, count: invocation.count, interval: invocation.interval)
            try channel.scope.sendAll(from: &source) { (frames, record) throws(Exit) in try channel.send(frames, record: record) }
        }
    }

    /// The throughput path: one frame per line, straight from the read buffer to zmq_send,
    /// with the counters kept in locals (class fields would cost an exclusivity check each).
    static func sendLines(_ channel: Channel) throws(Exit) {
        let scope = channel.scope
        let input = scope.input
        let delimiter = channel.invocation.input.delimiter
        let limit = channel.invocation.count ?? Int.max
        let socket = channel.socket
        var total = scope.stats.sentMessages
        var sent = 0  // not yet added to scope.stats
        var bytes = 0
        defer {
            scope.stats.sentMessages += sent
            scope.stats.sentBytes += bytes
            if sent > 0 { scope.stats.noteActivity() }
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
                scope.stats.sentMessages += sent
                scope.stats.sentBytes += bytes
                (sent, bytes) = (0, 0)
                try channel.send([frame], record: total + 1)
                total += 1
                continue
            }
            sent += 1
            bytes += frame.count
            total += 1
            if sent == 1 { scope.stats.noteActivity() }  // the active period starts at the first message
        }
    }

    /// pub --wait-subscribers: counts subscribers through the XPUB's subscription messages
    /// (XPUB_VERBOSE, so every subscriber's subscription shows) and completed handshakes.
    static func waitForSubscribers(_ count: Int, _ channel: Channel) throws(Exit) {
        let invocation = channel.invocation
        let notice = channel.scope.notice(after: 1000) {
            let left = count - channel.subscribers.counted
            channel.diagnostics.note("waiting for \(Words.count(left, "more subscriber")) (--wait-subscribers \(count))")
        }
        defer { notice.map(channel.scope.reactor.cancel) }
        let deadline = Deadline(after: invocation.timeout)
        var message = Message()
        while true {
            while true {
                let got: Bool
                do { got = try channel.socket.receive(&message, dontWait: true) } catch {
                    if error == .interrupted { try Signals.check(); continue }
                    throw Exit.runtime("cannot receive subscriptions: \(error)")
                }
                guard got else { break }
                if message.count > 0 && message.bytes[0] == 1 { try channel.countSubscription() }
            }
            let present = channel.subscribers.counted
            if present >= count { return }
            guard try channel.wait(for: .readable, until: deadline, drained: true) else {
                throw Exit.timeout("\(present) of \(Words.count(count, "subscriber")) arrived within --timeout \(invocation.timeout!)")
            }
        }
    }
}

/// Reads stdin through a decoder and sends each message.
struct StdinSender: DecoderUser {
    let channel: Channel

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        var source = DecodedInput(decoder, input: channel.scope.input, format: channel.invocation.input.format)
        try channel.scope.sendAll(from: &source) { (frames, record) throws(Exit) in try channel.send(frames, record: record) }
    }
}
