// Folding event floods for --events json: a reconnect loop cycles through three kinds every
// 100 ms, and a connection flood at the fd limit makes thousands of ACCEPT_FAILED a second
// (zmq-facts.md). Per event kind and endpoint, at most one line a window is shown; the events
// folded meanwhile are counted on the next line of that kind. Pure: the caller gives the time.
import ZMQ

struct EventCoalescer {
    /// Milliseconds between two lines of the same kind and endpoint.
    let window: Int
    private struct Entry {
        var shownAt: Int
        var folded: Int
        var last: MonitorEvent
    }
    private struct Key: Hashable {
        let kind: UInt16
        let endpoint: String
    }
    private var entries: [Key: Entry] = [:]
    /// The order keys were first seen in, so pending counts come out in a stable order.
    private var order: [Key] = []

    init(window: Int = 1000) { self.window = window }

    /// A line to show, and how many events like it were folded into it (they came since the
    /// previous line of its kind and endpoint and were not shown).
    struct Line: Equatable {
        let event: MonitorEvent
        let repeated: Int
    }

    /// Takes an event at `now`: the line to show for it, or nil when it is folded.
    mutating func admit(_ event: MonitorEvent, at now: Int) -> Line? {
        let key = Key(kind: event.kind.rawValue, endpoint: event.endpoint)
        guard var entry = entries[key] else {
            entries[key] = Entry(shownAt: now, folded: 0, last: event)
            order.append(key)
            return Line(event: event, repeated: 0)
        }
        if now - entry.shownAt < window {
            entry.folded += 1
            entry.last = event
            entries[key] = entry
            return nil
        }
        let line = Line(event: event, repeated: entry.folded)
        entries[key] = Entry(shownAt: now, folded: 0, last: event)
        return line
    }

    /// Lines for events folded a whole window ago and not yet shown (`now` nil: all of them, at
    /// the end): the last of them is shown, standing for the others.
    mutating func pending(at now: Int?) -> [Line] {
        var lines: [Line] = []
        for key in order {
            guard var entry = entries[key], entry.folded > 0 else { continue }
            if let now, now - entry.shownAt < window { continue }
            lines.append(Line(event: entry.last, repeated: entry.folded - 1))
            entry.folded = 0
            entry.shownAt = now ?? entry.shownAt
            entries[key] = entry
        }
        return lines
    }
}
