// The Paranoid Pirate wire as the zguide's ppqueue and ppworker speak it, plus the zguide's plain
// lbworker (a REQ socket that says "READY" first): what a ROUTER backend receives from a worker,
// what a worker's DEALER receives from the broker, and the frames to send each way. Parsing reads
// frames in place (any collection of byte collections, e.g. a MultipartMessage's pointers) and
// answers ranges of frames to forward, so the broker copies nothing; bad input is a value.

/// What a worker sent to the broker, once its routing id is taken off.
enum PirateMessage: Equatable, Sendable {
    /// `\x01` from a DEALER worker, or "READY" after a REQ worker's empty delimiter.
    case ready(WorkerKind)
    /// `\x02` from a DEALER worker.
    case heartbeat
    /// A reply: the frames in `forward` (the client's envelope, the empty delimiter, the reply
    /// body) go to the frontend as they are.
    case reply(WorkerKind, forward: Range<Int>)
}

/// What a worker's DEALER received from the broker.
enum PirateRequest: Equatable, Sendable {
    /// `\x02`: the broker is alive.
    case heartbeat
    /// A request: the frames in `envelope` (the client's address) go back in front of the reply,
    /// then an empty frame, then the reply; `body` is the request itself.
    case request(envelope: Range<Int>, body: Range<Int>)
}

/// Why frames are not a Paranoid Pirate message; `description` says it in words.
enum PirateWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No frames at all.
    case empty
    /// A ROUTER message with a routing id and nothing else.
    case nothingAfterRoutingID
    /// A single frame that is neither `\x01` READY nor `\x02` HEARTBEAT.
    case unknownCommand([UInt8])
    /// A REQ worker's message with nothing after its empty delimiter.
    case nothingAfterDelimiter
    /// Frames that should start with an address envelope closed by an empty frame, and do not.
    case noEnvelope

    var description: String {
        switch self {
        case .empty: "an empty message"
        case .nothingAfterRoutingID: "a message with only a routing id"
        case .unknownCommand(let bytes): "a one-frame message that is not READY (01) or HEARTBEAT (02): \(PirateWire.show(bytes))"
        case .nothingAfterDelimiter: "a message with nothing after its empty delimiter frame"
        case .noEnvelope: "a message with no client envelope (no empty delimiter frame): not a Paranoid Pirate worker's reply"
        }
    }
}

/// Paranoid Pirate constants, parsers and frame builders.
enum PirateWire {
    /// A DEALER worker's announcement.
    static let ready: [UInt8] = [0x01]
    /// A heartbeat, either way.
    static let heartbeat: [UInt8] = [0x02]
    /// A REQ worker's announcement (the zguide's lbworker).
    static let plainReady: [UInt8] = Array("READY".utf8)

    // MARK: - Broker side

    /// Reads what a ROUTER backend received, `[worker id, ...]`: the worker's routing id and its
    /// message. A first frame after the id that is empty marks a REQ worker.
    static func parseAtBroker<Frames: RandomAccessCollection>(_ frames: Frames) -> Result<(worker: [UInt8], message: PirateMessage), PirateWireError>
    where Frames.Index == Int, Frames.Element: Collection<UInt8> {
        guard let first = frames.first else { return .failure(.empty) }
        let worker = Array(first)
        let start = frames.startIndex + 1
        guard start < frames.endIndex else { return .failure(.nothingAfterRoutingID) }
        return message(frames, from: start).map { (worker, $0) }
    }

    private static func message<Frames: RandomAccessCollection>(_ frames: Frames, from start: Int) -> Result<PirateMessage, PirateWireError>
    where Frames.Index == Int, Frames.Element: Collection<UInt8> {
        let count = frames.endIndex - start
        if count == 1 {
            let only = frames[start]
            if only.elementsEqual(ready) { return .success(.ready(.heartbeating)) }
            if only.elementsEqual(heartbeat) { return .success(.heartbeat) }
            return .failure(.unknownCommand(Array(only.prefix(32))))
        }
        guard frames[start].isEmpty else {  // a DEALER worker: [client..., "", reply...]
            guard envelopeEnd(frames, from: start) != nil else { return .failure(.noEnvelope) }
            return .success(.reply(.heartbeating, forward: start..<frames.endIndex))
        }
        let after = start + 1  // a REQ worker: ["", "READY"] or ["", client..., "", reply...]
        if frames.endIndex - after == 1 && (frames[after].elementsEqual(plainReady) || frames[after].elementsEqual(ready)) {
            return .success(.ready(.plain))
        }
        guard after < frames.endIndex else { return .failure(.nothingAfterDelimiter) }
        guard envelopeEnd(frames, from: after) != nil else { return .failure(.noEnvelope) }
        return .success(.reply(.plain, forward: after..<frames.endIndex))
    }

