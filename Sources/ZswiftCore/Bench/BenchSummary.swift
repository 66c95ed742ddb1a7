// What one bench run measured, and the arithmetic on it: rates and latency percentiles. Pure:
// numbers in, numbers out; BenchReport renders them and the loops (Throughput, Latency) fill them.

/// A bench run's figures.
struct BenchSummary: Equatable, Sendable {
    var mode: BenchMode
    /// "tcp", "ipc" or "inproc": the transport measured.
    var transport: String
    /// Bytes in each message.
    var size: Int
    /// Messages received (thr) or round trips made (lat).
    var messages: Int
    /// The time measured, in nanoseconds: thr from the first message received to the last (as
    /// libzmq's local_thr), lat from the first request sent to the last reply received.
    var nanoseconds: Int
    /// The round trips' figures (lat only).
    var latency: LatencySummary?
    /// False when a signal or -t ended the run before its count: the figures are of what ran.
    var complete = true

    /// Payload bytes moved one way: size × messages.
    var bytes: Int { size * messages }
    var seconds: Double { Double(max(nanoseconds, 1)) / 1e9 }
    /// Messages (round trips for lat) per second; as local_thr, all of them over the time measured.
    var messagesPerSecond: Double { Double(messages) / seconds }
    /// Payload megabytes (1,000,000 bytes) per second, one way.
    var megabytesPerSecond: Double { Double(bytes) / seconds / 1e6 }
}

/// Round-trip times in microseconds: the percentiles by nearest rank, the max and the mean.
struct LatencySummary: Equatable, Sendable {
    var p50, p90, p99, p999, max, mean: Double

    /// The summary of `nanoseconds` (one per round trip; at least one).
    init(roundTrips nanoseconds: [Int]) {
        precondition(!nanoseconds.isEmpty, "a latency summary needs a round trip")
        let sorted = nanoseconds.sorted()
        func rank(_ p: Double) -> Double {
            let index = Int((p * Double(sorted.count)).rounded(.up)) - 1
            return Double(sorted[Swift.min(Swift.max(index, 0), sorted.count - 1)]) / 1000
        }
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        p999 = rank(0.999)
        max = Double(sorted[sorted.count - 1]) / 1000
        mean = Double(sorted.reduce(0, +)) / Double(sorted.count) / 1000
    }

    init(p50: Double, p90: Double, p99: Double, p999: Double, max: Double, mean: Double) {
        (self.p50, self.p90, self.p99, self.p999, self.max, self.mean) = (p50, p90, p99, p999, max, mean)
    }
}
