// --events json: one JSON object per monitor event on stderr, floods folded by EventCoalescer.
// A folded line is due a window after the line before it; whoever waits calls tick(at:) by
// `nextDue`, so it goes out then even when no other event comes.
import ZMQ

struct EventsJSONReporter {
    let diagnostics: Diagnostics
    /// The moment "time" counts from (the run's start), in Clock milliseconds.
    let origin: Int
    private var coalescer: EventCoalescer

    init(diagnostics: Diagnostics, origin: Int, window: Int = 1000) {
        self.diagnostics = diagnostics
        self.origin = origin
        coalescer = EventCoalescer(window: window)
    }

    /// When the next folded line is due; nil when nothing is folded.
    var nextDue: Int? { coalescer.nextDue }

    /// Shows the event a change carries (or folds it), after the folded lines due by `now`.
    mutating func report(_ change: ConnectionChange, at now: Int) {
        guard case let .observed(event, connection) = change else { return }
        tick(at: now)
        if let line = coalescer.admit(event, connection: connection, at: now) { write(line) }
    }

    /// Writes the folded lines due by `now`.
    mutating func tick(at now: Int) {
        guard let due = nextDue, now >= due else { return }
        for line in coalescer.pending(at: now) { write(line) }
    }

    /// Writes every line still folded (at the end of the run).
    mutating func flush() {
        for line in coalescer.pending(at: nil) { write(line) }
    }

    private func write(_ line: EventCoalescer.Line) {
        diagnostics.line(EventsJSONReporter.render(line, since: origin))
    }

    /// {"event":"accepted","value":12,"endpoint":"tcp://127.0.0.1:5555","time":0.042,"repeated":3}:
    /// time in seconds since `origin`; "repeated" only for a line that stands for folded events.
    static func render(_ line: EventCoalescer.Line, since origin: Int) -> String {
        let (event, repeated) = (line.event, line.repeated)
        let buffer = ByteBuffer(capacity: 128)
        let elapsed = line.time - origin
        buffer.append(Array("{\"event\":\"\(event.kind.name)\",\"value\":\(event.value),\"endpoint\":".utf8))
        Array(event.endpoint.utf8).withUnsafeBytes { JSONText.encodeString($0, into: buffer) }
        return closeLine(buffer, time: elapsed, repeated: repeated)
    }

    /// Ends a line begun in `buffer`: ,"time":SECONDS (from `time` milliseconds), ,"repeated":N
    /// when some were folded into it, and the closing brace.
    static func closeLine(_ buffer: ByteBuffer, time: Int, repeated: Int) -> String {
        buffer.append(Array(",\"time\":\(time / 1000).\(String(time % 1000).leftPadded(3))".utf8))
        if repeated > 0 { buffer.append(Array(",\"repeated\":\(repeated)".utf8)) }
        buffer.append(UInt8(ascii: "}"))
        return String(decoding: buffer.bytes(0, buffer.count), as: UTF8.self)
    }
}

extension String {
    /// "007" for "7" at width 3: fractions of a second, hundredths in --stats.
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }
}
