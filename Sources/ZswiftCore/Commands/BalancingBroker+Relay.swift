// The two ROUTER sockets of a balancing broker and what goes out on them: frames sent in place
// from the receive buffer (no copy per frame), a worker that has gone told apart from a full
// pipe, the relay counters, and the --capture copies (tagged with their direction, sent to the
// capture's XPUB, which drops rather than block).
import ZMQ

/// A client's request held while every worker is busy: its frames copied into one buffer.
struct HeldRequest {
    let bytes: [UInt8]
    /// Where each frame ends in `bytes`.
    let ends: [Int]

    init<Frames: RandomAccessCollection>(_ frames: Frames) where Frames.Element == UnsafeRawBufferPointer {
        var bytes: [UInt8] = []
        var ends: [Int] = []
        ends.reserveCapacity(frames.count)
        for frame in frames {
            bytes.append(contentsOf: frame)
            ends.append(bytes.count)
        }
        self.bytes = bytes
        self.ends = ends
    }

    /// Calls `body` with the frames in place.
    func withFrames<R>(_ body: ([UnsafeRawBufferPointer]) throws(Exit) -> R) throws(Exit) -> R {
        let result = bytes.withUnsafeBytes { raw in
            var frames: [UnsafeRawBufferPointer] = []
            frames.reserveCapacity(ends.count)
            var start = 0
            for end in ends {
                frames.append(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                start = end
            }
            return Result { () throws(Exit) -> R in try body(frames) }
        }
        return try result.get()
    }
}

final class Relay {
    /// Messages and bytes one way.
    struct Count {
        var messages = 0
        var bytes = 0
    }

    /// What a send to a worker came to.
    enum Sent {
        case sent
        /// The backend has no peer of that id (it disconnected).
        case unreachable
        /// Its pipe is full: it has taken no request for a long time.
        case full
    }

    let front: Socket
    let back: Socket
    let capture: Socket?
    /// Requests received from clients, and replies sent to them.
    var up = Count()
    var down = Count()
    /// Messages copied to the capture.
    private(set) var captured = 0

    init(front: Socket, back: Socket, capture: Socket?) {
        self.front = front
        self.back = back
        self.capture = capture
    }

    /// Sends `[worker, ""?, frames...]` on the backend: the empty frame for a REQ worker.
    func toWorker<Frames: RandomAccessCollection>(_ worker: [UInt8], delimited: Bool, _ frames: Frames) throws(Exit) -> Sent
    where Frames.Element == UnsafeRawBufferPointer {
        do {
            guard try back.send(worker, flags: [.more, .dontWait]) else { return .full }
            if delimited { _ = try back.send(UnsafeRawBufferPointer(start: nil, count: 0), flags: .more) }
            try send(frames, on: back)
        } catch {
            if error == .hostUnreachable { return .unreachable }
            throw Exit.runtime("cannot send to a worker: \(error)")
        }
        return .sent
    }

    /// Sends frames built as arrays (protocol messages: heartbeats, Majordomo) on `socket`.
    func send(_ frames: [[UInt8]], on socket: Socket) throws(Exit) -> Sent {
        do {
            return try socket.send(frames, dontWait: true) ? .sent : .full
        } catch {
            if error == .hostUnreachable { return .unreachable }
            throw Exit.runtime("cannot send: \(error)")
        }
    }

    /// Sends a reply, `[client id, ..., "", reply...]`, on the frontend. A client that has gone is
    /// no error: the ROUTER drops it.
    func toClient<Frames: RandomAccessCollection>(_ frames: Frames) throws(Exit) where Frames.Element == UnsafeRawBufferPointer {
        do { try send(frames, on: front) } catch {
            throw Exit.runtime("cannot send to a client: \(error)")
        }
    }

    private func send<Frames: Collection>(_ frames: Frames, on socket: Socket) throws(ZMQError)
    where Frames.Element == UnsafeRawBufferPointer {
        var left = frames.count
        for frame in frames {
            left -= 1
            _ = try socket.send(frame, flags: left > 0 ? [.more, .dontWait] : .dontWait)
        }
    }

    // MARK: - Counting and capture

    /// A client's request came in (counted whether it is relayed, held or refused).
    func countUp<Frames: Collection>(_ frames: Frames) where Frames.Element == UnsafeRawBufferPointer {
        up.messages += 1
        for frame in frames { up.bytes += frame.count }
    }

    /// A reply went to a client.
    func countDown<Frames: Collection>(_ frames: Frames) where Frames.Element == UnsafeRawBufferPointer {
        down.messages += 1
        for frame in frames { down.bytes += frame.count }
    }

    /// Copies a relayed message to the capture after a one-byte frame with its direction, ">" to
    /// the workers, "<" to the clients. Never waits: the XPUB drops what its reader has no room for.
    func copy<Frames: Collection>(_ direction: UInt8, _ frames: Frames) where Frames.Element == UnsafeRawBufferPointer {
        guard let capture else { return }
        captured += 1
        var arrow = direction
        withUnsafeBytes(of: &arrow) { _ = try? capture.send($0, flags: [.more, .dontWait]) }
        _ = try? send(frames, on: capture)
    }

    /// The same for frames built as arrays.
    func copy(_ direction: UInt8, arrays frames: [[UInt8]]) {
        guard let capture else { return }
        captured += 1
        _ = try? capture.send([[direction]] + frames, dontWait: true)
    }
}
