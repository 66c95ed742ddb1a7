// Where the messages a command sends come from: stdin through its decoder, or the --data/--file
// message (once, --count times, or every --interval). The senders, req, rep's coprocess replies
// and the bidirectional commands all take messages from one of these. (push's fast line path
// reads the same buffer directly: Send.swift.)

/// What a source has next.
enum NextMessage: Equatable {
    /// A message is in the frames, from input record `record`.
    case message(record: Int)
    /// Not now: more input is needed (`due` nil), or the next repeat is due at `due` (Clock.now()).
    case notYet(due: Int?)
    /// No more messages.
    case end
}

protocol MessageSource {
    /// Puts the next message into `frames`. `waiting`: read (and so block) when more input is
    /// needed; otherwise say `.notYet` and let the caller wait on its event loop.
    mutating func next(_ frames: inout [UnsafeRawBufferPointer], waiting: Bool) throws(Exit) -> NextMessage
}

/// stdin through a decoder: a malformed record is `Exit.badInput` naming its number.
struct DecodedInput<D: MessageDecoder>: MessageSource {
    var decoder: D
    let input: InputReader
    let format: Format
    /// Input records taken so far (a blank json line is a record without a message).
    private(set) var record = 0
    /// Runs before a read that may block (a coprocess flushes what its peer waits for).
    var beforeReading: () throws(Exit) -> Void = {}
    /// What a record is called in errors.
    var recordName: (Int) -> String = { "input record \($0)" }

    init(_ decoder: D, input: InputReader, format: Format) {
        self.decoder = decoder
        self.input = input
        self.format = format
    }

    mutating func next(_ frames: inout [UnsafeRawBufferPointer], waiting: Bool) throws(Exit) -> NextMessage {
        while true {
            let taken: Int?
            do { taken = try decoder.decode(input.unread, atEnd: input.atEnd, frames: &frames) } catch {
                throw Exit.badInput("\(recordName(record + 1)) is not valid \(format.rawValue): \(error.reason)")
            }
            if let taken {
                input.consume(taken)
                record += 1
                if frames.isEmpty { continue }
                return .message(record: record)
            }
            if input.atEnd { return .end }
            guard waiting else { return .notYet(due: nil) }
            try beforeReading()
            try input.fill(record: record + 1)
        }
    }
}

/// The --data/--file message, sent once, --count times, or every --interval.
struct RepeatedMessage: MessageSource {
    private let store: FixedFrames
    private var left: Int
    private let interval: Int?
    private var due = Clock.now()
    private var sent = 0

    init(_ message: [[UInt8]], count: Int?, interval: Interval?) {
        store = FixedFrames(message)
        self.interval = interval?.milliseconds
        left = count ?? (interval == nil ? 1 : Int.max)
    }

    mutating func next(_ frames: inout [UnsafeRawBufferPointer], waiting: Bool) throws(Exit) -> NextMessage {
        if left == 0 { return .end }
        if Clock.now() < due { return .notYet(due: due) }
        left -= 1
        sent += 1
        due = Clock.now() + (interval ?? 0)
        frames = store.frames
        return .message(record: sent)
    }
}

/// A fixed message's frames, kept in one buffer for the life of the run.
struct FixedFrames {
    private let store = ByteBuffer(capacity: 64)
    let frames: [UnsafeRawBufferPointer]

    init(_ message: [[UInt8]]) {
        var ends: [Int] = []
        for frame in message {
            store.append(frame)
            ends.append(store.count)
        }
        var start = 0
        var frames: [UnsafeRawBufferPointer] = []
        for end in ends {
            frames.append(store.bytes(start, end))
            start = end
        }
        self.frames = frames
    }
}

extension RunScope {
    /// Sends every message `source` gives through `send`, stopping after --count; a source that
    /// is not ready yet (the next --interval) is waited for on the event loop.
    func sendAll<S: MessageSource>(from source: inout S, _ send: ([UnsafeRawBufferPointer], Int) throws(Exit) -> Void) throws(Exit) {
        var frames: [UnsafeRawBufferPointer] = []
        frames.reserveCapacity(8)
        var sent = 0
        let limit = invocation.count ?? Int.max
        while sent < limit {
            switch try source.next(&frames, waiting: true) {
            case let .message(record):
                try send(frames, record)
                sent += 1
            case let .notYet(due):
                _ = try reactor.run(until: Deadline(after: .ms(max(0, (due ?? Clock.now()) - Clock.now())))) { false }
            case .end:
                return
            }
        }
    }
}
