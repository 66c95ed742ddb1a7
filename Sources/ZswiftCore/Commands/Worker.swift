// worker: a load-balancing broker's worker (broker --mode lb, the zguide's ppqueue; or with
// --service NAME a Majordomo worker). A DEALER announces itself READY, answers one request at a
// time as rep does (Answering), heartbeats the broker on a reactor timer (so heartbeats keep going
// while an --exec command or the stdin coprocess works), and when the broker falls silent for
// liveness × heartbeat, closes the socket, waits the back-off (BrokerLiveness) and reconnects.
import ZMQ

enum WorkerCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        try Answering.run(scope, on: .dealer) { (channel) throws(Exit) in try WorkerLoop(channel: channel) }
    }
}

/// The worker's session with its broker: READY, requests answered, heartbeats, reconnections.
final class WorkerLoop: AnsweringLoop {
    let channel: Channel
    let answering: Answering
    let wire: WorkerWire
    private var liveness: BrokerLiveness
    private var heartbeatTimer: Reactor.Timer?
    /// How many of the socket's handshakes a READY has gone out for (or is queued for).
    private var readyCovers = 0
    private var metadata = RequestMetadata()
    /// The request's frames and the reply's head, kept for the pointers answering takes.
    private let requestStore = ByteBuffer(capacity: 4096)
    private let headStore = ByteBuffer(capacity: 256)

    init(channel: Channel) throws(Exit) {
        self.channel = channel
        answering = try Answering(channel: channel)
        let invocation = channel.invocation
        wire = WorkerWire(service: invocation.service)
        var heartbeat = wire.defaultHeartbeat
        if let ms = invocation.workerHeartbeat?.milliseconds, ms > 0 { heartbeat.interval = ms * 1_000_000 }
        liveness = BrokerLiveness(heartbeat: heartbeat, now: Clock.nanoseconds())
    }

