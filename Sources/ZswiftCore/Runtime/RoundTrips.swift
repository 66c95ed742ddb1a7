// req's round-trip times, request by request (issue 10): --stats and SIGUSR1 give min, mean, p99
// and max; -vv says each one as its reply comes. Microseconds as UInt32 keep a million requests
// in 4 MB.

struct RoundTrips: Sendable {
    private(set) var samples: [UInt32] = []

    /// Records one round trip of `nanoseconds`.
    mutating func record(nanoseconds: Int) {
        samples.append(UInt32(clamping: max(0, nanoseconds) / 1000))
    }

    /// "round trips: min 0.21 ms, mean 0.30 ms, p99 0.92 ms, max 1.20 ms over 1000 requests";
    /// nil when none was recorded.
    var summary: String? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        let mean = Double(sorted.reduce(0) { $0 + Int($1) }) / Double(sorted.count)
        let p99 = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.up)) - 1)]
        let shown = [("min", Double(sorted[0])), ("mean", mean), ("p99", Double(p99)), ("max", Double(sorted[sorted.count - 1]))]
        return "round trips: " + shown.map { "\($0.0) \(RoundTrips.milliseconds($0.1))" }.joined(separator: ", ")
            + " over \(Words.count(sorted.count, "request"))"
    }

    /// Microseconds as milliseconds with two decimals: "0.21 ms", "12.50 ms".
    static func milliseconds(_ microseconds: Double) -> String {
        let hundredths = Int((microseconds / 10).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(2)) ms"
    }
}
