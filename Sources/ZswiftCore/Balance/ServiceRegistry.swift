// The Majordomo broker's model (the zguide's mdbroker): services by name, each a FIFO of waiting
// requests and a WorkerPool of its workers; the mmi.service lookup; expiry by heartbeat. Pure:
// messages in (already parsed), messages out as values (`Output.frames` for the ROUTER), `now`
// in nanoseconds. It decides nothing about sockets, logging or exit.

/// Services, their waiting requests and their workers, as a Majordomo broker keeps them.
struct ServiceRegistry {
    /// A client's request waiting for a worker.
    struct Request: Equatable, Sendable {
        let client: [UInt8]
        let body: [[UInt8]]
        var bytes: Int { body.reduce(client.count) { $0 + $1.count } }
    }

    /// One service: its requests, first in first out, and its workers, least recently used first.
    struct Service {
        let name: [UInt8]
        var requests: PendingRequests<Request>
        var pool: WorkerPool
    }

    /// Something the broker sends.
    enum Output: Equatable, Sendable {
        case toClient([UInt8], MDPClientMessage)
        case toWorker([UInt8], MDPWorkerMessage)

        /// The frames for the broker's ROUTER, routing id first.
        var frames: [[UInt8]] {
            switch self {
            case .toClient(let client, let message): MDP.toClient(client, message)
            case .toWorker(let worker, let message): MDP.toWorker(worker, message)
            }
        }
    }

    /// Bounds on what clients can make the broker hold.
    struct Limits: Equatable, Sendable {
        /// Requests waiting, over all services: 10,000.
        var pending = 10_000
        /// Bytes of requests waiting, over all services: 64 MiB.
        var pendingBytes = 64 << 20
        /// Services known at once (a client asking for a new name creates one): 1,000.
        var services = 1_000
    }

    let heartbeat: HeartbeatSettings
    let expiresWhileBusy: Bool
    let limits: Limits
    private(set) var services: [[UInt8]: Service] = [:]
    /// The service each known worker serves.
    private var serviceOf: [[UInt8]: [UInt8]] = [:]
    /// Requests refused: the pending bounds were reached, or a new service would pass the limit.
    private(set) var refused = 0
    /// Worker messages answered with DISCONNECT: READY twice, REPLY or HEARTBEAT from a stranger,
    /// READY for an mmi. name or for a new service past `limits.services`.
    private(set) var protocolErrors = 0
    /// HEARTBEAT or REPLY from a worker that never said READY here (what a broker hears first
    /// after a restart): DISCONNECT tells it to register again; not counted as protocol errors.
    private(set) var strangers = 0
    /// What services removed since had done (see `totals`).
    private var retired = PoolTotals()

    /// `expiresWhileBusy` is false by default: the zguide's mdwrkapi sends no heartbeat while its
    /// caller works on a request, and mdbroker only expires idle workers.
    init(heartbeat: HeartbeatSettings = .majordomo, expiresWhileBusy: Bool = false, limits: Limits = Limits()) {
        self.heartbeat = heartbeat
        self.expiresWhileBusy = expiresWhileBusy
        self.limits = limits
    }

    // MARK: - Questions

    /// Whether `name` has at least one worker, idle or busy (what mmi.service answers 200 for, as
    /// the zguide's C mdbroker does).
    func exists(_ name: [UInt8]) -> Bool { (services[name]?.pool.count ?? 0) > 0 }

    var workerCount: Int { serviceOf.count }
    /// Whether `worker` is registered (has said READY and not gone since).
    func knows(_ worker: [UInt8]) -> Bool { serviceOf[worker] != nil }

    /// Forgets a worker that has gone without a word (a send to it found no peer): counted as
    /// lost, with the request it had in hand, unlike one that said DISCONNECT.
    mutating func lose(_ worker: [UInt8]) {
        guard let name = serviceOf[worker] else { return }
        forget(worker, service: name, lost: true)
    }

