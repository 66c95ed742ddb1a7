// broker: libzmq's own proxy (ZMQ's SteerableProxy) between a frontend and a backend, on its own
// thread. This thread writes what --capture copies (CaptureTap), asks the proxy for its counters
// (--stats, SIGUSR1) and stops it through its control socket on SIGINT/SIGTERM. --mode lb and
// majordomo choose a worker for each request, which the proxy cannot: BalancingBroker runs them.
import ZMQ

enum BrokerCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let (invocation, io, diagnostics) = (scope.invocation, scope.io, scope.diagnostics)
        let settings = invocation.broker!
        if settings.mode == .lb || settings.mode == .majordomo { return try BalancingBroker.run(scope) }
        let (frontType, backType) = settings.mode.socketTypes
        let sides = scope.invocation.security.sides
        let front = try scope.open(frontType, endpoints: settings.frontends, secured: sides != .backend)
        let back = try scope.open(backType, endpoints: settings.backends, secured: sides != .frontend)
        front.endsOnFatalHandshake = false  // a relay goes on serving the peers that can talk
        back.endsOnFatalHandshake = false
        let proxy: SteerableProxy
        let capture: CaptureTap.Sockets?
        do {
            capture = settings.capture ? try CaptureTap.openSockets(scope.context) : nil
            proxy = try SteerableProxy(frontend: front.socket, backend: back.socket, capture: capture?.proxyEnd)
        } catch {
            throw Exit.runtime("cannot set up the broker: \(error)")
        }
        Signals.statisticsReport = nil  // the broker asks its proxy instead, in its loop
        let tap = capture.map {
            CaptureTap(sockets: $0, stdout: io.output, invocation: invocation, diagnostics: diagnostics)
        }
        let tapToClose = tap
        scope.onEnd {  // after the loop has stopped the proxy, before the sockets close
            proxy.close()
            tapToClose?.close()
        }
        let loop = BrokerLoop(invocation: invocation, io: io, diagnostics: diagnostics, proxy: proxy, tap: tap,
                              peers: [front.peers, back.peers])
        var ending: Exit?
        do throws(Exit) { try loop.run(on: scope.reactor) } catch { ending = error }
        loop.finish(outputClosed: ending.map { if case .outputClosed = $0 { true } else { false } } ?? false)
        if let ending { throw ending }
    }
}

/// The broker's own thread: capture output, statistics, signals. It never waits for stdout.
final class BrokerLoop {
    let invocation: Invocation
    let io: StandardIO
    let diagnostics: Diagnostics
    let proxy: SteerableProxy
    let tap: CaptureTap?
    let peers: [ConnectionMonitor]
    private var statisticsAsked = false
    /// Counters that arrived and wait for the tap to tell how many captured messages were dropped.
    private var unprinted: ProxyStatistics?

    init(invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, proxy: SteerableProxy, tap: CaptureTap?,
         peers: [ConnectionMonitor]) {
        self.invocation = invocation
        self.io = io
        self.diagnostics = diagnostics
        self.proxy = proxy
        self.tap = tap
        self.peers = peers
    }

    /// Serves the proxy's answers, the capture, --stats and signals until a signal or an error.
    func run(on reactor: Reactor) throws(Exit) {
        reactor.watch(proxy.control, for: .readable) { [unowned self] (_) throws(Exit) -> Bool in
            readStatistics()
            return false
        }
        reactor.watch(fd: proxy.finishedFD, for: .readable) { [unowned self] (_) throws(Exit) -> Bool in
            throw Exit.runtime("the proxy stopped: " + (proxy.error.map { "\($0)" } ?? "it was told to"))
        }
        if let every = invocation.statsInterval?.milliseconds {
            reactor.timer(after: every, repeating: true) { [unowned self] in askStatistics() }
        }
        let captured = tap.map { reactor.watch($0.reader, for: .readable) }
        let stdout = reactor.watch(fd: io.output, for: [])
        while true {
            if Signals.takeStatisticsRequest() { askStatistics() }
            if let tap {
                try tap.read()
                try tap.writeOut()
                if let counters = unprinted, let drops = tap.dropsAtAnswer() {
                    printStatistics(counters, capture: drops)
                    unprinted = nil
                }
                reactor.change(stdout, to: tap.hasBacklog ? .writable : [])
                if let captured { reactor.mayBeReady(captured) }  // read in batches: more may wait
            }
            try reactor.turn(timeout: 1000)
        }
    }

