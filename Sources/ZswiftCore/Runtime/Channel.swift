// A socket of a run with its connection tracker, both registered on the run's event loop. What
// commands do with a socket lives here and in its extensions: waiting for it and for peers
// (here), sending (Channel+Send), receiving (Channel+Receive), delivering at the end
// (Channel+Delivery). The run (RunScope) owns it and closes it.
import Glibc
import ZMQ

final class Channel {
    unowned(unsafe) let scope: RunScope
    let invocation: Invocation
    let diagnostics: Diagnostics
    let output: OutputWriter
    let type: SocketType
    let endpoints: [Endpoint]
    /// Whether the socket gets what the security flags ask.
    let secured: Bool
    private(set) var socket: Socket
    private(set) var peers: ConnectionMonitor
    /// The socket on the event loop (waited for with `scope.reactor.wait(for:)`).
    private(set) var watch: Reactor.Watch
    private var monitorWatch: Reactor.Watch
    /// --events json: folded lines go out on time, even when no further event comes.
    private var eventsTick: Reactor.Timer?
    /// Whether a handshake that cannot succeed ends the run (the broker keeps relaying).
    var endsOnFatalHandshake = true
    /// Whether a wait must also watch monitor events and stdout: when events are reported as they
    /// come (see RunScope.reportsAsItHappens) or the run writes stdout (its reader may leave).
    /// Otherwise a receive may block in libzmq alone.
    let watchesWhileWaiting: Bool
    private(set) var subscribers = SubscriberTally()
    /// Whether delivery closed the socket and libzmq handed over everything it queued.
    var handedOver = false
    private var correlating = false
    /// Called on the event loop when a handshake completes (a peer is ready), this socket or a
    /// reopened one.
    var onHandshake: (() -> Void)?
    private var reopened = 0

    init(scope: RunScope, type: SocketType, endpoints: [Endpoint], secured: Bool = true) throws(Exit) {
        self.scope = scope
        invocation = scope.invocation
        diagnostics = scope.diagnostics
        output = scope.output
        self.type = type
        self.endpoints = endpoints
        self.secured = secured
        watchesWhileWaiting = scope.reportsAsItHappens || scope.writesStdout
        (socket, peers) = try SocketSetup.open(type, context: scope.context, invocation: invocation,
                                               diagnostics: diagnostics, endpoints: endpoints, secured: secured)
        (watch, monitorWatch) = (Reactor.Watch.none, Reactor.Watch.none)
        register()
    }

    /// Puts the socket and its monitor on the event loop: monitor events are reported as they
    /// come, and a handshake that cannot succeed ends the run.
    private func register() {
        watch = scope.reactor.watch(socket, for: [])
        // every reader of the monitor (peers.drain) reads it until it is empty
        monitorWatch = scope.reactor.watch(peers.monitor.socket, for: .readable, drainedByEveryUse: true) { [unowned self] (_) throws(Exit) -> Bool in
            let handshakes = peers.tracker.handshakes
            try peers.drain()
            if endsOnFatalHandshake { try checkSecurity() }
            if peers.tracker.handshakes != handshakes { onHandshake?() }
            return true
        }
        if invocation.events != nil {
            eventsTick = scope.reactor.timer(after: 250, repeating: true) { [unowned self] in peers.tick(at: Clock.now()) }
        }
    }

    /// Closes the socket as it is (with its linger), taking it off the event loop.
    func closeSocket() {
        scope.reactor.remove(watch)
        socket.close()
    }

    /// Stops the monitor, taking it off the event loop.
    func stopMonitor() {
        scope.reactor.remove(monitorWatch)
        if let eventsTick { scope.reactor.cancel(eventsTick) }
        peers.monitor.stop()
    }

