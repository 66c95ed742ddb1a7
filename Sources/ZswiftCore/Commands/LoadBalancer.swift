// broker --mode lb: the zguide's Paranoid Pirate queue (ppqueue). Each client request goes to the
// least recently used idle worker (WorkerPool); while every worker is busy requests wait in
// libzmq's queues and, taken from there each tick, in a bounded FIFO (PendingRequests); a reply
// goes on only if it is to the request its worker was given; idle workers get heartbeats and
// silent ones are forgotten.
// Workers are DEALERs speaking `\x01` READY / `\x02` HEARTBEAT, or REQ sockets saying "READY"
// (the zguide's lbworker); PirateWire reads both.
import ZMQ

final class LoadBalancer: BalancingRouter {
    /// A request that has waited this long for a worker is dropped: its client has most likely
    /// given up or retried (zswift req waits 5 s by default), and a worker's time is better spent
    /// on live ones. 10 s.
    static let maximumWait = 10_000_000_000

    let relay: Relay
    let diagnostics: Diagnostics
    private(set) var pool: WorkerPool
    /// Requests waiting for a worker: at most 10,000 or 64 MiB; past that a new request is dropped
    /// (the client's timeout and retry ask again), and requests older than `maximumWait` too.
    private(set) var pending = PendingRequests<HeldRequest>()
    /// Messages that were neither a request (frontend) nor a worker's message (backend).
    private(set) var malformed = 0
    /// Replies dropped because they were not to the request their worker was given here.
    private(set) var strayReplies = 0
    /// Workers forgotten with a request in hand (they fell silent while busy, as the zguide's
    /// ppworker does when it works for longer than the expiry), with that request's tag: a late
    /// reply from one of them is still passed on, since this broker gave it the request. At most
    /// 1,024; a restarted broker starts with none, so nothing from before a restart matches.
    private var forgottenBusy: [[UInt8]: UInt64] = [:]
    private var message = MultipartMessage(capacity: 4096)

    init(relay: Relay, heartbeat: HeartbeatSettings, diagnostics: Diagnostics) {
        self.relay = relay
        self.diagnostics = diagnostics
        // workers that heartbeat while busy (zswift worker) and workers that answer within
        // liveness × heartbeat (ppworker) are both served; a busy worker silent longer is lost
        pool = WorkerPool(heartbeat: heartbeat, expiresWhileBusy: true, now: Clock.nanoseconds())
    }

    // MARK: - Clients

    /// Requests wait in libzmq's queues while every worker is busy, so that the broker is not
    /// woken for each: they are read when a worker is free (its reply's turn), and all of them
    /// every tick (100 ms), where the queue's bounds and its 10 s limit apply.
    var readsFrontend: Bool { pool.hasIdle }

    func frontendReadable() throws(Exit) -> Bool { try readRequests(whileIdle: true) }

    /// Reads requests (at most a batch), dispatching each or queueing it; `whileIdle`: only while
    /// a worker is idle and none waits. Returns whether it found the frontend empty or stopped.
    private func readRequests(whileIdle: Bool) throws(Exit) -> Bool {
        for _ in 0..<BalancingBroker.batch {
            if whileIdle && !(pool.hasIdle && pending.isEmpty) { return true }
            guard try receive(relay.front) else { return true }
            let frames = message.frames
            guard PirateWire.isClientRequest(frames) else {
                malformed += 1
                diagnostics.trace("frontend: ignored a message without an envelope: \(Words.describe(frames))")
                continue
            }
            relay.countUp(frames)
            let now = Clock.nanoseconds()
            if pending.isEmpty, try dispatch(frames, now: now) { continue }
            if !pending.enqueue(HeldRequest(frames), bytes: message.byteCount, now: now) {
                if pending.count >= pending.capacity {
                    diagnostics.warnOnce("lb.full", "requests dropped: \(pending.capacity) are waiting for a worker already")
                } else {
                    diagnostics.warnOnce("lb.bytes", "requests dropped: the \(Words.count(pending.count, "request")) waiting for a worker "
                        + "hold \(Words.bytes(pending.bytes)) (at most \(Words.bytes(pending.byteCapacity)) wait)")
                }
            }
        }
        return false
    }

    /// Sends a request to the least recently used idle worker; false when there is none.
    private func dispatch<Frames: RandomAccessCollection>(_ frames: Frames, now: Int) throws(Exit) -> Bool
    where Frames.Element == UnsafeRawBufferPointer {
        let client = PirateWire.envelopeTag(frames)
        while let worker = pool.take(now: now, for: client) {
            let plain = pool[worker]?.kind == .plain
            switch try relay.toWorker(worker, delimited: plain, frames) {
            case .sent:
                relay.copy(UInt8(ascii: ">"), frames)
                return true
            case .unreachable, .full:
                if let gone = pool.unreachable(worker) { report(gone, "is unreachable") }
            }
        }
        return false
    }

    /// Sends waiting requests, oldest first, while there are idle workers.
    private func dispatchWaiting(now: Int) throws(Exit) {
        while pool.hasIdle, let request = pending.first {
            guard try request.withFrames({ (frames) throws(Exit) -> Bool in try dispatch(frames, now: now) }) else { return }
            _ = pending.dequeue()
        }
    }

    // MARK: - Workers

    func backendReadable() throws(Exit) -> Bool {
        let drained = try readWorkers()
        _ = try readRequests(whileIdle: true)  // a worker is free: its next request in the same turn
        return drained
    }

