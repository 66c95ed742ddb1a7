// bench req|push|pub: opens the clients' sockets, runs LoadRun, and turns what it counted into
// the summary on stdout and the exit status: 0 when every message went (and every request was
// answered), 3 with what was seen when some timed out, 4 or 1 for a handshake that cannot
// succeed, 130 after the summary of what ran so far when interrupted.
import Glibc
import ZMQ

extension BenchCommand {
    static func load(_ s: BenchSettings, _ endpoint: Endpoint, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let plan = s.load!
        let context = Context()
        roomFor(plan.clients, context)
        var sockets: [Socket] = []
        defer { for socket in sockets { socket.close() } }
        let watch: ConnectionMonitor
        do {
            // client 0 is watched from before it connects, so no connection goes unseen
            let first = try openClient(context, s.mode, endpoint, plan, attach: false)
            sockets.append(first)
            watch = try ConnectionMonitor(socket: first, diagnostics: Diagnostics(fd: diagnostics.fd), events: nil,
                                          refusesLegacy: false)
            try attach(first, endpoint)
            while sockets.count < plan.clients { sockets.append(try openClient(context, s.mode, endpoint, plan)) }
        } catch {
            throw Exit.runtime("cannot \(endpoint.role == .bind ? "bind" : "connect to") \(endpoint.address) (client \(sockets.count + 1) of \(plan.clients)): \(error)",
                               hint: sockets.count > 0 ? "fewer --clients, or a higher ulimit -n" : nil)
        }
        if s.mode == .pub { try waitForSubscribers(sockets, plan, endpoint, s.size, diagnostics) }
        let run = LoadRun(plan: plan, mode: s.mode, endpoint: endpoint, sockets: sockets, size: s.size, watch: watch,
                          progress: ProgressLine(fd: diagnostics.fd))
        if plan.majordomo {
            run.reopen = { (old) in
                try? old.set(.linger, 0)
                old.close()
                return try? openClient(context, s.mode, endpoint, plan)
            }
        }
        var (summary, ending) = run.run()
        sockets = run.clients.map(\.socket)  // a client's socket may have been reopened
        if ending == nil { ending = run.refusal() }
        if ending == nil, s.mode != .req, summary.sent > 0 { ending = run.awaitPeer() }
        watch.monitor.stop()
        // req: a request still out is given up, nothing waits for it
        if ending != nil || s.mode == .req { for socket in sockets where !socket.isClosed { try? socket.set(.linger, 0) } }
        if s.mode != .req && ending == nil {
            let (seconds, delivered) = drain(sockets, context, plan)
            sockets = []
            summary.nanoseconds += seconds
            if Signals.pending != 0 {
                summary.interrupted = true
                ending = .signal(Signals.pending)
            } else if !delivered {
                ending = .timeout("not every message was delivered within \(LoadReport.seconds(plan.timeout)): the service stopped taking them",
                                  hint: "a longer -t waits longer")
            }
        }
        let output = OutputWriter(fd: io.output)
        output.buffer.append(Array(LoadReport.render(summary, as: s.format).utf8))
        try output.flush()
        if let ending { throw ending }
        try verdict(summary, plan, seen: run.whatWasSeen(), diagnostics)
    }

    /// Status 3 for timeouts (with what was seen), 1 for errors; a warning for a plan the clients
    /// could not keep up with.
    static func verdict(_ s: LoadSummary, _ plan: LoadPlan, seen: String?, _ diagnostics: Diagnostics) throws(Exit) {
        let within = LoadReport.seconds(plan.timeout)
        if s.unsent > 0 && !s.gaveUp {
            diagnostics.warning("\(Words.count(s.unsent, "planned message")) did not go by the end of --duration (\(LoadReport.seconds(plan.duration ?? 0))): the clients were still waiting on the service")
            diagnostics.line(plan.rate != nil ? "hint: more --clients, or a lower --rate" : "hint: a longer --duration, or a smaller -n")
        }
        if s.timeouts > 0 {
            let what = s.gaveUp ? "gave up after \(Words.count(s.timeouts, "timeout")) of \(within) with nothing answered"
                : s.mode == .req ? "\(Words.count(s.timeouts, "request")) got no reply within \(within)"
                : "the service took no message for \(within)"
            // a Majordomo broker holds a request for a service nobody provides (when one was met)
            let service = plan.majordomo && !s.gaveUp ? plan.payload.map { String(decoding: $0[1], as: UTF8.self) } : nil
            throw Exit.timeout(what + (seen.map { ": " + $0 } ?? ""), hint: service.map {
                "does service '\($0)' have workers? zswift req \(s.endpoint) --service mmi.service -d '\($0)' says (200: yes, 404: no)"
            })
        }
        if s.errors > 0 { throw Exit.runtime("\(Words.count(s.errors, "send or receive")) failed") }
    }

