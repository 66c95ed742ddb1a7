// bench req|push|pub: load on a running service from --clients sockets driven by one thread.
// Each turn of the loop lets every client send what its schedule (LoadPlan) has made due, waits
// in one zmq_poll for replies, for room to send, for the next due time or for a signal, and
// takes what came. A req client has one request out at a time (a REQ with req_relaxed and
// req_correlate, so a timed-out request is given up and a late reply to it never counts for the
// next); push and pub clients send until the socket would block (pub with xpub_nodrop, so a
// message is never dropped unseen). Client 0's connections are watched so that a refused
// handshake ends the run and a run with timeouts says what it saw.
import Glibc
import ZMQ

final class LoadRun {
    struct Client {
        var socket: Socket
        /// Messages this client has been given so far.
        var issued = 0
        /// req: a request is out.
        var waiting = false
        /// The message out (req) or next (push, pub): when it was meant to go, in nanoseconds
        /// since the start.
        var intended = 0
        /// req: when the request out went; a blocked send: when it was first tried.
        var since = 0
        /// A message was given and is not sent yet.
        var pending = false
        /// The pending message's send would have blocked: wait for room.
        var blocked = false
        /// The plan has nothing more for this client.
        var done = false
    }

    let plan: LoadPlan
    let mode: BenchMode
    var clients: [Client]
    var summary: LoadSummary
    /// The message each client sends: --size zero bytes or a one-frame --data, copied for each
    /// send; `frames` instead for a --data of several frames.
    let template: Message
    let frames: [[UInt8]]?
    private let watch: ConnectionMonitor?
    var poller = Poller()
    /// The self-pipe of the signal handlers is in the poll set.
    let watchesSignals: Bool
    private var progress: ProgressLine
    private var start = 0
    /// Closes a client's socket and opens a new one (Lazy Pirate), for requests that carry no
    /// id to tell a late reply by (--service); nil: the socket stays.
    var reopen: ((Socket) -> Socket?)?
    /// The one socket binds and the service connects to it.
    let binds: Bool
    /// Messages given out over all clients (runs without a rate).
    private var issuedTotal = 0

    init(plan: LoadPlan, mode: BenchMode, endpoint: Endpoint, sockets: [Socket], size: Int, watch: ConnectionMonitor?,
         progress: ProgressLine) {
        self.plan = plan
        binds = endpoint.role == .bind
        self.mode = mode
        self.watch = watch
        self.progress = progress
        clients = sockets.map { Client(socket: $0) }
        summary = LoadSummary(mode: mode, endpoint: endpoint.address, clients: sockets.count, size: size, rate: plan.rate,
                              planned: plan.planned)
        let payload = plan.payload ?? [[UInt8](repeating: 0, count: size)]
        template = Message(payload.first ?? [])
        frames = payload.count == 1 ? nil : payload
        for socket in sockets { poller.add(socket, []) }
        watchesSignals = Signals.wakeFD >= 0
        if watchesSignals { poller.add(fd: Signals.wakeFD, .readable) }
    }

    private func elapsed() -> Int { Clock.nanoseconds() - start }

    /// Runs the plan; the summary of what was done, and why the run ended early, if it did.
    func run() -> (LoadSummary, Exit?) {
        start = Clock.nanoseconds()
        var ending: Exit?
        while ending == nil {
            if Signals.pending != 0 {
                summary.interrupted = true
                ending = .signal(Signals.pending)
                break
            }
            let now = elapsed()
            var wake = Int.max
            var active = false
            for c in clients.indices { turn(c, now: now, wake: &wake, active: &active) }
            if !active || summary.gaveUp { break }
            ending = watched(at: now)
            if ending != nil { break }
            wait(until: min(wake, progress.due(after: now)), now: now)
            take(at: elapsed())
        }
        summary.nanoseconds = max(summary.nanoseconds, summary.interrupted || summary.gaveUp || ending != nil ? elapsed() : 0)
        progress.finish()
        return (summary, ending)
    }

    /// The progress line, and a handshake that cannot succeed.
    private func watched(at now: Int) -> Exit? {
        guard progress.isDue(at: now) else { return nil }
        progress.show(summary, at: now)
        return refusal()
    }

