// Folding event floods for --events json: a reconnect loop cycles through three kinds every
// 100 ms, and a connection flood at the fd limit makes thousands of ACCEPT_FAILED a second
// (zmq-facts.md); a wrong-key client makes a ZAP decision every 100 ms. Per key (a monitor
// event's kind, endpoint and connection; a decision's who and why), at most one line a window is
// shown; the last event folded meanwhile comes out once that window has passed, counting the
// others. Pure: the caller gives the time and asks for what is due.
import ZMQ

/// Folds floods of any kind of event, keyed by what tells them apart (monitor events: kind,
/// endpoint and connection; ZAP decisions: who and why).
struct Coalescer<Event, Key: Hashable> {
    /// Milliseconds between two lines of the same key.
    let window: Int
    private struct Entry {
        var shownAt: Int
        var folded: Int
        var last: Event
        var lastAt: Int
    }
    private var entries: [Key: Entry] = [:]
    /// The order keys were first seen in, so pending lines come out in a stable order.
    private var order: [Key] = []
    /// When the earliest folded line is due (`pending(at:)` returns it from then on); nil when
    /// nothing is folded.
    private(set) var nextDue: Int?

    init(window: Int = 1000) { self.window = window }

    /// A line to show: the event, how many events like it were folded into it (they came since
    /// the previous line of its kind, endpoint and connection and were not shown), and when the
    /// event came.
    struct Line {
        let event: Event
        let repeated: Int
        let time: Int
    }

    /// Takes an event of `key` at `now`: the line to show for it, or nil when it is folded.
    mutating func admit(_ event: Event, key: Key, at now: Int) -> Line? {
        guard var entry = entries[key] else {
            entries[key] = Entry(shownAt: now, folded: 0, last: event, lastAt: now)
            order.append(key)
            return Line(event: event, repeated: 0, time: now)
        }
        if now - entry.shownAt < window {
            entry.folded += 1
            entry.last = event
            entry.lastAt = now
            entries[key] = entry
            nextDue = min(nextDue ?? Int.max, entry.shownAt + window)
            return nil
        }
        // nobody asked for the folded ones in time: this line carries their count
        let line = Line(event: event, repeated: entry.folded, time: now)
        entries[key] = Entry(shownAt: now, folded: 0, last: event, lastAt: now)
        if entry.folded > 0 { updateNextDue() }
        return line
    }

    /// Lines for events folded a whole window ago and not yet shown (`now` nil: all of them, at
    /// the end): the last of them is shown, standing for the others. Forgets what can fold nothing
    /// any more.
    mutating func pending(at now: Int?) -> [Line] {
        var lines: [Line] = []
        var forgotten = false
        for key in order {
            guard var entry = entries[key] else { continue }
            if let now, now - entry.shownAt < window { continue }
            guard entry.folded > 0 else {
                // its window is over with nothing folded: as good as never seen
                if now != nil { entries[key] = nil; forgotten = true }
                continue
            }
            lines.append(Line(event: entry.last, repeated: entry.folded - 1, time: entry.lastAt))
            entry.folded = 0
            entry.shownAt = now ?? entry.shownAt
            entries[key] = entry
        }
        if forgotten { order.removeAll { entries[$0] == nil } }
        updateNextDue()
        return lines
    }

    private mutating func updateNextDue() {
        var due: Int?
        for entry in entries.values where entry.folded > 0 { due = min(due ?? Int.max, entry.shownAt + window) }
        nextDue = due
    }
}

extension Coalescer.Line: Equatable where Event: Equatable {}

/// What keeps monitor events apart: events about different connections are never folded
/// together, their fds tell them apart.
struct MonitorEventKey: Hashable {
    let kind: UInt16
    let endpoint: String
    let fd: Int32?
    init(_ event: MonitorEvent, connection: Int32?) {
        (kind, endpoint, fd) = (event.kind.rawValue, event.endpoint, connection ?? event.fileDescriptor)
    }
}

/// --events json's coalescer of monitor events.
typealias EventCoalescer = Coalescer<MonitorEvent, MonitorEventKey>

extension Coalescer where Event == MonitorEvent, Key == MonitorEventKey {
    /// Takes an event at `now`: the line to show for it, or nil when it is folded. `connection` is
    /// the fd of the connection it is about, when it carries none itself (a handshake event).
    mutating func admit(_ event: MonitorEvent, connection: Int32? = nil, at now: Int) -> Line? {
        admit(event, key: MonitorEventKey(event, connection: connection), at: now)
    }
}