    /// A request could not be sent to `worker` (it has gone): the worker is forgotten as lost and
    /// the request goes back to the front of its service's queue, to the next idle worker if any.
    mutating func undelivered(to worker: [UInt8], client: [UInt8], body: [[UInt8]], now: Int) -> [Output] {
        guard let name = serviceOf.removeValue(forKey: worker), services[name] != nil else { return [] }
        services[name]!.pool.unreachable(worker)
        let request = Request(client: client, body: body)
        // as old as the oldest waiting (its own time is not kept): ages stay in order for discard
        let since = min(services[name]!.requests.oldestSince ?? now, now)
        services[name]!.requests.putBack(request, bytes: request.bytes, now: since)
        return dispatch(name, now: now)
    }

    var pendingCount: Int { services.values.reduce(0) { $0 + $1.requests.count } }
    var pendingBytes: Int { services.values.reduce(0) { $0 + $1.requests.bytes } }

    /// The earliest time a heartbeat round or an expiry is due, for the poll timeout.
    var nextDeadline: Int? { services.values.compactMap(\.pool.nextDeadline).min() }

    /// Requests answered, busy time and losses over every worker, present or gone.
    var totals: PoolTotals { services.values.reduce(retired) { $0 + $1.pool.totals } }

    // MARK: - Messages in

    /// Handles a parsed message from `sender` (see `MDP.parseAtBroker`) and returns what to send.
    mutating func received(_ message: MDP.Inbound, from sender: [UInt8], now: Int) -> [Output] {
        switch message {
        case .client(let request): clientRequest(request, from: sender, now: now)
        case .worker(let command): workerMessage(command, from: sender, now: now)
        }
    }

    /// A client asked a service: the broker's own mmi. services answer at once; any other request
    /// waits in its service's queue (created when new) and goes to an idle worker if there is one.
    /// A request past the limits is dropped and counted in `refused`; the client's retry asks again.
    mutating func clientRequest(_ request: MDPClientMessage, from client: [UInt8], now: Int) -> [Output] {
        if request.isInternal { return [.toClient(client, internalAnswer(request))] }
        let waiting = Request(client: client, body: request.body)
        guard pendingCount < limits.pending, pendingBytes + waiting.bytes <= limits.pendingBytes,
              services[request.service] != nil || services.count < limits.services else {
            refused += 1
            return []
        }
        let created = requireService(request.service, now: now)
        guard services[request.service]!.requests.enqueue(waiting, bytes: waiting.bytes, now: now) else {
            refused += 1
            if created { services[request.service] = nil }
            return []
        }
        return dispatch(request.service, now: now)
    }

    /// A worker spoke. Protocol errors (READY from a known worker or for an mmi. service; REPLY or
    /// HEARTBEAT from an unknown one; a REQUEST) get DISCONNECT and the worker is forgotten.
    mutating func workerMessage(_ message: MDPWorkerMessage, from worker: [UInt8], now: Int) -> [Output] {
        let known = serviceOf[worker]
        switch (message, known) {
        case (.ready(let service), nil) where !service.starts(with: MDP.internalPrefix):
            guard services[service] != nil || services.count < limits.services else { return refuse(worker) }
            requireService(service, now: now)
            serviceOf[worker] = service
            services[service]!.pool.ready(worker, now: now)
            return dispatch(service, now: now)
        case (.reply(let client, let body), let name?):
            _ = services[name]!.pool.replied(worker, now: now)
            return [.toClient(client, MDPClientMessage(service: name, body: body))] + dispatch(name, now: now)
        case (.heartbeat, let name?):
            services[name]!.pool.heard(from: worker, now: now)
            return []
        case (.disconnect, let name?):
            forget(worker, service: name, lost: false)
            return []
        case (.disconnect, nil):
            return []
        case (.heartbeat, nil), (.reply, nil):
            strangers += 1
            return [.toWorker(worker, .disconnect)]
        default:
            if let known { forget(worker, service: known, lost: false) }
            return refuse(worker)
        }
    }

    // MARK: - Time