    /// The exit for client 0's first handshake that cannot succeed, if there was one.
    func refusal() -> Exit? {
        guard let watch else { return nil }
        _ = try? watch.drain()
        guard let found = watch.tracker.fatalHandshake else { return nil }
        let failure = found.checkedByProbe(ours: mode == .req ? .req : mode == .push ? .push : .xpub)
        return Exit.failed(failure.status, "handshake with \(failure.endpoint) failed: \(failure.reason)")
    }

    /// After a timeout: with nothing ever answered and no peer ever met, more requests would only
    /// wait as long, so the run gives up.
    func givesUp() -> Bool {
        if summary.answered == 0, !metAPeer() { summary.gaveUp = true }
        return summary.gaveUp
    }

    /// Whether client 0 ever completed a handshake with a peer (true when it is not watched).
    func metAPeer() -> Bool {
        guard let watch else { return true }
        _ = try? watch.drain()
        return watch.tracker.handshakes > 0
    }

    /// push and pub, before waiting for delivery: waits up to --timeout for client 0 to complete
    /// a handshake, so that messages queued for nobody (nothing listening, a socket type that
    /// cannot take them) are not called delivered. The exit for what was seen instead.
    func awaitPeer() -> Exit? {
        guard let watch else { return nil }
        let deadline = Clock.nanoseconds() + plan.timeout
        var poller = Poller()
        poller.add(watch.monitor.socket, .readable)
        while true {
            if metAPeer() { return nil }
            if let refused = refusal() { return refused }
            let left = (deadline - Clock.nanoseconds()) / 1_000_000
            if left <= 0 || Signals.pending != 0 { break }
            _ = try? poller.poll(timeout: min(Int(left), 100))
        }
        if Signals.pending != 0 { return .signal(Signals.pending) }
        return .timeout("no peer took the messages within \(LoadReport.seconds(plan.timeout)): "
                        + watch.tracker.whatWasSeen(at: summary.endpoint, binds: binds))
    }

    /// What client 0's connections came to, for a run with timeouts.
    func whatWasSeen() -> String? {
        guard let watch else { return nil }
        _ = try? watch.drain()
        return watch.tracker.whatWasSeen(at: summary.endpoint, binds: binds)
    }

    // MARK: - One client's turn

    /// Gives up a request out too long, then sends what is due; `wake` becomes the earliest time
    /// this client needs the loop back, `active` whether it still has anything to do.
    private func turn(_ c: Int, now: Int, wake: inout Int, active: inout Bool) {
        if clients[c].waiting {
            if now - clients[c].since < plan.timeout {
                wake = min(wake, clients[c].since + plan.timeout)
                active = true
                return
            }
            clients[c].waiting = false
            summary.timeouts += 1
            summary.nanoseconds = now
            if givesUp() { return }
            if let reopen {
                guard let fresh = reopen(clients[c].socket) else {
                    // the old socket is closed: this client is done, and out of the poll set
                    summary.errors += 1
                    clients[c].done = true
                    poller.disable(c)
                    return
                }
                clients[c].socket = fresh
                poller.setSocket(c, fresh, [])
            }
        }
        var sends = 0
        while !clients[c].done {
            if !clients[c].pending && !next(c, now: now) { break }
            if clients[c].intended > now {
                wake = min(wake, clients[c].intended)
                break
            }
            guard send(c, now: now) else {
                if clients[c].pending { wake = min(wake, clients[c].since + plan.timeout) }
                break
            }
            sends += 1
            // req has one request out; push and pub go on while due, in batches so that the
            // other clients, replies and signals get their turn
            if mode == .req {
                wake = min(wake, now + plan.timeout)
                break
            }
            if sends == 256 {
                wake = now  // more is due: back at once
                break
            }
        }
        active = active || !clients[c].done || clients[c].waiting || clients[c].pending
    }

    /// Gives client `c` its next message, or marks it done: false when it has none.
    private func next(_ c: Int, now: Int) -> Bool {
        let j = plan.rate == nil ? issuedTotal : clients[c].issued * clients.count + c
        let over = plan.duration.map { now >= $0 } ?? false
        guard !over, plan.includes(j, elapsed: now) else {
            clients[c].done = true
            return false
        }
        clients[c].intended = plan.intended(j) ?? now
        clients[c].pending = true
        clients[c].issued += 1
        issuedTotal += 1
        return true
    }
}
