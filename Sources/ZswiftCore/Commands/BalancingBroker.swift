// broker --mode lb and --mode majordomo: a ROUTER frontend and a ROUTER backend served by this
// thread's own loop (libzmq's proxy cannot choose a worker). The mode's logic is a BalancingRouter
// (LoadBalancer, MajordomoRouter); this file opens the sockets, runs the loop with its timer,
// copies relayed messages to --capture through CaptureTap (never waiting for stdout), and prints
// --stats and SIGUSR1 reports.
import ZMQ

/// The mode-specific half of a balancing broker: what it does with each socket's messages and
/// with time. Handlers read at most a batch and return whether they found the socket empty.
protocol BalancingRouter: AnyObject {
    /// The two sockets and the capture it sends on.
    var relay: Relay { get }
    func frontendReadable() throws(Exit) -> Bool
    func backendReadable() throws(Exit) -> Bool
    /// Expiry, heartbeats, requests waiting too long: called every `BalancingBroker.tick`.
    func tick(now: Int) throws(Exit)
    /// What --stats and SIGUSR1 print after the relay counters.
    func statsLines() -> [String]
    /// The broker stops (Majordomo tells its workers).
    func stop()
    /// Whether the frontend is watched now (true unless the router takes requests on its own turns).
    var readsFrontend: Bool { get }
}

extension BalancingRouter {
    var readsFrontend: Bool { true }
}

enum BalancingBroker {
    /// Messages read from one socket per turn, so that neither side starves the other.
    static let batch = 256

    static func run(_ scope: RunScope) throws(Exit) {
        let (invocation, io, diagnostics) = (scope.invocation, scope.io, scope.diagnostics)
        let settings = invocation.broker!
        let sides = invocation.security.sides
        let front = try scope.open(.router, endpoints: settings.frontends, secured: sides != .backend)
        let back = try scope.open(.router, endpoints: settings.backends, secured: sides != .frontend)
        front.endsOnFatalHandshake = false  // a relay goes on serving the peers that can talk
        back.endsOnFatalHandshake = false
        let capture: CaptureTap.Sockets?
        do {
            // a send to a worker that has gone fails (EHOSTUNREACH) instead of vanishing; replies to
            // a client that has gone are dropped quietly (the frontend keeps the default)
            try back.socket.set(.routerMandatory, true)
            capture = settings.capture ? try CaptureTap.openSockets(scope.context) : nil
        } catch {
            throw Exit.runtime("cannot set up the broker: \(error)")
        }
        let tap = capture.map {
            CaptureTap(sockets: $0, stdout: io.output, invocation: invocation, diagnostics: diagnostics, tagged: true)
        }
        scope.onEnd { tap?.close() }
        let relay = Relay(front: front.socket, back: back.socket, capture: capture?.proxyEnd)
        let heartbeat = heartbeatSettings(settings)
        let router: BalancingRouter = settings.mode == .lb
            ? LoadBalancer(relay: relay, heartbeat: heartbeat, diagnostics: diagnostics)
            : MajordomoRouter(relay: relay, heartbeat: heartbeat, diagnostics: diagnostics)
        let report = StatisticsReport(relay: relay, router: router, tap: tap, diagnostics: diagnostics)
        Signals.statisticsReport = { report.ask() }
        var ending: Exit?
        do throws(Exit) {
            try serve(scope.reactor, router, tap: tap, report: report, stdout: io.output, heartbeat: heartbeat)
        } catch { ending = error }
        let outputClosed = ending.map { if case .outputClosed = $0 { true } else { false } } ?? false
        finish(relay, router, tap: tap, outputClosed: outputClosed, stats: invocation.stats, diagnostics: diagnostics)
        router.stop()
        if let ending { throw ending }
    }

    /// --heartbeat, or the mode's default (lb 1 s, majordomo 2.5 s), × 3. For ever: once a day.
    static func heartbeatSettings(_ settings: BrokerSettings) -> HeartbeatSettings {
        var beat: HeartbeatSettings = settings.mode == .lb ? .paranoidPirate : .majordomo
        if let given = settings.heartbeat { beat.interval = (given.milliseconds ?? 86_400_000) * 1_000_000 }
        beat.interval = max(beat.interval, 1_000_000)
        return beat
    }