    private func readWorkers() throws(Exit) -> Bool {
        for _ in 0..<BalancingBroker.batch {
            guard try receive(relay.back) else { return true }
            let frames = message.frames
            let now = Clock.nanoseconds()
            switch PirateWire.parseAtBroker(frames) {
            case .failure(let error):
                malformed += 1
                let mdp = frames.count > 2 && frames[2].elementsEqual(MDP.workerHeader)
                diagnostics.info("backend: ignored " + (mdp ? "a Majordomo worker's message (MDPW01): it needs broker --mode majordomo" : "\(error)"))
            case .success(let (worker, .ready(kind))):
                forgottenBusy[worker] = nil
                if pool.ready(worker, kind: kind, now: now) == .joined { joined(worker, kind) }
            case .success(let (worker, .heartbeat)):
                if !pool.heard(from: worker, now: now) {
                    diagnostics.trace("worker \(PirateWire.show(worker)) heartbeats but has not said READY here: not given requests yet")
                }
            case .success(let (worker, .reply(kind, forward))):
                let reply = frames[forward]
                guard accepts(reply, from: worker, kind: kind, now: now) else { break }
                // the worker is idle again: its next request goes before this reply is passed on,
                // so the worker is not kept waiting for the client's send
                if !pending.isEmpty { try dispatchWaiting(now: now) }
                try relay.toClient(reply)
                relay.countDown(reply)
                relay.copy(UInt8(ascii: "<"), reply)
            }
            if !pending.isEmpty { try dispatchWaiting(now: now) }
        }
        return false
    }

    // MARK: - Time

    func tick(now: Int) throws(Exit) {
        for gone in pool.expire(now: now) {
            report(gone, "fell silent (\(Words.format(Double(pool.heartbeat.expiry) / 1e9)) s)")
            if gone.lostRequest {
                if forgottenBusy.count >= 1_024 { forgottenBusy.removeAll() }
                forgottenBusy[gone.worker.id] = gone.worker.inHand
            }
        }
        for worker in pool.heartbeatsDue(now: now) {
            if try relay.send(PirateWire.heartbeat(to: worker), on: relay.back) == .unreachable,
               let gone = pool.remove(worker, lost: true) {
                report(gone, "is unreachable")
            }
        }
        // what waits in libzmq's queues comes under the queue's bounds (10 batches a tick at most)
        for _ in 0..<10 {
            if try readRequests(whileIdle: false) { break }
        }
        let dropped = pending.discard(waitingSince: now - LoadBalancer.maximumWait)
        if dropped > 0 {
            diagnostics.info("dropped \(Words.count(dropped, "request")) that waited 10 s for a worker")
        }
        if !pending.isEmpty { try dispatchWaiting(now: now) }
    }

    func statsLines() -> [String] {
        var lines = pool.statsLines()
        lines.append("requests waiting: \(pending.count) (at most \(pending.peak) at once); "
            + "\(pending.refused) refused (queue full), \(pending.discarded) dropped after waiting 10 s; "
            + "\(Words.count(malformed, "malformed message")) ignored, \(Words.count(strayReplies, "stray reply", plural: "stray replies")) dropped")
        return lines
    }

    func stop() {}

    // MARK: - Helpers

    private func receive(_ socket: Socket) throws(Exit) -> Bool {
        do { return try socket.receive(&message, dontWait: true) } catch {
            if error == .interrupted { return false }
            throw Exit.runtime("cannot receive: \(error)")
        }
    }

    /// Whether `reply` goes on to its client: only the reply to the request this broker gave its
    /// worker (the one in hand, or the one it had when it was forgotten). The worker is free again.
    private func accepts<Frames: Collection>(_ reply: Frames, from worker: [UInt8], kind: WorkerKind, now: Int) -> Bool
    where Frames.Element: Collection<UInt8> {
        let tag = PirateWire.envelopeTag(reply)
        let answer = pool.replied(worker, kind: kind, now: now, to: tag)
        if case .answered = answer { return true }
        if answer == .stranger {
            joined(worker, kind)
            if forgottenBusy.removeValue(forKey: worker) == tag {
                diagnostics.info("worker \(PirateWire.show(worker)) answered the request it had when it was forgotten: passed on")
                return true
            }
        }
        stray(reply, from: worker, answer)
        return false
    }

    /// A reply that is not to the request its worker was given here is never passed on: after a
    /// broker restart its envelope's routing id may belong to another client.
    private func stray<Frames: Collection>(_ reply: Frames, from worker: [UInt8], _ answer: WorkerPool.Answer)
    where Frames.Element: Collection<UInt8> {
        strayReplies += 1
        let client = reply.first.map { PirateWire.show($0) } ?? "?"
        diagnostics.info("dropped a reply from worker \(PirateWire.show(worker)) for client \(client): "
            + (answer == .stranger ? "the worker is not known here (the request came before a broker restart, or before the worker was forgotten)"
                                   : "it is not the reply to the request this broker gave it"))
    }

    private func joined(_ worker: [UInt8], _ kind: WorkerKind) {
        diagnostics.info("worker \(PirateWire.show(worker)) joined" + (kind == .plain ? " (REQ, no heartbeats)" : ""))
    }

    private func report(_ gone: WorkerPool.Departure, _ why: String) {
        diagnostics.info("worker \(PirateWire.show(gone.worker.id)) \(why): forgotten"
            + (gone.lostRequest ? ", with the request it had in hand" : ""))
    }
}
