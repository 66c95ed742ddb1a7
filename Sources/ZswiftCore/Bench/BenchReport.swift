// bench's two renderings of a BenchSummary: a few lines for people, and one JSON object (cli.md's
// keys) for scripts. Pure: a summary in, text out.

enum BenchReport {
    static func render(_ s: BenchSummary, as format: BenchFormat) -> String {
        format == .json ? json(s) + "\n" : text(s)
    }

    // MARK: - Text

    /// "thr over tcp: 1000000 messages of 100 bytes in 0.41 s", then the rates, then for lat the
    /// percentiles of a round trip.
    static func text(_ s: BenchSummary) -> String {
        let unit = s.mode == .thr ? "message" : "round trip"
        var lines = ["\(s.mode.rawValue) over \(s.transport): \(Words.count(s.messages, unit)) of \(Words.count(s.size, "byte")) in \(decimal(s.seconds, 3)) s"
                     + (s.complete ? "" : " (ended early)")]
        lines.append((s.mode == .thr ? "  msg/s:        " : "  round trips/s: ") + decimal(s.messagesPerSecond, 0))
        lines.append((s.mode == .thr ? "  MB/s:         " : "  MB/s each way: ") + decimal(s.megabytesPerSecond, 2))
        if let l = s.latency {
            lines.append("  round trip (us): p50 \(decimal(l.p50, 1))  p90 \(decimal(l.p90, 1))  p99 \(decimal(l.p99, 1))  p99.9 \(decimal(l.p999, 1))  max \(decimal(l.max, 1))  mean \(decimal(l.mean, 2))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `value` with `places` decimals, rounded half up: decimal(2.345, 2) is "2.35".
    static func decimal(_ value: Double, _ places: Int) -> String {
        guard value.isFinite else { return "0" }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int((abs(value) * scale).rounded())
        let sign = value < 0 && scaled != 0 ? "-" : ""
        guard places > 0 else { return sign + String(scaled) }
        let whole = scaled / Int(scale), fraction = String(scaled % Int(scale))
        return sign + String(whole) + "." + String(repeating: "0", count: places - fraction.count) + fraction
    }

    // MARK: - JSON

    /// One object: mode, transport, size, messages, bytes, seconds, msgs_per_s, mb_per_s and, for
    /// lat, latency_us.
    static func json(_ s: BenchSummary) -> String {
        var fields: [(String, String)] = [
            ("mode", "\"\(s.mode.rawValue)\""), ("transport", "\"\(s.transport)\""), ("size", String(s.size)),
            ("messages", String(s.messages)), ("bytes", String(s.bytes)), ("seconds", decimal(s.seconds, 6)),
            ("msgs_per_s", decimal(s.messagesPerSecond, 1)), ("mb_per_s", decimal(s.megabytesPerSecond, 3)),
            ("complete", s.complete ? "true" : "false"),
        ]
        if let l = s.latency { fields.append(("latency_us", jsonObject(l))) }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }

    /// {"p50": ..., "p90": ..., "p99": ..., "p999": ..., "max": ..., "mean": ...} in microseconds.
    static func jsonObject(_ l: LatencySummary) -> String {
        let figures = [("p50", l.p50), ("p90", l.p90), ("p99", l.p99), ("p999", l.p999), ("max", l.max), ("mean", l.mean)]
        return "{" + figures.map { "\"\($0.0)\": \(decimal($0.1, 3))" }.joined(separator: ", ") + "}"
    }
}