    /// The loop: both sockets, the timer, the capture's output; until a signal or an error.
    private static func serve(_ reactor: Reactor, _ router: BalancingRouter, tap: CaptureTap?, report: StatisticsReport,
                              stdout: Int32, heartbeat: HeartbeatSettings) throws(Exit) {
        let relay = router.relay
        let front = reactor.watch(relay.front, for: .readable) { (_) throws(Exit) -> Bool in try router.frontendReadable() }
        reactor.watch(relay.back, for: .readable) { (_) throws(Exit) -> Bool in try router.backendReadable() }
        let every = max(1, min(100, heartbeat.interval / 2_000_000))
        reactor.timer(after: every, repeating: true) { () throws(Exit) in try router.tick(now: Clock.nanoseconds()) }
        let captured = tap.map { reactor.watch($0.reader, for: .readable) }
        let output = reactor.watch(fd: stdout, for: [])
        while true {
            if let tap {
                try tap.read()
                try tap.writeOut()
                report.printIfReady()
                reactor.change(output, to: tap.hasBacklog ? .writable : [])
                if let captured { reactor.mayBeReady(captured) }  // read in batches: more may wait
            }
            reactor.change(front, to: router.readsFrontend ? .readable : [])
            try reactor.turn(timeout: 1000)
        }
    }

    /// Relay counters and the router's own lines, on stderr.
    static func printStatistics(_ relay: Relay, _ router: BalancingRouter, _ diagnostics: Diagnostics,
                                capture: DropCount? = nil) {
        var line = "frontend to backend: \(Words.count(relay.up.messages, "message")), \(Words.bytes(relay.up.bytes)); "
            + "backend to frontend: \(Words.count(relay.down.messages, "message")), \(Words.bytes(relay.down.bytes))"
        if let capture { line += "; capture: \(capture.exact ? "" : "at least ")\(Words.count(capture.messages, "message")) dropped" }
        diagnostics.note(line)
        for text in router.statsLines() { diagnostics.note(text) }
    }

    /// Writes what the capture still holds as far as stdout takes it without waiting, then the
    /// final --stats and what the capture dropped.
    private static func finish(_ relay: Relay, _ router: BalancingRouter, tap: CaptureTap?, outputClosed: Bool,
                               stats: Bool, diagnostics: Diagnostics) {
        var drops: CaptureDrops?
        if let tap, !outputClosed {
            while (try? tap.read()) == false {}
            try? tap.writeOut()
            drops = tap.dropsAtEnd(relayed: relay.captured)
        }
        if stats { printStatistics(relay, router, diagnostics, capture: drops.map { DropCount(messages: $0.total, exact: true) }) }
        if let drops, drops.total > 0 {
            diagnostics.note("capture: dropped \(drops.total) of \(Words.count(relay.captured, "relayed message")): \(drops.reasons)")
        }
    }
}

/// --stats and SIGUSR1 while the broker runs. With --capture the line also says how many captured
/// messages were dropped up to that moment: a STATISTICS marker goes down the capture after the
/// messages relayed so far, and the line is printed once the tap can count the drops before it
/// (as BrokerLoop does with the proxy's own copy of the command).
final class StatisticsReport {
    let relay: Relay
    let router: BalancingRouter
    let tap: CaptureTap?
    let diagnostics: Diagnostics
    /// What was asked for and waits for the tap's count.
    private var waiting = false

    init(relay: Relay, router: BalancingRouter, tap: CaptureTap?, diagnostics: Diagnostics) {
        self.relay = relay
        self.router = router
        self.tap = tap
        self.diagnostics = diagnostics
    }

    func ask() {
        guard let tap, let capture = relay.capture else {
            BalancingBroker.printStatistics(relay, router, diagnostics)
            return
        }
        guard !waiting else { return }
        _ = try? capture.send([Array(ProxyCommand.statistics.rawValue.utf8)], dontWait: true)
        tap.sent(.statistics)
        tap.answered(relayed: relay.captured)
        waiting = true
    }

    /// Prints the line asked for once the tap can tell its drops.
    func printIfReady() {
        guard waiting, let drops = tap?.dropsAtAnswer() else { return }
        waiting = false
        BalancingBroker.printStatistics(relay, router, diagnostics, capture: drops)
    }
}