    deinit { stopHeartbeats() }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = channel.invocation
        var input = DecodedInput(decoder, input: channel.scope.input, format: invocation.input.format)
        defer {
            stopHeartbeats()
            channel.onHandshake = nil
        }
        channel.onHandshake = { [unowned self] in handshakeCompleted() }
        do { try serveRequests(limit: invocation.count ?? Int.max, input: &input) } catch {
            if error.isSignal { sayGoodbye() }
            throw error
        }
        if let goodbye = wire.disconnect { sendQuietly(goodbye) }
    }

    private func serveRequests<D: MessageDecoder>(limit: Int, input: inout DecodedInput<D>) throws(Exit) {
        let invocation = channel.invocation
        var message = Message()
        var served = 0
        var quiet = Deadline(after: invocation.timeout)  // -t: a request must come within it
        try connected()
        var servedOnConnection = 0
        while served < limit {
            guard let frames = try receive(&message, quiet: quiet) else { continue }
            switch wire.read(frames) {
            case .heartbeat:
                continue
            case .disconnect:
                // a broker that refuses this worker at once (a service it will not take) is not
                // asked again at once: the back-off grows as after silence
                let pause = servedOnConnection == 0 ? Interval.ms(liveness.takeReconnectDelay() / 1_000_000) : nil
                let again = channel.endpoints.contains { $0.role == .connect } ? "reconnecting" : "opening its socket again"
                channel.diagnostics.info("the broker sent DISCONNECT: \(again)" + (pause.map { " in \($0)" } ?? ""))
                try reconnect(pausing: pause)
                servedOnConnection = 0
            case let .invalid(why):
                channel.diagnostics.info("ignoring a message from the broker that is not \(wire.name): \(why)")
            case let .request(head, body):
                served += 1
                servedOnConnection += 1
                try serve(body, head: head, sequence: served, input: &input)
                quiet = Deadline(after: invocation.timeout)
            }
        }
    }

    /// Stopped by a signal, a Majordomo worker still says DISCONNECT, so that its broker forgets it
    /// at once: the socket is closed with 100 ms to hand it over, which the run's end waits for.
    private func sayGoodbye() {
        guard let goodbye = wire.disconnect, sendQuietly(goodbye) else { return }
        try? channel.socket.set(.linger, 100)
        channel.closeSocket()
        channel.handedOver = true
    }

    /// The next message from the broker, its frames copied; nil when none came before the broker
    /// counts as silent (then the worker has reconnected). -t running out ends the run.
    private func receive(_ message: inout Message, quiet: Deadline) throws(Exit) -> [[UInt8]]? {
        let now = Clock.nanoseconds()
        if liveness.brokerIsSilent(now: now) {
            let silence = Words.format(Double(liveness.heartbeat.expiry) / 1e9) + " s"
            let delay = liveness.takeReconnectDelay()
            let pause = Interval.ms(delay / 1_000_000)
            if let left = quiet.at.map({ $0 - Clock.now() }), left < pause.milliseconds! {  // -t ends the run first
                try channel.scope.pause(.ms(max(0, left)))
                throw ReceiveCommand.timedOut(channel.scope)
            }
            channel.diagnostics.info("broker silent for \(silence): reconnecting in \(pause)")
            try reconnect(pausing: pause)
            return nil
        }
        let silentIn = Deadline(after: .ms(max(0, (liveness.silentAt - now + 999_999) / 1_000_000)))
        let quietFirst = quiet.at.map { $0 < silentIn.at! } ?? false
        let bound = quietFirst ? quiet : silentIn
        guard try channel.receiveBlocking(&message, until: bound) else {
            if quiet.hasPassed { throw ReceiveCommand.timedOut(channel.scope) }
            return nil
        }
        liveness.heard(now: Clock.nanoseconds())
        if answering.needsMetadata { metadata = RequestMetadata(of: message) }
        var frames: [[UInt8]] = []
        while true {
            frames.append(Array(message.bytes))
            guard message.hasMore else { break }
            try channel.receiveNextFrame(&message)
        }
        return frames
    }

    /// Answers one request; heartbeats go on meanwhile (the reactor's timer).
    private func serve<D: MessageDecoder>(_ body: [[UInt8]], head: [[UInt8]], sequence: Int,
                                          input: inout DecodedInput<D>) throws(Exit) {
        let stats = channel.scope.stats
        channel.scope.stats.receivedMessages = stats.receivedMessages + 1
        channel.scope.stats.receivedBytes = stats.receivedBytes + body.reduce(0) { $0 + $1.count }
        if channel.diagnostics.verbosity >= 2 {
            channel.diagnostics.trace("request " + Words.describe(requestStore.pointers(to: body)))
        }
        if answering.needsMetadata, let client = wire.client(ofHead: head), !client.isEmpty {
            metadata.routingID = client.withUnsafeBytes { Hex.string($0) }  // the client's, not the broker's
        }
        liveness.requestStarted(now: Clock.nanoseconds())
        defer { requestDone() }
        let request = requestStore.pointers(to: body)
        let envelope = headStore.pointers(to: head)
        let channel = self.channel
        try answering.answer(request, sequence: sequence, metadata: metadata, input: &input) { (reply) throws(Exit) in
            try channel.send(envelope + reply, record: sequence)
            channel.scope.stats.sentBytes -= envelope.reduce(0) { $0 + $1.count }  // count the reply alone, as rep does
        }
        let now = Clock.nanoseconds()
        liveness.sent(now: now)
        liveness.requestFinished(now: now)
    }

    // MARK: - Connection

    /// A new socket: READY goes first (queued for its first connection when it connects; a bound
    /// one says it when a broker connects), silence counts from now, heartbeats are scheduled.
    private func connected() throws(Exit) {
        let connects = channel.endpoints.contains { $0.role == .connect }
        readyCovers = connects && sendQuietly(wire.ready) ? 1 : 0
        let now = Clock.nanoseconds()
        liveness.connected(now: now)
        armHeartbeat()
    }

    /// Closes the socket, waits `pause` with none, and connects a new one (a new routing id).
    private func reconnect(pausing pause: Interval?) throws(Exit) {
        stopHeartbeats()
        try channel.reopen(pausing: pause)
        try connected()
    }

    /// A connection completed its handshake. A broker met on a connection no READY went out for
    /// (one that connected to this bound worker, or a broker restarted at the same endpoint, which
    /// libzmq reconnects to) is told READY now if the worker is idle. A busy worker's reply tells
    /// it instead: a Paranoid Pirate broker takes a reply as "free", a Majordomo one answers a
    /// stranger with DISCONNECT, after which the worker registers again.
    ///
    /// With a fixed --identity, a Majordomo worker says nothing: a broker it reconnected to may
    /// know it still, and READY twice is a protocol error there; a new broker answers its next
    /// HEARTBEAT with DISCONNECT, after which it registers again.
    private func handshakeCompleted() {
        let tracker = channel.peers.tracker
        if tracker.ready > 1 {
            channel.diagnostics.warnOnce("worker.brokers", "\(tracker.ready) brokers are connected to this worker: it serves one, "
                + "and its replies and heartbeats are dealt between them (give each broker a worker of its own)")
        }
        let handshakes = tracker.handshakes
        guard handshakes > readyCovers, !liveness.busy else { return }
        if wire != .pirate && readyCovers > 0 && channel.invocation.socket.identity != nil { return }
        readyCovers = handshakes
        if sendQuietly(wire.ready) { channel.diagnostics.info("met a broker on a new connection: said READY") }
    }

    /// The reply tells a broker met meanwhile that the worker is free; one sent while no broker
    /// is connected waits for the next connection and tells that one.
    private func requestDone() {
        let tracker = channel.peers.tracker
        readyCovers = max(readyCovers, tracker.ready == 0 ? tracker.handshakes + 1 : tracker.handshakes)
    }

    private func armHeartbeat() {
        let wait = max(0, (liveness.nextHeartbeatAt - Clock.nanoseconds() + 999_999) / 1_000_000)
        heartbeatTimer = channel.scope.reactor.timer(after: wait) { [unowned self] in
            heartbeatTimer = nil
            // none while no broker is connected: libzmq would hold it for the next connection, where
            // it would come before READY
            if liveness.heartbeatDue(now: Clock.nanoseconds()) && !channel.peers.tracker.connections.isEmpty {
                sendQuietly(wire.heartbeat)
            }
            armHeartbeat()
        }
    }

    private func stopHeartbeats() {
        if let heartbeatTimer { channel.scope.reactor.cancel(heartbeatTimer) }
        heartbeatTimer = nil
    }

    /// Sends a protocol message (READY, HEARTBEAT, DISCONNECT) if the socket takes it now; one that
    /// cannot go is dropped (the next heartbeat will do). It is not counted among the replies.
    @discardableResult
    private func sendQuietly(_ frames: [[UInt8]]) -> Bool {
        do { return try channel.socket.send(frames, dontWait: true) } catch {
            channel.diagnostics.info("cannot send to the broker: \(error)")
            return false
        }
    }
}
