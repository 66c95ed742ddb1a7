// A load run's progress on a terminal: one line on stderr, rewritten once a second, erased at the
// end. Off when stderr is not a terminal (a pipe, a file, CI), so logs get only the summary.
import Glibc

struct ProgressLine {
    let fd: Int32
    let enabled: Bool
    /// When the line is next due, in nanoseconds since the run's start.
    private var next = ProgressLine.every
    private var shown = false

    static let every = 1_000_000_000

    /// On `fd` when it is a terminal.
    init(fd: Int32 = 2) {
        self.fd = fd
        enabled = isatty(fd) == 1
    }

    /// On or off regardless of the terminal (tests).
    init(fd: Int32, enabled: Bool) {
        self.fd = fd
        self.enabled = enabled
    }

    /// When the loop must be back for the line: `now` + up to a second (never, when off).
    func due(after now: Int) -> Int { enabled ? next : Int.max }

    /// The watch on the run (handshakes) rides on the same second, with or without a terminal.
    func isDue(at now: Int) -> Bool { now >= next }

    /// Shows "req  3 s  2999 sent  2998 answered  0 timeouts  p99 180.0 us" (when on) and sets the
    /// next second.
    mutating func show(_ s: LoadSummary, at now: Int) {
        next = now + ProgressLine.every
        guard enabled else { return }
        var text = "\r\u{1B}[K\(s.mode.rawValue)  \(now / 1_000_000_000) s  \(s.sent) sent"
        if s.mode == .req { text += "  \(s.answered) answered" }
        if s.timeouts > 0 { text += "  \(s.timeouts) timeouts" }
        if s.errors > 0 { text += "  \(s.errors) errors" }
        if !s.latency.isEmpty { text += "  p99 " + BenchReport.decimal(Double(s.latency.value(at: 0.99)) / 1000, 1) + " us" }
        write(text)
        shown = true
    }

    /// Erases the line, if one was shown.
    mutating func finish() {
        if shown { write("\r\u{1B}[K") }
        shown = false
    }

    private func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
