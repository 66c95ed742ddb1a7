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
    /// Nothing came (or could go) within -t.
    var timedOut = false
    /// What the measuring end had measured when the loop ended.
    var partial: BenchSummary?
    /// How many messages (requests) a loop that does not measure got through.
    var done: Int?

    init(_ message: String, stopped: Bool = false, timedOut: Bool = false) {
        self.message = message
        self.stopped = stopped
        self.timedOut = timedOut
    }

    init(_ error: ZMQError, _ doing: String) {
        self.init("\(doing): \(error)", stopped: error == .terminated || error == .interrupted, timedOut: error == .wouldBlock)
    }
}

/// How far a measuring loop got: messages received (round trips made), when the first arrived
/// (the first request went) and when the last did, and each round trip's nanoseconds.
struct BenchProgress: Equatable, Sendable {
    var done = 0
    var start = 0
    var end = 0
    var trips: [Int] = []
}

enum BenchLoops {
    /// Sends `count` messages of `size` zero bytes (remote_thr's loop); `progress.done` counts them.
    static func send(_ socket: Socket, size: Int, count: Int, progress: inout BenchProgress) throws(BenchFailure) {
        let template = Message(zeros: size)
        var message = Message()
        for i in 0..<count {
            try stopIfSignalled(i)
            message.copy(from: template)
            try send(socket, &message)
            progress.done = i + 1
        }
    }

    static func send(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) {
        var progress = BenchProgress()
        try send(socket, size: size, count: count, progress: &progress)
    }

    /// A stop signal ends a loop even when it never blocks (messages always waiting, so no call
    /// is interrupted): looked at every 4096 messages, an atomic load.
    @inline(__always)
    static func stopIfSignalled(_ i: Int) throws(BenchFailure) {
        if i & 4095 == 0, Signals.pending != 0 { throw BenchFailure("interrupted", stopped: true) }
    }

    /// Receives `count` messages of `size` bytes, timed from the first to the last (local_thr's
    /// loop and timing); `progress` says how far it got, also when it throws.
    static func receive(_ socket: Socket, size: Int, count: Int, progress: inout BenchProgress) throws(BenchFailure) {
        var message = Message()
        try receive(socket, &message, size: size)
        progress.start = Clock.nanoseconds()
        progress.done = 1
        defer { progress.end = Clock.nanoseconds() }
        for i in 1..<count {
            try stopIfSignalled(i)
            try receive(socket, &message, size: size)
            progress.done += 1
        }
    }

    /// receive(_:size:count:progress:)'s nanoseconds, for a loop that must run to its end.
    static func receive(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) -> Int {
        var progress = BenchProgress()
        try receive(socket, size: size, count: count, progress: &progress)
        return progress.end - progress.start
    }

    /// Answers `count` requests with themselves (local_lat's loop); `progress.done` counts them.
    static func echo(_ socket: Socket, size: Int, count: Int, progress: inout BenchProgress) throws(BenchFailure) {
        var message = Message()
        for i in 0..<count {
            try stopIfSignalled(i)
            try receive(socket, &message, size: size)
            try send(socket, &message)
            progress.done = i + 1
        }
    }

    static func echo(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) {
        var progress = BenchProgress()
        try echo(socket, size: size, count: count, progress: &progress)
    }

    /// Makes `count` round trips of a `size`-byte request, each reply sent back as the next
    /// request (remote_lat's loop): each round trip's nanoseconds go to `progress`.
    static func roundTrips(_ socket: Socket, size: Int, count: Int, progress: inout BenchProgress) throws(BenchFailure) {
        progress.trips = [Int](repeating: 0, count: count)
        var message = Message(zeros: size)
        progress.start = Clock.nanoseconds()
        progress.end = progress.start
        for i in 0..<count {
            try stopIfSignalled(i)
            try send(socket, &message)
            try receive(socket, &message, size: size)
            let now = Clock.nanoseconds()
            progress.trips[i] = now - progress.end
            progress.end = now
            progress.done = i + 1
        }
    }

    /// roundTrips(_:size:count:progress:)'s round trips and their total.
    static func roundTrips(_ socket: Socket, size: Int, count: Int) throws(BenchFailure) -> (trips: [Int], total: Int) {
        var progress = BenchProgress()
        try roundTrips(socket, size: size, count: count, progress: &progress)
        return (progress.trips, progress.end - progress.start)
    }

    /// One blocking send, retried when a signal interrupts it but none is pending.
    @inline(__always)
    static func send(_ socket: Socket, _ message: inout Message) throws(BenchFailure) {
        while true {
            let sent: Bool
            do { sent = try socket.send(&message) } catch {
                if error == .interrupted && Signals.pending == 0 { continue }
                throw BenchFailure(error, "sending")
            }
            // false: -t ran out (ZMQ_SNDTIMEO)
            guard sent else { throw BenchFailure("sending: nothing took the message within -t", timedOut: true) }
            return
        }
    }

    /// One blocking receive, retried when a signal interrupts it but none is pending; the size checked.
    @inline(__always)
    static func receive(_ socket: Socket, _ message: inout Message, size: Int) throws(BenchFailure) {
        while true {
            let received: Bool
            do { received = try socket.receive(&message) } catch {
                if error == .interrupted && Signals.pending == 0 { continue }
                throw BenchFailure(error, "receiving")
            }
            // false: -t ran out (ZMQ_RCVTIMEO)
            guard received else { throw BenchFailure("receiving: nothing arrived within -t", timedOut: true) }
            break
        }
        guard message.count == size else {
            throw BenchFailure("a message of \(Words.count(message.count, "byte")) arrived where \(size) were expected",
                               stopped: false)
        }
    }
}
