// One run of a command: it owns the context, every socket with its connection tracker (each a
// Channel), the event loop, stdin and stdout, the counters and helper threads, and ends them in
// one order on every path (success, error, signal): helpers stopped, sockets closed (dropping
// what is queued, unless delivery already handed it over), the context terminated.
import Glibc
import ZMQ

final class RunScope {
    let invocation: Invocation
    let diagnostics: Diagnostics
    let io: StandardIO
    let context: Context
    let reactor = Reactor()
    let output: OutputWriter
    var stats = Stats()
    /// What runs on each received message after it is written (-vv's trace, ...).
    var steps: MessageSteps
    private(set) var channels: [Channel] = []
    /// What stops each helper thread (a proxy), run before the sockets close.
    private var helpers: [() -> Void] = []

    lazy var input: InputReader = {
        let reader = InputReader(fd: io.input)
        reader.recordLimit = invocation.inputBytes(in: invocation.input.format)
        reader.recordLimitName = invocation.inputLimitName
        // while stdin is idle, events are reported and a reader leaving stdout is noticed
        if reportsAsItHappens || writesStdout {
            let watch = reactor.watch(fd: io.input, for: [])
            reader.waitForInput = { [unowned self] () throws(Exit) in
                _ = try reactor.wait(for: watch, .readable, until: Deadline(after: nil))
            }
        }
        return reader
    }()

    /// Whether waits must serve the event loop: -v and --events report events as they come, and
    /// a handshake refused for security reasons at a connect endpoint (or on any connection of a
    /// CURVE or PLAIN client) ends the run with status 4.
    var reportsAsItHappens: Bool {
        diagnostics.verbosity > 0 || invocation.events != nil || invocation.endpoints.contains { $0.role == .connect }
            || !invocation.security.mechanism.authenticates
    }

    /// Whether the run made its context (and so terminates it at the end).
    let ownsContext: Bool

    /// `context`: a test's own, so that its sockets can reach the run's over inproc:// (the
    /// test terminates it).
    init(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, context: Context? = nil) {
        self.context = context ?? Context()
        ownsContext = context == nil
        self.invocation = invocation
        self.diagnostics = diagnostics
        self.io = io
        output = OutputWriter(fd: io.output)
        steps = MessageSteps.of(invocation, diagnostics: diagnostics)
        Signals.statisticsReport = { [unowned self] in self.printStats(always: true) }
        if let every = invocation.statsInterval?.milliseconds { Signals.requestStatistics(every: every) }
        if writesStdout {
            // a reader that left stdout ends the run at once, even while nothing is written
            reactor.watch(fd: io.output, for: []) { (events) throws(Exit) -> Bool in
                if events.contains(.error) { throw Exit.outputClosed }
                return true
            }
        }
    }

    /// Runs `body` in a new scope and ends the scope in one order whatever happens; --stats are
    /// printed last.
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, context: Context? = nil,
                    _ body: (RunScope) throws(Exit) -> Void) throws(Exit) {
        let scope = RunScope(invocation, io: io, diagnostics: diagnostics, context: context)
        defer { scope.printStats() }
        do throws(Exit) {
            try scope.startAccessControl()
            try body(scope)
        } catch {
            scope.end(after: error)
            throw error
        }
        scope.end(after: nil)
    }

    /// Opens a socket of `type` (the command's own by default) on `endpoints` (the command line's
    /// by default) and registers it and its monitor on the event loop. `secured`: it gets what the
    /// security flags ask (a broker side --secure leaves out does not).
    func open(_ type: SocketType? = nil, endpoints: [Endpoint]? = nil, secured: Bool = true) throws(Exit) -> Channel {
        guard let type = type ?? invocation.command.socketType else {
            preconditionFailure("\(invocation.command) opens no socket of its own")  // its handler names the types
        }
        let endpoints = endpoints ?? invocation.endpoints
        try HostLookup.resolveHosts(endpoints)
        let channel = try Channel(scope: self, type: type, endpoints: endpoints, secured: secured)
        channels.append(channel)
        return channel
    }

    /// Has `stop` run when the run ends, before the sockets close.
    func onEnd(_ stop: @escaping () -> Void) { helpers.append(stop) }

    /// Stops the helper threads (last started, first stopped): before the context terminates,
    /// which waits for their sockets too.
    func stopHelpers() {
        for stop in helpers.reversed() { stop() }
        helpers = []
    }

    /// Ends everything in one order. After an error, what stdout holds is written (not after a
    /// signal: nothing may block the exit) and what the sockets queue is dropped.
    func end(after error: Exit?) {
        let signalled = error?.isSignal ?? false
        if error != nil && !signalled { try? output.flush() }
        stopHelpers()
        var lingering = false
        for channel in channels { lingering = channel.close(reading: !signalled) || lingering }
        if error != nil { stats.endUnconfirmed("the run ended before delivery was confirmed") }
        // a socket closed to deliver still lingers: zmq_ctx_term would wait for its peer, so it
        // runs on a helper thread the exit leaves behind
        guard ownsContext else { return }
        if lingering { ContextTerminator.start(context).close() } else { context.terminate() }
    }

    /// Whether this run writes messages to stdout (rep only in coprocess mode).
    var writesStdout: Bool {
        switch invocation.command {
        case .rep, .worker: invocation.reply == .stdin
        case .broker: invocation.broker?.capture ?? false
        default: invocation.command.writesOutput
        }
    }

    /// Writes out what is buffered for stdout, if anything, and returns the milliseconds that
    /// took (nil when there was nothing to write): time spent blocked on a slow reader of stdout
    /// is not silence on a socket, so callers move their deadlines on by it.
    func flushOutput() throws(Exit) -> Int? {
        guard output.hasBuffered else { return nil }
        let started = Clock.now()
        try output.flush()
        return Clock.now() - started
    }

    /// Runs `say` once a wait has lasted `milliseconds` (what it waits for, on stderr), unless
    /// --timeout ends the wait by then; the caller cancels the returned timer when the wait is over.
    func notice(after milliseconds: Int, _ say: @escaping () -> Void) -> Reactor.Timer? {
        if let bound = invocation.timeout?.milliseconds, bound <= milliseconds { return nil }
        return reactor.timer(after: milliseconds, say)
    }

    /// Waits up to `interval`, answering signals and monitor events meanwhile.
    func pause(_ interval: Interval) throws(Exit) {
        _ = try reactor.run(until: Deadline(after: interval)) { false }
    }

    /// The counters on stderr (--stats at the end, SIGUSR1 at once); not for a run that never
    /// got its sockets, nor for the broker, which prints its proxy's own.
    func printStats(always: Bool = false) {
        guard invocation.stats || always, !channels.isEmpty, invocation.command.shape != .relay else { return }
        let publishes = channels.first.map { $0.type == .pub || $0.type == .xpub } ?? false
        diagnostics.note(stats.summary(sends: invocation.command.readsInput, receives: invocation.command.writesOutput,
                                       publishes: publishes))
    }
}