    /// Closes the socket, dropping what it queues unless delivery closed it already; returns
    /// whether it still lingers (closed to deliver, not yet handed over). `reading`: first say
    /// the monitor events not yet said.
    func close(reading: Bool) -> Bool {
        if reading && !peers.monitor.isStopped { _ = try? peers.drain() }
        peers.flush()
        let lingering = socket.isClosed && !handedOver
        if !socket.isClosed { try? socket.set(.linger, 0) }
        closeSocket()
        stopMonitor()
        return lingering
    }

    /// Closes the socket, dropping what it queued, and opens a new one like it (the Lazy Pirate
    /// step); `pausing`: waits that long in between, with no socket (a worker's reconnect back-off).
    func reopen(pausing pause: Interval? = nil) throws(Exit) {
        peers.flush()  // the folded --events lines of the socket being replaced
        stopMonitor()
        try? socket.set(.linger, 0)
        closeSocket()
        if let pause { try scope.pause(pause) }
        // connect in a rotated order: the first request of the new socket goes to the next server
        reopened += 1
        let binds = endpoints.filter { $0.role == .bind }
        let connects = endpoints.filter { $0.role == .connect }
        let shift = connects.isEmpty ? 0 : reopened % connects.count
        (socket, peers) = try SocketSetup.open(type, context: scope.context, invocation: invocation, diagnostics: diagnostics,
                                               endpoints: binds + connects[shift...] + connects[..<shift], secured: secured, reopening: true)
        register()
        if correlating { try correlateReplies() }
    }

    /// A REQ reopened with the same --identity would be handed a late reply meant for the socket it
    /// replaced: ZMQ_REQ_CORRELATE tags each request with an id the reply must carry back (an extra
    /// envelope frame; REP and envelope-keeping ROUTER servers return it untouched).
    func correlateReplies() throws(Exit) {
        correlating = true
        do { try socket.set(.requestCorrelate, true) } catch { throw Exit.runtime("cannot set ZMQ_REQ_CORRELATE: \(error)") }
    }

    /// The endpoints as the user would name them in a message.
    var endpointNames: String { endpoints.map(\.address).joined(separator: ", ") }

    // MARK: - Waiting

    /// Waits until the socket can do `events` (false when `deadline` passed first), serving
    /// monitor events, signals and timers meanwhile. `drained`: the caller was just told "would
    /// block" for these events.
    func wait(for events: PollEvents, until deadline: Deadline, drained: Bool = false) throws(Exit) -> Bool {
        try scope.reactor.wait(for: watch, events, until: deadline, drained: drained)
    }

    /// Ends the run when a connect endpoint's handshake cannot succeed: status 4 for security,
    /// 1 for an incompatible peer (libzmq would retry or drop the messages in silence).
    func checkSecurity() throws(Exit) {
        if let found = peers.tracker.fatalHandshake {
            let failure = found.checkedByProbe(ours: type)
            throw Exit.failed(failure.status, "handshake with \(failure.endpoint) failed: \(failure.reason)",
                              hint: invocation.security.hint(for: failure))
        }
    }

    /// Counts a subscription message toward --wait-subscribers (see SubscriberTally).
    func countSubscription() throws(Exit) {
        _ = try subscribers.subscription { (refresh) throws(Exit) in
            if refresh { try peers.drain() }
            return peers.tracker.handshakes
        }
    }

    /// Holds the first send until `count` peers completed their handshake (--wait-peers).
    func waitForPeers(_ count: Int) throws(Exit) {
        let notice = scope.notice(after: 1000) { [unowned self] in
            let left = count - peers.tracker.ready
            diagnostics.note("waiting for \(Words.count(left, "more peer")) (--wait-peers \(count))")
        }
        defer { notice.map(scope.reactor.cancel) }
        try peers.drain()
        guard try scope.reactor.run(until: Deadline(after: invocation.timeout), { peers.tracker.ready >= count }) else {
            throw Exit.timeout("\(peers.tracker.ready) of \(Words.count(count, "peer")) connected within --timeout \(invocation.timeout!)")
        }
    }
}
