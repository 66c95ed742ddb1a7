// bench's data paths, as lean as libzmq's perf programs: one Message reused for every receive,
// and sends that copy a template (zmq_msg_copy shares its buffer: no allocation per message).
// No I/O, no clocks but the monotonic one, no decisions: the command (Commands/Bench.swift) wires them.
import Glibc
import ZMQ

/// What went wrong in a loop, in words for the command's error line.
struct BenchFailure: Error, Equatable, Sendable {
    let message: String
    /// The loop ended because the context was shut down (the other side failed, or a signal).
    var stopped = false

    init(_ message: String, stopped: Bool = false) {
        self.message = message
        self.stopped = stopped
    }

    init(_ error: ZMQError, _ doing: String) {
        self.init("\(doing): \(error)", stopped: error == .terminated || error == .interrupted)
    }
}

enum BenchLoops {
    /// Sends `count` messages of `size` zero bytes (remote_thr's loop).
    static func send(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) {
        let template = Message(zeros: size)
        var message = Message()
        for _ in 0..<count {
            message.copy(from: template)
            try send(socket, &message)
        }
    }

    /// Receives `count` messages of `size` bytes and returns the nanoseconds from the first to the
    /// last (local_thr's loop and timing).
    static func receive(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) -> Int {
        var message = Message()
        try receive(socket, &message, size: size)
        let start = Clock.nanoseconds()
        for _ in 1..<count { try receive(socket, &message, size: size) }
        return Clock.nanoseconds() - start
    }

    /// Answers `count` requests with themselves (local_lat's loop).
    static func echo(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) {
        var message = Message()
        for _ in 0..<count {
            try receive(socket, &message, size: size)
            try send(socket, &message)
        }
    }

    /// Makes `count` round trips of a `size`-byte request, each reply sent back as the next
    /// request (remote_lat's loop), and returns each round trip's nanoseconds and the total.
    static func roundTrips(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) -> (trips: [Int], total: Int) {
        var trips = [Int](repeating: 0, count: count)
        var message = Message(zeros: size)
        let start = Clock.nanoseconds()
        var sent = start
        for i in 0..<count {
            try send(socket, &message)
            try receive(socket, &message, size: size)
            let now = Clock.nanoseconds()
            trips[i] = now - sent
            sent = now
        }
        return (trips, sent - start)
    }

    /// One blocking send, retried when a signal interrupts it but none is pending.
    @inline(__always)
    static func send(_ socket: Socket, _ message: inout Message) throws(BenchFailure) {
        while true {
            do {
                _ = try socket.send(&message)
                return
            } catch {
                if error == .interrupted && Signals.pending == 0 { continue }
                throw BenchFailure(error, "sending")
            }
        }
    }

    /// One blocking receive, retried when a signal interrupts it but none is pending; the size checked.
    @inline(__always)
    static func receive(_ socket: Socket, _ message: inout Message, size: Int) throws(BenchFailure) {
        while true {
            do {
                _ = try socket.receive(&message)
                break
            } catch {
                if error == .interrupted && Signals.pending == 0 { continue }
                throw BenchFailure(error, "receiving")
            }
        }
        guard message.count == size else {
            throw BenchFailure("a message of \(Words.count(message.count, "byte")) arrived where \(size) were expected",
                               stopped: false)
        }
    }
}
