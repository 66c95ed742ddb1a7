// The requests a balancing broker holds while every worker is busy: first in, first out, bounded
// by a count and by bytes so that a flood of clients cannot grow the broker without limit. Pure;
// the caller copies a request's frames out of the receive buffer before queueing it.

/// A bounded FIFO of requests waiting for an idle worker.
///
/// Past either bound the *new* request is refused (not queued, counted in `refused`), and the
/// requests already waiting keep their places: the broker sends nothing back, so the client's own
/// timeout and retry (Lazy Pirate) ask again later. Nothing old is evicted, because an evicted
/// request's client would wait just as long with no better chance.
struct PendingRequests<Request> {
    /// Requests held at most: 10,000 (the 1,000 concurrent clients ten times over).
    static var defaultCapacity: Int { 10_000 }
    /// Bytes of requests held at most: 64 MiB.
    static var defaultByteCapacity: Int { 64 << 20 }

    private struct Entry {
        let request: Request
        let bytes: Int
        let since: Int
    }

    let capacity: Int
    let byteCapacity: Int
    private var entries: [Entry] = []
    /// Index of the first waiting entry in `entries` (the ones before it were taken).
    private var head = 0
    /// Bytes of the requests waiting now.
    private(set) var bytes = 0
    /// Requests refused because the queue was full.
    private(set) var refused = 0
    /// Requests dropped because they waited too long (`discard(waitingSince:)`).
    private(set) var discarded = 0
    /// The most requests that ever waited at once.
    private(set) var peak = 0

    init(capacity: Int = Self.defaultCapacity, byteCapacity: Int = Self.defaultByteCapacity) {
        precondition(capacity > 0 && byteCapacity > 0, "a queue that holds nothing")
        self.capacity = capacity
        self.byteCapacity = byteCapacity
    }

    var count: Int { entries.count - head }
    var isEmpty: Bool { count == 0 }

    /// Whether one more request of `bytes` would fit.
    func hasRoom(for bytes: Int) -> Bool { count < capacity && self.bytes + bytes <= byteCapacity }

    /// Queues `request` (its size is `bytes`, received at `now`) at the back; false, and counted
    /// as refused, when it does not fit.
    @discardableResult
    mutating func enqueue(_ request: Request, bytes: Int, now: Int) -> Bool {
        guard hasRoom(for: bytes) else {
            refused += 1
            return false
        }
        entries.append(Entry(request: request, bytes: bytes, since: now))
        self.bytes += bytes
        peak = max(peak, count)
        return true
    }

    /// Puts a request just taken back at the front (it could not be sent on), whatever the bounds:
    /// it was counted in them before. `now`: when it was queued, no later than the front's.
    mutating func putBack(_ request: Request, bytes: Int, now: Int) {
        let entry = Entry(request: request, bytes: bytes, since: now)
        if head > 0 {
            head -= 1
            entries[head] = entry
        } else {
            entries.insert(entry, at: 0)
        }
        self.bytes += bytes
        peak = max(peak, count)
    }

    /// The request at the front (the one waiting longest), without taking it.
    var first: Request? { isEmpty ? nil : entries[head].request }

    /// When the front request was queued.
    var oldestSince: Int? { isEmpty ? nil : entries[head].since }

    /// Takes the request that has waited longest.
    mutating func dequeue() -> Request? {
        guard !isEmpty else { return nil }
        let entry = entries[head]
        head += 1
        bytes -= entry.bytes
        compact()
        return entry.request
    }

    /// Drops the requests queued before `cutoff` (their clients have most likely given up and
    /// retried, so a worker's time would be wasted on them); returns how many.
    @discardableResult
    mutating func discard(waitingSince cutoff: Int) -> Int {
        var dropped = 0
        while !isEmpty && entries[head].since < cutoff {
            bytes -= entries[head].bytes
            head += 1
            dropped += 1
        }
        discarded += dropped
        compact()
        return dropped
    }

    /// Drops every request that matches `predicate` (a client that has gone); returns how many.
    @discardableResult
    mutating func removeAll(where predicate: (Request) -> Bool) -> Int {
        let before = count
        entries = entries[head...].filter { !predicate($0.request) }
        head = 0
        bytes = entries.reduce(0) { $0 + $1.bytes }
        return before - count
    }

    /// Releases the taken entries' storage once they are at least half the array.
    private mutating func compact() {
        if head == entries.count {
            entries.removeAll(keepingCapacity: entries.count <= 1024)
            head = 0
        } else if head >= 64 && head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