    /// Room for `clients` sockets: libzmq's own cap (ZMQ_MAX_SOCKETS, 1023 by default) and the
    /// process's open files (each client holds an eventfd and a connection), raised to the hard
    /// limit when the soft one is short.
    static func roomFor(_ clients: Int, _ context: Context) {
        try? context.setMaxSockets(Int32(clients + 64))
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return }
        let wanted = rlim_t(clients * 3 + 64)
        if limit.rlim_cur < wanted {
            limit.rlim_cur = min(wanted, limit.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        }
    }

    /// A client's socket, set up for `mode`, bound or connected to `endpoint` unless `attach` is false.
    static func openClient(_ context: Context, _ mode: BenchMode, _ endpoint: Endpoint, _ plan: LoadPlan,
                           attach: Bool = true) throws(ZMQError) -> Socket {
        let socket = try Socket(context, type: mode == .req ? .req : mode == .push ? .push : .xpub)
        if mode == .req {
            try socket.set(.requestRelaxed, true)
            if !plan.majordomo { try socket.set(.requestCorrelate, true) }
        }
        if mode == .pub { try socket.set(.xpubNoDrop, true) }
        try socket.set(.linger, Int32(clamping: plan.timeout / 1_000_000))
        if attach { try self.attach(socket, endpoint) }
        return socket
    }

    static func attach(_ socket: Socket, _ endpoint: Endpoint) throws(ZMQError) {
        if endpoint.role == .bind { try socket.bind(endpoint.address) } else { try socket.connect(endpoint.address) }
    }

    /// pub: holds the start until every client's XPUB has a subscriber, bounded by --timeout; warns
    /// when a subscription does not match what bench sends (the subscriber would drop it all).
    static func waitForSubscribers(_ sockets: [Socket], _ plan: LoadPlan, _ endpoint: Endpoint, _ size: Int,
                                   _ diagnostics: Diagnostics) throws(Exit) {
        let deadline = Clock.nanoseconds() + plan.timeout
        let first = plan.payload?.first ?? [UInt8](repeating: 0, count: size)
        var subscription = Message()
        for socket in sockets {
            while true {
                let left = (deadline - Clock.nanoseconds()) / 1_000_000
                guard left > 0 else {
                    throw Exit.timeout("no subscriber at \(endpoint.address) within \(LoadReport.seconds(plan.timeout))",
                                       hint: "start the SUB first, or give a longer -t")
                }
                try? socket.set(.receiveTimeout, Int32(min(left, 250)))
                let got: Bool
                do { got = try socket.receive(&subscription) } catch {
                    if Signals.pending != 0 { throw Exit.signal(Signals.pending) }
                    continue
                }
                guard got, subscription.count >= 1, subscription.bytes[0] == 1 else { continue }
                let prefix = Array(subscription.bytes.dropFirst())
                if !first.starts(with: prefix) {
                    diagnostics.warning("a subscriber subscribed to \(prefix.count) bytes that what bench sends does not start with: it will drop every message")
                    diagnostics.line("hint: --data starting with the subscription")
                }
                break
            }
        }
    }

    /// push, pub: closes the sockets and waits for libzmq to deliver what they hold, up to
    /// --timeout (their linger); the nanoseconds it took and whether all went.
    /// A stop signal ends the wait (the helper thread that terminates the context is left
    /// behind, as the run's own end does).
    static func drain(_ sockets: [Socket], _ context: Context, _ plan: LoadPlan) -> (Int, Bool) {
        let start = Clock.nanoseconds()
        for socket in sockets { socket.close() }
        let terminator = ContextTerminator.start(context)
        defer { terminator.close() }
        while !terminator.isFinished(waitingUpTo: 100) {
            if Signals.pending != 0 { return (Clock.nanoseconds() - start, false) }
        }
        let took = Clock.nanoseconds() - start
        return (took, took < plan.timeout - 20_000_000)
    }
}
