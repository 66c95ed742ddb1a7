// Counts for --stats and SIGUSR1: messages and bytes each way, the active period (first to last
// message, so start-up waits and a trailing --timeout do not dilute the rate), and what became of
// what was sent: a message handed to libzmq is not a message delivered.

struct Stats {
    var sentMessages = 0
    var sentBytes = 0
    var receivedMessages = 0
    var receivedBytes = 0
    /// req's round trips, request by request.
    var roundTrips = RoundTrips()
    /// When the run started, in nanoseconds (the active period is measured in them too).
    let startedNanoseconds = Clock.nanoseconds()
    /// When the first and the latest message were seen (nanoseconds), marked per batch.
    private(set) var firstActive: Int?
    private(set) var lastActive = 0
    /// What became of the messages sent, once the run knows.
    var delivery: Delivery = .inProgress

    enum Delivery: Equatable {
        /// Mid-run: sent means handed to libzmq.
        case inProgress
        /// Peers took every message (the kernel queues emptied and libzmq let go).
        case delivered
        /// No peer took any: why.
        case dropped(String)
        /// Some may not have been taken: why.
        case uncertain(String)
    }

    /// Marks a message (or a batch of them) just sent or received.
    @inline(__always)
    mutating func noteActivity() {
        let now = Clock.nanoseconds()
        if firstActive == nil { firstActive = now }
        lastActive = now
    }

    /// Records, once the run ends without confirming delivery, that what was sent may be lost.
    mutating func endUnconfirmed(_ why: String) {
        if delivery == .inProgress && sentMessages > 0 { delivery = .uncertain(why) }
    }

    /// The --stats line. `publishes`: a PUB's subscribers filter and drop by design, so "all
    /// delivered" is never claimed for one.
    func summary(sends: Bool, receives: Bool, publishes: Bool) -> String {
        var parts: [String] = []
        if sends || sentMessages > 0 {
            let what = "\(Words.count(sentMessages, "message")), \(Words.bytes(sentBytes))"
            switch delivery {
            case .inProgress: parts.append("sent \(what)")
            case .delivered: parts.append("sent \(what)" + (publishes || sentMessages == 0 ? "" : ", all delivered"))
            case let .dropped(why): parts.append("queued \(what), none delivered: \(why)")
            case let .uncertain(why): parts.append("queued \(what), not all known delivered: \(why)")
            }
        }
        if receives || receivedMessages > 0 {
            parts.append("received \(Words.count(receivedMessages, "message")), \(Words.bytes(receivedBytes))")
        }
        let busiest = max(sentMessages, receivedMessages)
        // a rate over less than 10 ms says nothing
        if let first = firstActive, lastActive - first >= 10_000_000, busiest > 1 {
            let seconds = Double(lastActive - first) / 1e9
            parts.append("\(Words.format(Double(busiest) / seconds)) msg/s over \(Stats.duration(seconds))")
        }
        if let trips = roundTrips.summary { parts.append(trips) }
        return parts.joined(separator: "; ") + "; " + Stats.duration(Double(Clock.nanoseconds() - startedNanoseconds) / 1e9) + " in all"
    }

    /// "12 ms", "1.50 s".
    static func duration(_ seconds: Double) -> String {
        seconds < 1 ? "\(Int((seconds * 1000).rounded())) ms" : Words.format(seconds) + " s"
    }
}
