// Monotonic time in milliseconds, for deadlines and rates.
import Glibc

enum Clock {
    @inline(__always)
    static func now() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }

    static func nanoseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1_000_000_000 + ts.tv_nsec
    }
}

/// A point in time after which waiting stops; `nil` milliseconds means never.
struct Deadline {
    let at: Int?

    init(after interval: Interval?) {
        at = interval?.milliseconds.map { Clock.now() + $0 }
    }

    private init(at: Int?) { self.at = at }

    var hasPassed: Bool { at.map { Clock.now() >= $0 } ?? false }

    /// The same deadline `milliseconds` later: for time that was not spent waiting (a receiver
    /// blocked writing to a slow stdout has not been listening in silence).
    func postponed(by milliseconds: Int) -> Deadline {
        Deadline(at: at.map { $0 + max(0, milliseconds) })
    }

    /// Milliseconds left, capped at `cap` (for polling in slices), -1 for "no deadline and no cap".
    func remaining(cap: Int? = nil) -> Int {
        guard let at else { return cap ?? -1 }
        let left = max(0, at - Clock.now())
        return cap.map { min($0, left) } ?? left
    }
}
