// Receiving: one reused Message, each frame handed to the encoder as it arrives, output flushed
// whenever nothing more is waiting (before any blocking wait).
import Glibc
import ZMQ

extension Session {
    /// Receives and writes every message that is already waiting, up to `limit` in total.
    /// Returns how many it wrote.
    @inline(__always)
    func receiveWaiting<E: MessageEncoder>(_ encoder: inout E, _ message: inout Message, limit: Int?,
                                           transform: ((inout Message) -> Void)? = nil) throws(Exit) -> Int {
        var got = 0
        while limit.map({ stats.receivedMessages < $0 }) ?? true {
            let received: Bool
            do { received = try socket.receive(&message, dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw Exit.runtime("cannot receive: \(error)")
            }
            guard received else { break }
            try writeReceived(&encoder, &message, transform: transform)
            got += 1
        }
        if got > 0 { stats.noteActivity() }
        return got
    }

    /// Writes the message whose first frame is in `message`, receiving the rest of its frames.
    @inline(__always)
    func writeReceived<E: MessageEncoder>(_ encoder: inout E, _ message: inout Message,
                                          transform: ((inout Message) -> Void)? = nil) throws(Exit) {
        var index = 0
        var traced: [[UInt8]] = []
        while true {
            if index == 0, let transform { transform(&message) }
            let more = message.hasMore
            let bytes = message.bytes
            stats.receivedBytes += bytes.count
            if diagnostics.verbosity >= 2 { traced.append(Array(bytes)) }
            try encoder.frame(bytes, index: index, more: more, to: output)
            if !more { break }
            index += 1
            try receiveNextFrame(&message)
        }
        stats.receivedMessages += 1
        if diagnostics.verbosity >= 2 {
            diagnostics.trace("received " + traced.withFramePointers { Session.describe($0) })
        }
        try output.flushIfFull()
    }

    /// Receives the next frame of a message (always there: libzmq delivers messages whole),
    /// retrying when a signal interrupts.
    func receiveNextFrame(_ message: inout Message) throws(Exit) {
        while true {
            do { _ = try socket.receive(&message); return } catch {
                if error != .interrupted { throw Exit.runtime("cannot receive: \(error)") }
                try Signals.check()
            }
        }
    }

    /// Waits for the next frame: flushes the output (nothing more is immediately waiting), then
    /// poll(2) on the socket's and the monitor's ZMQ_FD and on stdout, with no timeout unless
    /// `deadline` sets one. zmq_poll would cost six syscalls a wait here (a first pass with
    /// timeout 0, ZMQ_EVENTS before and after for each socket), a finite timeout arms a kernel
    /// timer on every call; this is libzmq's own integration pattern: take every pending command
    /// first, so that an edge the fd already signalled is not lost, then poll(2). The
    /// non-blocking receive that found nothing has just done that (a non-blocking zmq_msg_recv
    /// processes the commands before it says EAGAIN), so ZMQ_EVENTS would only repeat it.
    /// Signals, security failures, monitor events and a reader that left stdout are answered as
    /// they happen. Returns false when the deadline passed.
    func receiveBlocking(_ message: inout Message, until deadline: Deadline) throws(Exit) -> Bool {
        if deadline.at == nil && !watchesWhileWaiting {
            // nothing to watch: libzmq's plain blocking receive, one syscall a wait (signals still
            // interrupt it)
            while true {
                try Signals.check()
                do {
                    if try socket.receive(&message) {
                        stats.noteActivity()
                        return true
                    }
                } catch {
                    if error != .interrupted { throw Exit.runtime("cannot receive: \(error)") }
                }
            }
        }
        var deadline = deadline
        while true {
            do {
                if try socket.receive(&message, dontWait: true) {
                    stats.noteActivity()
                    return true
                }
            } catch {
                if error != .interrupted { throw Exit.runtime("cannot receive: \(error)") }
            }
            // look at the socket again after a flush: more may have come while stdout was slow
            if let spent = try flushOutput() {
                deadline = deadline.postponed(by: spent)
                continue
            }
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed { return false }
            if waitFDsSocket !== socket {
                waitFDs = [pollfd(fd: (try? socket.get(.fileDescriptor)) ?? -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: (try? peers.monitor.socket.get(.fileDescriptor)) ?? -1, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: io.output, events: 0, revents: 0),
                           pollfd(fd: Signals.wakeFD, events: Int16(POLLIN), revents: 0)]
                waitFDsSocket = socket
            }
            for i in waitFDs.indices { waitFDs[i].revents = 0 }
            let rc = Glibc.poll(&waitFDs, 4, Int32(clamping: deadline.remaining(cap: peers.untilDue(cap: nil))))
            if waitFDs[3].revents != 0 { Signals.drainWake() }
            if rc < 0 && errno != EINTR { throw Exit.runtime("poll failed: \(String(cString: strerror(errno)))") }
            if waitFDs[1].revents != 0 { try peers.drain() } else { peers.tick() }
            if waitFDs[2].revents & Int16(POLLERR | POLLHUP) != 0 { throw Exit.outputClosed }
        }
    }

    /// Writes out what is buffered for stdout, if anything, and returns the milliseconds that
    /// took (nil when there was nothing to write): time spent blocked on a slow reader of stdout
    /// is not silence on the socket, so callers move their deadlines on by it.
    func flushOutput() throws(Exit) -> Int? {
        guard output.hasBuffered else { return nil }
        let started = Clock.now()
        try output.flush()
        return Clock.now() - started
    }

    /// Whether a wait must also watch monitor events and stdout: with -v or --events (they report
    /// events as they come), with a connect endpoint (a handshake refused for security reasons there
    /// ends the run with status 4), or when the command writes stdout (its reader may leave).
    var watchesWhileWaiting: Bool {
        diagnostics.verbosity > 0 || invocation.events != nil || writesStdout
            || invocation.endpoints.contains { $0.role == .connect }
    }

    /// Whether this run writes messages to stdout (rep only in coprocess mode).
    var writesStdout: Bool {
        invocation.command == .rep ? invocation.reply == .stdin : invocation.command.writesOutput
    }

    /// Whether the reader of stdout went away (a pipe reports an error without being written to).
    func outputClosed() -> Bool {
        var p = pollfd(fd: io.output, events: 0, revents: 0)
        return Glibc.poll(&p, 1, 0) > 0 && p.revents & Int16(POLLERR | POLLHUP) != 0
    }
}

/// Code that runs with a concrete encoder type, so its loop is specialised per format.
protocol EncoderUser {
    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit)
}

