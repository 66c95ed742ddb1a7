// Sending: a message's frames go to libzmq without blocking; when the socket cannot take more,
// the event loop waits (bounded by --timeout) while monitor events and signals are still served.
import ZMQ

extension Channel {
    /// Sends one message, waiting (bounded by --timeout) while the socket cannot take it.
    @inline(__always)
    func send(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        var next = try sendFrames(frames, from: 0, record: record)
        if next == frames.count { return }
        let deadline = Deadline(after: invocation.timeout)
        while next < frames.count {
            guard try wait(for: .writable, until: deadline, drained: true) else {
                throw Exit.timeout("could not send message \(record) within --timeout \(invocation.timeout!): "
                                   + (peers.tracker.ready == 0 ? "no peer is connected" : "the peers are not taking messages"))
            }
            next = try sendFrames(frames, from: next, record: record)
        }
    }

    /// Sends frames from `start` on without blocking; returns the index of the first frame not
    /// sent (`frames.count` when the message is complete).
    @inline(__always)
    func sendFrames(_ frames: [UnsafeRawBufferPointer], from start: Int, record: Int) throws(Exit) -> Int {
        let last = frames.count - 1
        if start == 0 { try check(frames, record: record) }
        let socket = self.socket
        var i = start
        var bytes = 0
        defer { scope.stats.sentBytes += bytes }  // once a call: another object's counters cost a check each
        while i <= last {
            let frame = frames[i]
            let sent: Bool
            do { sent = try socket.send(frame, flags: i < last ? [.dontWait, .more] : .dontWait) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw sendError(error, record: record)
            }
            if !sent { return i }
            bytes += frame.count
            i += 1
        }
        scope.stats.sentMessages += 1
        scope.stats.noteActivity()
        if diagnostics.verbosity >= 2 { diagnostics.trace("sent " + Words.describe(frames)) }
        return i
    }

    /// What a message must be before it is sent: no frame over --max-msg-size; and a multipart
    /// message under --conflate is said to lose frames.
    private func check(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        if let max = invocation.socket.maxMessageSize {
            for frame in frames where frame.count > max {
                throw Exit.badInput("message \(record) has a frame of \(frame.count) bytes, over --max-msg-size \(max)")
            }
        }
        if frames.count > 1 && invocation.socket.conflate {
            diagnostics.warnOnce("conflate", "message \(record) has \(frames.count) frames, but --conflate keeps single-frame messages only: libzmq queues just one of its frames; drop --conflate to send multipart messages")
        }
    }

    func sendError(_ error: ZMQError, record: Int) -> Exit {
        if error == .hostUnreachable {
            return .unroutable("message \(record): no connected peer has that routing id")
        }
        return .runtime("cannot send message \(record): \(error)")
    }
}
