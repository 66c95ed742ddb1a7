// Latencies in bounded memory, for load runs of any length: a log-linear histogram (HDR
// histogram's layout) of nanosecond values, exact below 256 ns and within 1/128 (0.8%) above,
// with the exact count, sum, min and max kept beside it. 7,424 buckets cover every Int.

struct LatencyHistogram: Equatable, Sendable {
    /// Values below this are their own bucket; above it, 128 buckets per power of two.
    private static let linear = 256
    private static let perOctave = 128
    private var buckets = [Int](repeating: 0, count: LatencyHistogram.linear + 56 * LatencyHistogram.perOctave)
    private(set) var count = 0
    private(set) var sum = 0
    private(set) var min = Int.max
    private(set) var max = 0

    var isEmpty: Bool { count == 0 }

    /// Records one value (negative values count as 0).
    mutating func record(_ nanoseconds: Int) {
        let value = Swift.max(0, nanoseconds)
        buckets[LatencyHistogram.bucket(of: value)] += 1
        count += 1
        sum &+= value
        min = Swift.min(min, value)
        max = Swift.max(max, value)
    }

    /// Adds another histogram's values to this one.
    mutating func merge(_ other: LatencyHistogram) {
        for i in buckets.indices { buckets[i] += other.buckets[i] }
        count += other.count
        sum &+= other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// The value at quantile `q` (0...1) by nearest rank: the highest value its bucket holds,
    /// never more than the exact maximum (0 when empty).
    func value(at q: Double) -> Int {
        guard count > 0 else { return 0 }
        let rank = Swift.max(1, Int((q * Double(count)).rounded(.up)))
        var seen = 0
        for (index, n) in buckets.enumerated() where n > 0 {
            seen += n
            if seen >= rank { return Swift.min(LatencyHistogram.highest(in: index), max) }
        }
        return max
    }

    /// The summary in microseconds (at least one value recorded).
    var summary: LatencySummary {
        LatencySummary(p50: micro(value(at: 0.5)), p90: micro(value(at: 0.9)), p99: micro(value(at: 0.99)),
                       p999: micro(value(at: 0.999)), max: micro(max),
                       mean: count == 0 ? 0 : Double(sum) / Double(count) / 1000)
    }

    private func micro(_ nanoseconds: Int) -> Double { Double(nanoseconds) / 1000 }

    // MARK: - Layout

    /// The bucket of a value: itself below 256; above, its power of two and its next 7 bits.
    static func bucket(of value: Int) -> Int {
        guard value >= linear else { return value }
        let bits = Int.bitWidth - value.leadingZeroBitCount  // 9 or more
        let shift = bits - 8
        let top = value >> shift  // 128...255
        return linear + (shift - 1) * perOctave + (top - perOctave)
    }

    /// The highest value bucket `index` holds.
    static func highest(in index: Int) -> Int {
        guard index >= linear else { return index }
        let shift = (index - linear) / perOctave + 1
        let top = (index - linear) % perOctave + perOctave
        let (high, overflow) = ((top + 1) << shift).subtractingReportingOverflow(1)
        return overflow || top + 1 > Int.max >> shift ? Int.max : high
    }
}