/// Code that runs with a concrete decoder type.
protocol DecoderUser {
    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit)
}

private struct EncoderCapture: EncoderUser {
    let store: (any MessageEncoder) -> Void
    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit) { store(encoder) }
}

extension Framing {
    /// The encoder for this framing as an existential, for loops that are not the throughput path.
    /// `diagnostics` is where line format says a message is ambiguous (nil: not stdout, say nothing).
    func makeEncoder(diagnostics: Diagnostics?) -> any MessageEncoder {
        var chosen: (any MessageEncoder)?
        try? withEncoder(diagnostics: diagnostics, EncoderCapture { chosen = $0 })
        return chosen!
    }

    /// Calls `user` with the encoder for this framing: the one switch over output formats.
    func withEncoder(diagnostics: Diagnostics?, _ user: some EncoderUser) throws(Exit) {
        switch format {
        case .line:
            var e = LineEncoder(delimiter: delimiter, separator: separator, diagnostics: diagnostics)
            try user.use(&e)
        case .raw:
            var e = RawEncoder()
            try user.use(&e)
        case .quoted, .hex, .base64:
            var e = TextEncoder(format: format)
            try user.use(&e)
        case .json:
            var e = JSONEncoder()
            try user.use(&e)
        case .zmtp:
            var e = ZMTPEncoder()
            try user.use(&e)
        }
    }

    /// Calls `user` with the decoder for this framing: the one switch over input formats.
    func withDecoder(sizeLimit: Int64?, _ user: some DecoderUser) throws(Exit) {
        switch format {
        case .line:
            var d = LineDecoder(delimiter: delimiter, separator: separator)
            try user.use(&d)
        case .raw:
            var d = RawDecoder()
            try user.use(&d)
        case .quoted, .hex, .base64, .json:
            var d = TextDecoder(format: format)
            try user.use(&d)
        case .zmtp:
            var d = ZMTPDecoder()
            if let sizeLimit { d.sizeLimit = UInt64(sizeLimit) }
            try user.use(&d)
        }
    }
}
