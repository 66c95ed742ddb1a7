// Receiving: one reused Message, each frame handed to the encoder as it arrives, output flushed
// whenever nothing more is waiting (before any blocking wait).
import Glibc
import ZMQ

extension Channel {
    /// Receives and writes every message that is already waiting, up to `limit` in total.
    /// Returns how many it wrote. The counters are kept in locals and added once per batch: the
    /// run's counters are another object's, and each access would cost an exclusivity check.
    @inline(__always)
    func receiveWaiting<E: MessageEncoder>(_ encoder: inout E, _ message: inout Message, limit: Int?,
                                           transform: ((inout Message) -> Void)? = nil) throws(Exit) -> Int {
        let socket = self.socket
        let room = limit.map { $0 - scope.stats.receivedMessages } ?? Int.max
        var got = 0
        var bytes = 0
        defer {
            if got > 0 {
                scope.stats.receivedMessages += got
                scope.stats.receivedBytes += bytes
                scope.stats.noteActivity()
            }
        }
        while got < room {
            let received: Bool
            do { received = try socket.receive(&message, dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw Exit.runtime("cannot receive: \(error)")
            }
            guard received else { break }
            got += 1
            bytes += try writeFrames(&encoder, &message, transform: transform, sequence: scope.stats.receivedMessages + got)
        }
        return got
    }

    /// Writes the message whose first frame is in `message`, receiving the rest of its frames.
    func writeReceived<E: MessageEncoder>(_ encoder: inout E, _ message: inout Message,
                                          transform: ((inout Message) -> Void)? = nil) throws(Exit) {
        let bytes = try writeFrames(&encoder, &message, transform: transform, sequence: scope.stats.receivedMessages + 1)
        scope.stats.receivedMessages += 1
        scope.stats.receivedBytes += bytes
    }

    /// Encodes each frame of the message as it arrives, then runs the run's message steps (see
    /// MessageSink.swift); returns the message's size in bytes.
    @inline(__always)
    private func writeFrames<E: MessageEncoder>(_ encoder: inout E, _ message: inout Message,
                                                transform: ((inout Message) -> Void)?, sequence: Int) throws(Exit) -> Int {
        let output = self.output
        let steps = scope.steps
        var index = 0
        var size = 0
        var collected: [[UInt8]] = []
        while true {
            if index == 0, let transform { transform(&message) }
            let more = message.hasMore
            let bytes = message.bytes
            size += bytes.count
            if steps.needsFrames { collected.append(Array(bytes)) }
            try encoder.frame(bytes, index: index, more: more, to: output)
            if !more { break }
            index += 1
            try receiveNextFrame(&message)
        }
        if !steps.isEmpty { try steps.run(sequence: sequence, size: size, frames: collected, last: message) }
        try output.flushIfFull()
        return size
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

    /// Waits for the next frame: flushes the output (nothing more is immediately waiting; the
    /// time that takes does not count toward `deadline`), then waits on the event loop, which
    /// answers signals, security failures, monitor events and a reader that left stdout as they
    /// happen. The non-blocking receive that found nothing has taken every pending command, so
    /// the loop goes straight to poll(2) on the socket's ZMQ_FD. Returns false when the deadline
    /// passed (after one last look, so nothing libzmq holds is dropped).
    func receiveBlocking(_ message: inout Message, until deadline: Deadline) throws(Exit) -> Bool {
        if deadline.at == nil && !watchesWhileWaiting {
            // nothing to watch: libzmq's plain blocking receive, one syscall a wait (signals still
            // interrupt it)
            while true {
                try Signals.check()
                do {
                    if try socket.receive(&message) {
                        scope.stats.noteActivity()
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
                    scope.stats.noteActivity()
                    return true
                }
            } catch {
                if error != .interrupted { throw Exit.runtime("cannot receive: \(error)") }
                continue
            }
            // look at the socket again after a flush: more may have come while stdout was slow
            if let spent = try scope.flushOutput() {
                deadline = deadline.postponed(by: spent)
                continue
            }
            if deadline.hasPassed { return false }
            _ = try wait(for: .readable, until: deadline, drained: true)
        }
    }
}