    // MARK: - Statistics

    /// Sends a control command to the proxy (which copies it to the capture socket).
    private func command(_ command: ProxyCommand) -> Bool {
        let sent = (try? proxy.send(command)) ?? false
        if sent { tap?.sent(command) }
        return sent
    }

    private func askStatistics() {
        guard !statisticsAsked && unprinted == nil else { return }
        statisticsAsked = command(.statistics)
    }

    /// An answer to STATISTICS if one has come.
    private func receiveAnswer() -> ProxyStatistics? { (try? proxy.receiveStatistics()) ?? nil }

    private func readStatistics() {
        guard let values = receiveAnswer() else { return }
        statisticsAsked = false
        if let tap {
            tap.answered(relayed: relayed(values))
            unprinted = values  // printed once the tap can count its drops up to this answer
        } else {
            printStatistics(values, capture: nil)
        }
    }

    /// Messages relayed both ways.
    private func relayed(_ counters: ProxyStatistics) -> Int {
        Int(counters.frontend.messagesReceived + counters.backend.messagesReceived)
    }

    /// Ends the run: pauses the proxy (nothing more is relayed), asks for its last counters (bounded),
    /// terminates it, writes what the capture still holds as far as stdout takes it without waiting,
    /// then prints the counters (--stats) and what the capture dropped.
    func finish(outputClosed: Bool) {
        var counters: ProxyStatistics?
        if !proxy.hasFinished && (invocation.stats || tap != nil) {
            _ = command(.pause)
            let pending = statisticsAsked ? 1 : 0  // an answer to an earlier request comes first
            statisticsAsked = false
            if command(.statistics) { counters = lastStatistics(after: pending) }
        }
        if !proxy.hasFinished { _ = command(.terminate) }
        _ = proxy.waitUntilFinished(timeout: 2000)  // else exit anyway, leaving the thread
        var drops: CaptureDrops?
        if let tap, !outputClosed {
            while (try? tap.read()) == false {}
            try? tap.writeOut()
            drops = counters.map { tap.dropsAtEnd(relayed: relayed($0)) }
            if drops == nil && tap.dropsSeen > 0 {
                diagnostics.note("capture: dropped at least \(Words.count(tap.dropsSeen, "message")): the reader of stdout was slower than the traffic")
            }
        }
        if invocation.stats, let counters {
            printStatistics(counters, capture: drops.map { DropCount(messages: $0.total, exact: true) })
        }
        if let drops, let counters, drops.total > 0 {
            diagnostics.note("capture: dropped \(drops.total) of \(Words.count(relayed(counters), "relayed message")): \(drops.reasons)")
        }
    }

    /// Reads answers from the proxy (up to 1 s) until the one after `earlier` others has come.
    private func lastStatistics(after earlier: Int) -> ProxyStatistics? {
        var poller = Poller()
        poller.add(proxy.control, .readable)
        let deadline = Clock.now() + 1000
        var answers = 0
        while Clock.now() < deadline {
            guard ((try? poller.poll(timeout: 100)) ?? 0) > 0 else { continue }
            while let values = receiveAnswer() {
                if answers == earlier { return values }
                answers += 1
            }
        }
        return nil
    }

    /// Prints the per-direction counters (frontend to backend, backend to frontend) and, with
    /// --capture, how many captured messages were dropped.
    func printStatistics(_ c: ProxyStatistics, capture drops: DropCount?) {
        let (up, down) = (c.frontend, c.backend)
        var line = "frontend to backend: \(Words.count(Int(up.messagesReceived), "message")), \(Words.bytes(Int(up.bytesReceived))); "
            + "backend to frontend: \(Words.count(Int(down.messagesReceived), "message")), \(Words.bytes(Int(down.bytesReceived)))"
        if let drops {
            line += "; capture: \(drops.exact ? "" : "at least ")\(Words.count(drops.messages, "message")) dropped"
        }
        diagnostics.note(line)
    }
}
