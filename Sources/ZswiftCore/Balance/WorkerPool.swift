// The load-balancing broker's view of its workers (the zguide's Paranoid Pirate queue, ppqueue):
// who is idle in least-recently-used order, who is busy since when, who has gone silent, and what
// each has done. Pure: no sockets, no clock; every call takes `now` in nanoseconds
// (`Clock.nanoseconds()`), so tests drive time. It does not hold requests (see PendingRequests).

/// How a worker talks to the broker's backend, told by the shape of its first message.
enum WorkerKind: Equatable, Sendable {
    /// A DEALER that announces itself with `\x01` and heartbeats with `\x02` (the zguide's
    /// ppworker, `zswift worker`): it is sent heartbeats and forgotten when it falls silent.
    case heartbeating
    /// A REQ socket that sends "READY" once (the zguide's lbworker): it cannot take heartbeats, so it
    /// never expires; the broker forgets it only when told to (`remove`, e.g. on EHOSTUNREACH).
    case plain
}

/// How often heartbeats go and how many may be missed before a peer counts as gone.
struct HeartbeatSettings: Equatable, Sendable {
    /// Nanoseconds between heartbeats.
    var interval: Int
    /// Intervals of silence a peer is allowed before it is forgotten.
    var liveness: Int

    /// Nanoseconds of silence after which a peer is gone: interval × liveness.
    var expiry: Int { interval * liveness }

    /// The zguide's ppqueue and ppworker: 1 s × 3.
    static let paranoidPirate = HeartbeatSettings(interval: 1_000_000_000, liveness: 3)
    /// The zguide's mdbroker and mdwrkapi: 2.5 s × 3.
    static let majordomo = HeartbeatSettings(interval: 2_500_000_000, liveness: 3)
}

/// The workers behind a load-balancing broker: ready, taken (least recently used first), answered,
/// heard from, expired. Lookups are by routing id; the idle list is O(workers) to edit, which is
/// cheap for the tens of workers a broker has.
struct WorkerPool {
    /// One worker as the broker knows it.
    struct Worker: Equatable, Sendable {
        /// Its routing id on the backend ROUTER.
        let id: [UInt8]
        var kind: WorkerKind
        /// When the request in hand was sent to it; nil while idle.
        var busySince: Int?
        /// What the request in hand was given as (`take(now:for:)`): its reply must say the same.
        var inHand: UInt64 = 0
        /// It has heartbeated while busy (zswift worker does, the zguide's mdwrkapi cannot): so
        /// it expires while busy too, whatever `expiresWhileBusy` says.
        var beatsWhileBusy = false
        /// When it is forgotten unless heard from (ignored for `.plain` workers).
        var expiresAt: Int
        /// Requests it has answered.
        var requests = 0
        /// Time spent on those requests, in nanoseconds.
        var busyNanoseconds = 0

        var isBusy: Bool { busySince != nil }
    }

    /// What `ready` did.
    enum Arrival: Equatable, Sendable {
        /// A new worker, now idle at the back of the line.
        case joined
        /// A known worker said READY again (it reconnected with the same id): it is idle at the
        /// back of the line, once; `lostRequest` when it had a request in hand, which is lost.
        case rejoined(lostRequest: Bool)
    }

    /// What `replied` did.
    enum Answer: Equatable, Sendable {
        /// The reply to the request it had in hand, after `busyNanoseconds`; it is idle again.
        case answered(busyNanoseconds: Int)
        /// A known worker's reply that is not to the request in hand (it had none, or another): the
        /// worker stays as it was, idle (moved to the back) or busy with the request it was given,
        /// which it answers next (a worker takes one request at a time, in order).
        case unexpected
        /// A worker the pool did not know (forgotten, or given its request by a broker before a
        /// restart): a reply means it is free, so it is registered as idle. The reply must not be
        /// passed on: routing ids repeat from one broker process to the next, so its envelope
        /// may name another client now.
        case stranger
    }

    /// A worker the pool has let go, with what it had done.
    struct Departure: Equatable, Sendable {
        let worker: Worker
        /// It had a request in hand, which is lost (the client's retry has to ask again).
        var lostRequest: Bool { worker.isBusy }
    }

