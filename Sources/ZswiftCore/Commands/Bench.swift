// bench: measures throughput (thr: PUSH to PULL) or latency (lat: REQ to REP echo), both ends in
// this process on two threads, or one end of a split run with the socket types of libzmq's perf
// programs, so either end may be local_thr/remote_thr or local_lat/remote_lat. It runs alone: its
// sockets are its own, not the run's, and its loops are BenchLoops'.
import Glibc
import ZMQ

enum BenchCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        guard let settings = invocation.bench else { return }
        if settings.mode.loads, let endpoint = settings.end.endpoint {
            return try load(settings, endpoint, io: io, diagnostics: diagnostics)
        }
        let summary: BenchSummary?
        do {
            switch settings.end {
            case let .both(transport): summary = try both(settings, transport)
            case let .bound(endpoint): summary = try bound(settings, endpoint)
            case let .connected(endpoint): summary = try connected(settings, endpoint)
            }
        } catch {
            // what was measured before a signal or a timeout is still worth printing
            if let partial = error.partial { try print(partial, settings.format, io) }
            if error.stopped, Signals.pending != 0 { throw Exit.signal(Signals.pending) }
            if error.timedOut { throw Exit.timeout(timedOut(settings, done: error.partial?.messages ?? error.done ?? 0)) }
            throw Exit.runtime(error.message)
        }
        if let summary { try print(summary, settings.format, io) }
    }

    static func print(_ summary: BenchSummary, _ format: BenchFormat, _ io: StandardIO) throws(Exit) {
        let output = OutputWriter(fd: io.output)
        output.buffer.append(Array(BenchReport.render(summary, as: format).utf8))
        try output.flush()
    }

    /// What this end got through before -t ran out, in its own terms: "received 120 of 1000
    /// messages: nothing arrived within -t 2s", "sent 0 of 1000 messages: nothing took them ...".
    static func timedOut(_ s: BenchSettings, done: Int) -> String {
        let within = "within -t " + (s.timeout.map { "\($0)" } ?? "")
        let connects = if case .connected = s.end { true } else { false }
        let nobody = done == 0 ? s.end.endpoint.map { " (is anything listening at \($0.address)?)" } ?? "" : ""
        switch (s.mode, connects) {
        case (.thr, true): return "sent \(done) of \(s.count) messages: nothing took them \(within)" + nobody
        case (.lat, false): return "echoed \(done) of \(s.count) requests: nothing arrived \(within)"
        case (.lat, true): return "made \(done) of \(s.count) round trips: no reply \(within)" + nobody
        default: return "received \(done) of \(s.count) messages: nothing arrived \(within)"
        }
    }

    // MARK: - Both ends here

    /// The measuring socket binds here; the other end connects on a thread of its own.
    static func both(_ s: BenchSettings, _ transport: BenchTransport) throws(BenchFailure) -> BenchSummary {
        let context = Context()
        let ipcPath = "/tmp/zswift-bench-\(getpid()).sock"
        defer { if transport == .ipc { unlink(ipcPath) } }
        let address = switch transport {
        case .tcp: "tcp://127.0.0.1:*"
        case .ipc: "ipc://" + ipcPath
        case .inproc: "inproc://zswift-bench"
        }
        let socket = try open(context, s.mode == .thr ? .pull : .req, bind: address)
        bound(socket, by: s.timeout)
        let endpoint = (try? socket.get(.lastEndpoint)) ?? address
        let (mode, size, count) = (s.mode, s.size, s.count)
        // the other end's socket is closed here, once everything was measured: libzmq 4.3.4 can
        // drop the last batch of a socket closed while its kernel buffer is full (zmq-facts.md),
        // and the measuring end would wait for it for ever
        let peer = try open(context, mode == .thr ? .push : .rep, connect: endpoint)
        // handed to the thread and back: pthread_create and pthread_join are the full memory
        // barriers libzmq asks of a socket that moves between threads
        nonisolated(unsafe) let handed = peer
        let other = try BenchThread(context) { () throws(BenchFailure) in
            if mode == .thr { try BenchLoops.send(handed, size: size, count: count) } else { try BenchLoops.echo(handed, size: size, count: count) }
        }
        let measured = Result { () throws(BenchFailure) in try measure(socket, s, transport: transport.rawValue) }
        if case .failure = measured { context.shutdown() }
        let failure = other.join()
        if failure != nil || (try? measured.get()) == nil {
            // what is still queued is not waited for: the context's end would wait for ever
            for s in [peer, socket] { try? s.set(.linger, 0) }
        }
        peer.close()
        socket.close()
        let summary = try measured.get()
        if let failure { throw failure }
        return summary
    }

    // MARK: - One end of a split run

    /// thr: receives and reports (local_thr); lat: echoes (local_lat) and reports nothing.
    static func bound(_ s: BenchSettings, _ endpoint: Endpoint) throws(BenchFailure) -> BenchSummary? {
        let context = Context()
        let socket = try open(context, s.mode == .thr ? .pull : .rep, bind: endpoint.address)
        defer { socket.close() }
        bound(socket, by: s.timeout)
        if s.mode == .lat {
            var progress = BenchProgress()
            try ending(socket, done: &progress) { (p) throws(BenchFailure) in try BenchLoops.echo(socket, size: s.size, count: s.count, progress: &p) }
            return nil
        }
        return try measure(socket, s, transport: transport(of: endpoint))
    }

    /// thr: sends (remote_thr) and ends once all is delivered; lat: measures and reports (remote_lat).
    static func connected(_ s: BenchSettings, _ endpoint: Endpoint) throws(BenchFailure) -> BenchSummary? {
        let context = Context()
        let socket = try open(context, s.mode == .thr ? .push : .req, connect: endpoint.address)
        defer { socket.close() }
        bound(socket, by: s.timeout)
        if s.mode == .thr {
            var progress = BenchProgress()
            try ending(socket, done: &progress) { (p) throws(BenchFailure) in try BenchLoops.send(socket, size: s.size, count: s.count, progress: &p) }
            return nil
        }
        do { return try measure(socket, s, transport: transport(of: endpoint)) } catch {
            try? socket.set(.linger, 0)
            throw error
        }
    }

    /// Runs a loop that does not measure (echo, send): when it fails, how far it got goes with
    /// the failure, and the socket is closed without waiting for what it still holds.
    static func ending(_ socket: Socket, done progress: inout BenchProgress,
                       _ loop: (inout BenchProgress) throws(BenchFailure) -> Void) throws(BenchFailure) {
        do { try loop(&progress) } catch {
            try? socket.set(.linger, 0)
            var failure = error
            failure.done = progress.done
            throw failure
        }
    }

    // MARK: - Pieces

    /// The measuring end's loop: receive (thr) or round trips (lat), and their summary.
    static func measure(_ socket: Socket, _ s: BenchSettings, transport: String) throws(BenchFailure) -> BenchSummary {
        var progress = BenchProgress()
        var summary = BenchSummary(mode: s.mode, transport: transport, size: s.size, messages: s.count, nanoseconds: 0)
        do {
            if s.mode == .thr {
                try BenchLoops.receive(socket, size: s.size, count: s.count, progress: &progress)
            } else {
                try BenchLoops.roundTrips(socket, size: s.size, count: s.count, progress: &progress)
            }
        } catch {
            var failure = error
            // thr: the last -t was spent waiting for what never came (lat's end is its last reply)
            if error.timedOut, s.mode == .thr, let waited = s.timeout?.milliseconds {
                progress.end = max(progress.start, progress.end - waited * 1_000_000)
            }
            failure.partial = progress.done == 0 ? nil : summarize(progress, summary, complete: false)
            throw failure
        }
        return summarize(progress, summary, complete: true)
    }

    /// The summary of what a measuring loop got through.
    static func summarize(_ p: BenchProgress, _ summary: BenchSummary, complete: Bool) -> BenchSummary {
        var summary = summary
        summary.messages = p.done
        summary.nanoseconds = p.end - p.start
        summary.complete = complete
        if summary.mode == .lat { summary.latency = LatencySummary(roundTrips: Array(p.trips.prefix(p.done))) }
        return summary
    }

    static func open(_ context: Context, _ type: SocketType, bind address: String) throws(BenchFailure) -> Socket {
        do {
            let socket = try Socket(context, type: type)
            try socket.bind(address)
            return socket
        } catch { throw BenchFailure("cannot bind \(address): \(error)", stopped: error == .terminated) }
    }

    static func open(_ context: Context, _ type: SocketType, connect address: String) throws(BenchFailure) -> Socket {
        do {
            let socket = try Socket(context, type: type)
            try socket.connect(address)
            return socket
        } catch { throw BenchFailure("cannot connect to \(address): \(error)", stopped: error == .terminated) }
    }

    /// -t: a blocking send or receive gives up after `timeout` (and reports so), and the sending
    /// end of a split run waits no longer for delivery at its end.
    static func bound(_ socket: Socket, by timeout: Interval?) {
        guard let timeout else { return }
        try? socket.set(.receiveTimeout, timeout.zmqMilliseconds)
        try? socket.set(.sendTimeout, timeout.zmqMilliseconds)
        try? socket.set(.linger, timeout.zmqMilliseconds)
    }

    /// "tcp" of "tcp://host:5555".
    static func transport(of endpoint: Endpoint) -> String {
        String(endpoint.address.prefix { $0 != ":" })
    }
}
