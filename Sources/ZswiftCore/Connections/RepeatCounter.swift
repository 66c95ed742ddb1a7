// The rule by which -v says a run of the same thing (a retry, a failure, a ZAP decision): the
// first one at once, then one note every 5 s carrying the count so far.

struct RepeatCounter {
    /// Milliseconds between two notes about the same thing.
    static let every = 5000

    private var entries: [String: (count: Int, lastReport: Int)] = [:]

    /// Counts one more of `key` at `now`; returns the count to say, or nil when this one is folded.
    mutating func count(_ key: String, at now: Int) -> Int? {
        var entry = entries[key] ?? (0, 0)
        entry.count += 1
        defer { entries[key] = entry }
        guard entry.count == 1 || now - entry.lastReport >= RepeatCounter.every else { return nil }
        entry.lastReport = now
        return entry.count
    }

    /// Forgets `key` (a retry loop that ended: the next one is said as new).
    mutating func reset(_ key: String) { entries[key] = nil }
}