    let heartbeat: HeartbeatSettings
    /// Whether a busy worker expires too. True for workers that heartbeat while they work
    /// (`zswift worker`); the zguide's ppqueue and mdbroker only expire idle ones.
    let expiresWhileBusy: Bool
    private(set) var workers: [[UInt8]: Worker] = [:]
    /// Idle workers, least recently used first.
    private(set) var idle: [[UInt8]] = []
    /// When the next round of heartbeats is due.
    private(set) var nextHeartbeatAt: Int
    /// What departed workers had done, and how many were lost (see `totals`).
    private var departed = PoolTotals()

    init(heartbeat: HeartbeatSettings = .paranoidPirate, expiresWhileBusy: Bool = true, now: Int) {
        self.heartbeat = heartbeat
        self.expiresWhileBusy = expiresWhileBusy
        nextHeartbeatAt = now + heartbeat.interval
    }

    // MARK: - Questions

    var count: Int { workers.count }
    var idleCount: Int { idle.count }
    var busyCount: Int { workers.count - idle.count }
    var hasIdle: Bool { !idle.isEmpty }
    func contains(_ id: [UInt8]) -> Bool { workers[id] != nil }
    subscript(id: [UInt8]) -> Worker? { workers[id] }

    /// The earliest time something is due (a heartbeat round, or a worker's expiry), for the poll
    /// timeout; nil when the pool has no heartbeating worker.
    var nextDeadline: Int? {
        var earliest: Int?
        for worker in workers.values where worker.kind == .heartbeating && expires(worker) {
            earliest = min(earliest ?? worker.expiresAt, worker.expiresAt, nextHeartbeatAt)
        }
        return earliest
    }

    // MARK: - Events

    /// A worker said READY (a plain worker's first "READY", or `\x01`): it is idle, most recently
    /// used. A known worker is moved, never duplicated.
    @discardableResult
    mutating func ready(_ id: [UInt8], kind: WorkerKind = .heartbeating, now: Int) -> Arrival {
        let known = workers[id]
        if let known, known.isBusy { departed.requestsLost += 1 }
        var worker = known ?? Worker(id: id, kind: kind, expiresAt: 0)
        worker.kind = kind
        worker.busySince = nil
        worker.inHand = 0
        worker.expiresAt = now + heartbeat.expiry
        workers[id] = worker
        moveToBack(id)
        return known.map { .rejoined(lostRequest: $0.isBusy) } ?? .joined
    }

    /// Takes the least recently used idle worker for a request (`request`: what its reply must
    /// be to, see `replied`): it is busy from `now`. Call `expire(now:)` first so that a silent
    /// worker is not chosen.
    mutating func take(now: Int, for request: UInt64 = 0) -> [UInt8]? {
        guard !idle.isEmpty else { return nil }
        let id = idle.removeFirst()
        workers[id]?.busySince = now
        workers[id]?.inHand = request
        return id
    }

    /// A worker sent a reply to `request` (as given to `take`): when that is the request in hand,
    /// it counts the request and its busy time, and is idle again (see `Answer` otherwise).
    @discardableResult
    mutating func replied(_ id: [UInt8], kind: WorkerKind = .heartbeating, now: Int, to request: UInt64 = 0) -> Answer {
        guard var worker = workers[id] else {
            ready(id, kind: kind, now: now)
            return .stranger
        }
        worker.expiresAt = now + heartbeat.expiry
        guard let since = worker.busySince, worker.inHand == request else {
            workers[id] = worker
            if !worker.isBusy { moveToBack(id) }
            return .unexpected
        }
        let busy = max(0, now - since)
        worker.busySince = nil
        worker.inHand = 0
        worker.requests += 1
        worker.busyNanoseconds += busy
        workers[id] = worker
        idle.append(id)
        return .answered(busyNanoseconds: busy)
    }