    /// Whether what a ROUTER frontend received is a request a worker can answer:
    /// `[client id, ..., "", body...]`, an envelope closed by an empty frame.
    static func isClientRequest<Frames: RandomAccessCollection>(_ frames: Frames) -> Bool
    where Frames.Index == Int, Frames.Element: Collection<UInt8> {
        envelopeEnd(frames, from: frames.startIndex) != nil
    }

    /// The frames that go before a client's request (as the frontend received it, client id first)
    /// to send it to `worker`: its routing id, and for a REQ worker the empty delimiter REQ expects.
    static func requestHead(to worker: [UInt8], kind: WorkerKind) -> [[UInt8]] {
        kind == .plain ? [worker, []] : [worker]
    }

    /// A whole request to `worker`: `requestHead` then the client's frames.
    static func request(to worker: [UInt8], kind: WorkerKind, client frames: [[UInt8]]) -> [[UInt8]] {
        requestHead(to: worker, kind: kind) + frames
    }

    /// A heartbeat to a DEALER worker (plain workers cannot take one).
    static func heartbeat(to worker: [UInt8]) -> [[UInt8]] { [worker, heartbeat] }

    // MARK: - Worker side

    /// Reads what a worker's DEALER received from the broker: `\x02`, or `[client..., "", body...]`.
    static func parseAtWorker<Frames: RandomAccessCollection>(_ frames: Frames) -> Result<PirateRequest, PirateWireError>
    where Frames.Index == Int, Frames.Element: Collection<UInt8> {
        guard let first = frames.first else { return .failure(.empty) }
        if frames.count == 1 {
            if first.elementsEqual(heartbeat) { return .success(.heartbeat) }
            return .failure(.unknownCommand(Array(first.prefix(32))))
        }
        guard let end = envelopeEnd(frames, from: frames.startIndex) else { return .failure(.noEnvelope) }
        return .success(.request(envelope: frames.startIndex..<end, body: end + 1..<frames.endIndex))
    }

    /// A worker's reply to a request: its envelope, the empty delimiter, the reply frames.
    static func reply(envelope: [[UInt8]], body: [[UInt8]]) -> [[UInt8]] { envelope + [[]] + body }

    // MARK: - Envelopes

    /// The index of the empty frame that closes an address envelope starting at `start`: one or
    /// more non-empty frames, then an empty one. Nil when there is no such frame, or no address.
    static func envelopeEnd<Frames: RandomAccessCollection>(_ frames: Frames, from start: Int) -> Int?
    where Frames.Index == Int, Frames.Element: Collection<UInt8> {
        guard start < frames.endIndex, !frames[start].isEmpty else { return nil }
        var index = start + 1
        while index < frames.endIndex {
            if frames[index].isEmpty { return index }
            index += 1
        }
        return nil
    }

    /// A request's or reply's client envelope (the frames before the first empty one) as one
    /// number (64-bit FNV-1a over each frame's length and bytes), to tell whether a reply is the
    /// reply to a request without keeping a copy of the envelope.
    static func envelopeTag<Frames: Collection>(_ frames: Frames) -> UInt64 where Frames.Element: Collection<UInt8> {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ byte: UInt8) { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        for frame in frames {
            if frame.isEmpty { break }
            let count = UInt32(truncatingIfNeeded: frame.count)
            for shift in stride(from: 24, through: 0, by: -8) { mix(UInt8(truncatingIfNeeded: count >> UInt32(shift))) }
            for byte in frame { mix(byte) }
        }
        return hash
    }

    /// Bytes for a message on stderr: as text when printable ASCII, else as hex.
    static func show<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        if !bytes.isEmpty && bytes.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return String(decoding: bytes, as: UTF8.self) }
        return String(decoding: bytes.flatMap { [Hex.digits[Int($0 >> 4)], Hex.digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
