// broker --mode majordomo: an MDP/0.1 broker (rfc.zeromq.org spec 7), as the zguide's mdbroker.
// Clients ("MDPC01") on the frontend, workers ("MDPW01") on the backend; ServiceRegistry decides,
// this file reads the sockets, sends what it answers and reports workers coming and going.
import ZMQ

final class MajordomoRouter: BalancingRouter {
    let relay: Relay
    let diagnostics: Diagnostics
    private(set) var registry: ServiceRegistry
    /// Messages that were not Majordomo, or came to the wrong side.
    private(set) var malformed = 0
    private var message = MultipartMessage(capacity: 4096)

    init(relay: Relay, heartbeat: HeartbeatSettings, diagnostics: Diagnostics) {
        self.relay = relay
        self.diagnostics = diagnostics
        registry = ServiceRegistry(heartbeat: heartbeat)
    }

    func frontendReadable() throws(Exit) -> Bool {
        for _ in 0..<BalancingBroker.batch {
            guard try receive(relay.front) else { return true }
            let frames = message.arrays
            guard case .success(let (client, .client(request))) = MDP.parseAtBroker(frames) else {
                ignored("frontend", frames)
                continue
            }
            relay.countUp(message.frames)
            relay.copy(UInt8(ascii: ">"), message.frames)
            let refused = registry.refused
            try send(registry.clientRequest(request, from: client, now: Clock.nanoseconds()))
            if registry.refused > refused {
                let limits = registry.limits
                diagnostics.warnOnce("mdp.full", "requests dropped: the broker holds all it may (\(limits.pending) requests or "
                    + "\(Words.bytes(limits.pendingBytes)) waiting, \(limits.services) services); the clients' retries ask again")
            }
        }
        return false
    }

    func backendReadable() throws(Exit) -> Bool {
        for _ in 0..<BalancingBroker.batch {
            guard try receive(relay.back) else { return true }
            let frames = message.arrays
            switch MDP.parseAtBroker(frames) {
            case .success(let (worker, .worker(command))):
                let known = registry.workerCount
                let knew = registry.knows(worker)
                let out = registry.workerMessage(command, from: worker, now: Clock.nanoseconds())
                report(command, worker, before: known, knew: knew, out: out)
                try send(out)
            case .success, .failure:
                ignored("backend", frames)
                // an MDP worker that sent something unreadable is told to start again
                if frames.count > 2 && frames[2] == MDP.workerHeader {
                    _ = try relay.send(MDP.toWorker(frames[0], .disconnect), on: relay.back)
                }
            }
        }
        return false
    }

    func tick(now: Int) throws(Exit) {
        for (service, gone) in registry.expire(now: now) {
            diagnostics.info("worker \(PirateWire.show(gone.worker.id)) of \(PirateWire.show(service)) fell silent: forgotten"
                + (gone.lostRequest ? ", with the request it had in hand" : ""))
        }
        // busy workers too: mdwrkapi ignores a HEARTBEAT while it works, and a send to a worker
        // killed mid-request fails (ROUTER_MANDATORY), so it is forgotten instead of busy for ever
        try send(registry.heartbeatsDue(now: now, includingBusy: true))
        let dropped = registry.discardRequests(waitingSince: now - LoadBalancer.maximumWait)
        if dropped > 0 {
            diagnostics.info("dropped \(Words.count(dropped, "request")) that waited 10 s for a worker")
        }
    }

    func statsLines() -> [String] {
        var lines: [String] = []
        for (name, service) in registry.services.sorted(by: { $0.key.lexicographicallyPrecedes($1.key) }) {
            lines += service.pool.statsLines().map { "service \(PirateWire.show(name)): " + $0 }
        }
        let sum = registry.totals
        lines.append("all services: \(Words.count(sum.requests, "request")) answered, \(Words.count(sum.workersLost, "worker")) lost, "
            + "\(Words.count(registry.pendingCount, "request")) waiting, \(registry.refused) refused, "
            + "\(Words.count(registry.protocolErrors, "protocol error")), \(Words.count(registry.strangers, "unknown worker")) told to register again, "
            + "\(Words.count(malformed, "malformed message")) ignored")
        return lines
    }

    /// DISCONNECT to every worker, as mdbroker does when it stops.
    func stop() {
        for output in registry.disconnectAll() { _ = try? relay.send(output.frames, on: relay.back) }
    }

    // MARK: - Helpers

    /// Sends what the registry answered: replies on the frontend, commands on the backend. A worker
    /// that has gone is forgotten as if it had said DISCONNECT.
    private func send(_ outputs: [ServiceRegistry.Output]) throws(Exit) {
        for output in outputs {
            let frames = output.frames
            switch output {
            case .toClient:
                _ = try relay.send(frames, on: relay.front)
                relay.down.messages += 1
                relay.down.bytes += frames.reduce(0) { $0 + $1.count }
                relay.copy(UInt8(ascii: "<"), arrays: frames)
            case .toWorker(let worker, let command):
                guard try relay.send(frames, on: relay.back) == .unreachable, registry.knows(worker) else { continue }
                diagnostics.info("worker \(PirateWire.show(worker)) is unreachable: forgotten")
                if case .request(let client, let body) = command {
                    // the request never reached it: the next idle worker gets it
                    try send(registry.undelivered(to: worker, client: client, body: body, now: Clock.nanoseconds()))
                } else {
                    registry.lose(worker)
                }
            }
        }
    }

    private func report(_ command: MDPWorkerMessage, _ worker: [UInt8], before: Int, knew: Bool, out: [ServiceRegistry.Output]) {
        let name = PirateWire.show(worker)
        if case .ready(let service) = command, registry.workerCount > before {
            diagnostics.info("worker \(name) joined service \(PirateWire.show(service))")
        } else if registry.workerCount < before {
            diagnostics.info("worker \(name) left")
        } else if out.contains(.toWorker(worker, .disconnect)) {
            // a HEARTBEAT or REPLY from a worker not known here is what a restarted broker hears first
            let stranger = switch command {
            case .heartbeat, .reply: !knew
            default: false
            }
            diagnostics.info(stranger ? "worker \(name) sent \(command.command) but has not said READY here: sent DISCONNECT, so that it registers again"
                                      : "worker \(name): protocol error (\(command.command)), sent DISCONNECT")
        }
    }

    private func ignored(_ side: String, _ frames: [[UInt8]]) {
        malformed += 1
        diagnostics.info("\(side): ignored a message that is not Majordomo (\(frames.count) frames)")
    }

    private func receive(_ socket: Socket) throws(Exit) -> Bool {
        do { return try socket.receive(&message, dontWait: true) } catch {
            if error == .interrupted { return false }
            throw Exit.runtime("cannot receive: \(error)")
        }
    }
}