    /// A worker was heard from (a heartbeat, or any message): its expiry moves on. Returns whether
    /// it was known. An unknown one is not registered (ppqueue would): it may be busy with a
    /// request from before a broker restart, and only READY or a reply says a worker is free.
    @discardableResult
    mutating func heard(from id: [UInt8], now: Int) -> Bool {
        guard let worker = workers[id] else { return false }
        if worker.isBusy { workers[id]?.beatsWhileBusy = true }
        workers[id]?.expiresAt = now + heartbeat.expiry
        return true
    }

    /// Forgets the workers whose time ran out (heartbeating ones only; busy ones too when
    /// `expiresWhileBusy`), counting each as lost, and returns them.
    mutating func expire(now: Int) -> [Departure] {
        let gone = workers.values.filter {
            $0.kind == .heartbeating && now >= $0.expiresAt && expires($0)
        }
        return gone.sorted { $0.expiresAt < $1.expiresAt }.compactMap { remove($0.id, lost: true) }
    }

    /// Forgets one worker (it said DISCONNECT, or a send to it found no route). `lost` counts it
    /// among the workers lost; a request it had in hand is counted as lost either way.
    @discardableResult
    mutating func remove(_ id: [UInt8], lost: Bool) -> Departure? {
        guard let worker = workers.removeValue(forKey: id) else { return nil }
        if let index = idle.firstIndex(of: id) { idle.remove(at: index) }
        departed.requests += worker.requests
        departed.busyNanoseconds += worker.busyNanoseconds
        if lost { departed.workersLost += 1 } else { departed.workersLeft += 1 }
        if worker.isBusy { departed.requestsLost += 1 }
        return Departure(worker: worker)
    }

    /// Whether silence makes `worker` expire now (busy ones only when they beat while busy).
    private func expires(_ worker: Worker) -> Bool {
        expiresWhileBusy || !worker.isBusy || worker.beatsWhileBusy
    }

    /// Forgets, as lost, a worker just taken for a request that could not be sent to it (it has
    /// gone): the request never reached it, so it is not counted as lost; the caller sends it on.
    @discardableResult
    mutating func unreachable(_ id: [UInt8]) -> Departure? {
        workers[id]?.busySince = nil
        return remove(id, lost: true)
    }

    /// The workers a heartbeat should go to now, if a round is due (then the next is scheduled one
    /// interval from `now`); otherwise none. Idle heartbeating workers, as ppqueue and mdbroker
    /// do, in least-recently-used order; busy ones too with `includingBusy`.
    mutating func heartbeatsDue(now: Int, includingBusy: Bool = false) -> [[UInt8]] {
        guard now >= nextHeartbeatAt else { return [] }
        nextHeartbeatAt = now + heartbeat.interval
        var due = idle.filter { workers[$0]?.kind == .heartbeating }
        if includingBusy {
            due += workers.values.filter { $0.isBusy && $0.kind == .heartbeating }.map(\.id).sorted { $0.lexicographicallyPrecedes($1) }
        }
        return due
    }

    // MARK: - Statistics

    /// Requests and busy time of every worker, present and departed, and the losses.
    var totals: PoolTotals {
        var sum = departed
        for worker in workers.values {
            sum.requests += worker.requests
            sum.busyNanoseconds += worker.busyNanoseconds
        }
        return sum
    }

    /// The present workers, most requests first (ties by id), for a --stats report.
    var roster: [Worker] {
        workers.values.sorted {
            $0.requests != $1.requests ? $0.requests > $1.requests : $0.id.lexicographicallyPrecedes($1.id)
        }
    }

    private mutating func moveToBack(_ id: [UInt8]) {
        if let index = idle.firstIndex(of: id) { idle.remove(at: index) }
        idle.append(id)
    }
}

/// Counts over a pool's life: requests answered and time spent by all workers, present or gone.
struct PoolTotals: Equatable, Sendable {
    var requests = 0
    var busyNanoseconds = 0
    /// Workers forgotten because they fell silent (or a send to them failed).
    var workersLost = 0
    /// Workers that said goodbye (DISCONNECT).
    var workersLeft = 0
    /// Requests in hand when their worker was lost, left, or re-announced itself.
    var requestsLost = 0
}