    /// Forgets the workers that fell silent (see `WorkerPool.expire`), with their services.
    mutating func expire(now: Int) -> [(service: [UInt8], departure: WorkerPool.Departure)] {
        var gone: [(service: [UInt8], departure: WorkerPool.Departure)] = []
        for name in services.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            let departures = services[name]!.pool.expire(now: now)
            for departure in departures { serviceOf[departure.worker.id] = nil }
            gone += departures.map { (name, $0) }
            if !departures.isEmpty { retireIfUnused(name) }
        }
        return gone
    }

    /// HEARTBEAT for every idle worker whose service's round is due; busy ones too with
    /// `includingBusy` (a broker whose sends fail for a worker that has gone learns of it so).
    mutating func heartbeatsDue(now: Int, includingBusy: Bool = false) -> [Output] {
        var out: [Output] = []
        for name in services.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            out += services[name]!.pool.heartbeatsDue(now: now, includingBusy: includingBusy).map { .toWorker($0, .heartbeat) }
        }
        return out
    }

    /// Drops the requests that have waited since before `cutoff`; returns how many.
    @discardableResult
    mutating func discardRequests(waitingSince cutoff: Int) -> Int {
        var dropped = 0
        for name in Array(services.keys) {
            dropped += services[name]!.requests.discard(waitingSince: cutoff)
            retireIfUnused(name)
        }
        return dropped
    }

    /// DISCONNECT for every worker, as the broker shuts down (it forgets them all).
    mutating func disconnectAll() -> [Output] {
        let workers = serviceOf.keys.sorted { $0.lexicographicallyPrecedes($1) }
        for worker in workers { forget(worker, service: serviceOf[worker]!, lost: false) }
        return workers.map { .toWorker($0, .disconnect) }
    }

    // MARK: - Inside

    /// Sends waiting requests to idle workers of `name`, oldest request to least recently used.
    private mutating func dispatch(_ name: [UInt8], now: Int) -> [Output] {
        var out: [Output] = []
        while services[name]!.pool.hasIdle, let request = services[name]!.requests.dequeue() {
            let worker = services[name]!.pool.take(now: now)!
            out.append(.toWorker(worker, .request(client: request.client, body: request.body)))
        }
        return out
    }

    /// The answer of an mmi. service: the request's last body frame replaced by "200" or "404"
    /// (mmi.service: has the named service a worker?) or "501" (any other mmi. name).
    private func internalAnswer(_ request: MDPClientMessage) -> MDPClientMessage {
        var code = "501"
        if request.service == MDP.serviceLookup { code = request.body.last.map(exists) == true ? "200" : "404" }
        var body = request.body
        if body.isEmpty { body.append([]) }
        body[body.count - 1] = Array(code.utf8)
        return MDPClientMessage(service: request.service, body: body)
    }

    @discardableResult
    private mutating func requireService(_ name: [UInt8], now: Int) -> Bool {
        guard services[name] == nil else { return false }
        let pool = WorkerPool(heartbeat: heartbeat, expiresWhileBusy: expiresWhileBusy, now: now)
        services[name] = Service(name: name, requests: PendingRequests(capacity: limits.pending, byteCapacity: limits.pendingBytes), pool: pool)
        return true
    }

    private mutating func forget(_ worker: [UInt8], service name: [UInt8], lost: Bool) {
        serviceOf[worker] = nil
        services[name]?.pool.remove(worker, lost: lost)
        retireIfUnused(name)
    }

    private mutating func refuse(_ worker: [UInt8]) -> [Output] {
        protocolErrors += 1
        return [.toWorker(worker, .disconnect)]
    }

    /// Removes a service with no workers and no waiting requests, keeping its totals.
    private mutating func retireIfUnused(_ name: [UInt8]) {
        guard let service = services[name], service.pool.count == 0, service.requests.isEmpty else { return }
        retired = retired + service.pool.totals
        services[name] = nil
    }
}

extension PoolTotals {
    static func + (a: PoolTotals, b: PoolTotals) -> PoolTotals {
        PoolTotals(requests: a.requests + b.requests, busyNanoseconds: a.busyNanoseconds + b.busyNanoseconds,
                   workersLost: a.workersLost + b.workersLost, workersLeft: a.workersLeft + b.workersLeft,
                   requestsLost: a.requestsLost + b.requestsLost)
    }
}
