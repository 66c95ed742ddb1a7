// One run of a socket command: the context, the socket with its options and endpoints, the peer
// tracker, stdin/stdout, and the waits every command shares (for peers, for a writable or
// readable socket, for delivery at the end). The commands in Commands/ are loops over this.
import Glibc
import ZMQ

/// Where a command's bytes go: real stdin/stdout/stderr, or pipes in tests.
public struct StandardIO: Sendable {
    public var input: Int32
    public var output: Int32
    public var error: Int32
    public init(input: Int32 = 0, output: Int32 = 1, error: Int32 = 2) {
        self.input = input
        self.output = output
        self.error = error
    }

    /// Puts /dev/null on whichever of fds 0, 1 and 2 the process was started without (`<&-`,
    /// `>&-`), so that no socket or pipe opened later lands there and is taken for stdin or stdout.
    /// It is opened in the direction that fails: reading the closed stdin or writing the closed
    /// stdout then reports "Bad file descriptor" instead of succeeding on the wrong file.
    public static func reserveStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}


final class Session {
    let invocation: Invocation
    let diagnostics: Diagnostics
    let io: StandardIO
    let context = Context()
    private(set) var socket: Socket
    private(set) var peers: Peers
    lazy var input: InputReader = {
        let reader = InputReader(fd: io.input)
        reader.recordLimit = invocation.inputBytes(in: invocation.input.format)
        reader.recordLimitName = invocation.inputLimitName
        return reader
    }()
    let output: OutputWriter
    var stats = Stats()
    private let socketType: SocketType
    private(set) var subscribers = SubscriberTally()
    var subscribersCounted: Int { subscribers.counted }

    /// receiveBlocking's poll(2) set, built once per socket.
    var waitFDs: [pollfd] = []
    var waitFDsSocket: Socket?

    init(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, type: SocketType? = nil) throws(Exit) {
        self.invocation = invocation
        self.diagnostics = diagnostics
        self.io = io
        output = OutputWriter(fd: io.output)
        socketType = type ?? invocation.command.socketType
        try HostLookup.resolveHosts(invocation.endpoints)
        (socket, peers) = try SocketSetup.open(socketType, context: context, invocation: invocation, diagnostics: diagnostics)
        Signals.statisticsReport = { [unowned self] in self.printStats(always: true) }
        if let every = invocation.statsInterval?.milliseconds { Signals.requestStatistics(every: every) }
    }

    /// Closes the socket, dropping what it queued, and opens a new one like it (the Lazy Pirate step).
    func reopen() throws(Exit) {
        peers.monitor.stop()
        try? socket.set(.linger, 0)
        socket.close()
        // connect in a rotated order: the first request of the new socket goes to the next server
        reopened += 1
        let binds = invocation.endpoints.filter { $0.role == .bind }
        let connects = invocation.endpoints.filter { $0.role == .connect }
        let shift = connects.isEmpty ? 0 : reopened % connects.count
        let endpoints = binds + connects[shift...] + connects[..<shift]
        (socket, peers) = try SocketSetup.open(socketType, context: context, invocation: invocation,
                                           diagnostics: diagnostics, endpoints: endpoints, reopening: true)
        if correlating { try correlateReplies() }
    }

    private var correlating = false
    private var reopened = 0

    /// A REQ reopened with the same --identity would be handed a late reply meant for the socket it
    /// replaced: ZMQ_REQ_CORRELATE tags each request with an id the reply must carry back (an extra
    /// envelope frame; REP and envelope-keeping ROUTER servers return it untouched).
    func correlateReplies() throws(Exit) {
        correlating = true
        do { try socket.set(.requestCorrelate, true) } catch { throw Exit.runtime("cannot set ZMQ_REQ_CORRELATE: \(error)") }
    }

    /// The endpoints as the user would name them in a message.
    var endpointNames: String { invocation.endpoints.map(\.address).joined(separator: ", ") }

    // MARK: - Waiting

    /// Waits for something on the socket (`events`), handling monitor events, signals, a reader
    /// that left stdout (when `watchOutput`), and the deadline. Returns false when the deadline
    /// passed first.
    func wait(for events: PollEvents, until deadline: Deadline, watchOutput: Bool = false) throws(Exit) -> Bool {
        var poller = Poller()
        poller.add(socket, events)
        let monitorIndex = poller.add(peers.monitor.socket, .readable)
        let outputIndex = watchOutput ? poller.add(fd: io.output, []) : -1
        let wakeIndex = poller.add(fd: Signals.wakeFD, .readable)  // a signal just after the check still wakes us
        while true {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed { return false }
            do {
                _ = try poller.poll(timeout: deadline.remaining(cap: 1000))
            } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(monitorIndex).isEmpty { try peers.drain() }
            if outputIndex >= 0, poller.events(outputIndex).contains(.error) { throw Exit.outputClosed }
            if !poller.events(wakeIndex).isEmpty { Signals.drainWake() }
            if !poller.events(0).isEmpty { return true }
        }
    }

    /// Sleeps for `interval`, still answering signals and monitor events.
    func pause(_ interval: Interval) throws(Exit) {
        let deadline = Deadline(after: interval)
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        while !deadline.hasPassed {
            try Signals.check()
            do { _ = try poller.poll(timeout: deadline.remaining(cap: 1000)) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            try peers.drain()
        }
    }

    /// Ends the run when a connect endpoint's handshake cannot succeed: status 4 for security,
    /// 1 for an incompatible peer (libzmq would retry or drop the messages in silence).
    func checkSecurity() throws(Exit) {
        if let failure = peers.fatalHandshake {
            throw Exit.failed(failure.status, "handshake with \(failure.endpoint) failed: \(failure.reason)",
                              hint: failure.status == .security ? "both sides must use the same mechanism and keys" : nil)
        }
    }

    /// Counts a subscription message toward --wait-subscribers (see SubscriberTally).
    func countSubscription() throws(Exit) -> Bool {
        try subscribers.subscription { (refresh) throws(Exit) in
            if refresh { try peers.drain() }
            return peers.handshakes
        }
    }

    /// Hands the --data/--file `message` to `body` once, --count times, or every --interval.
    func repeatFixed(_ message: [[UInt8]], _ body: ([UnsafeRawBufferPointer], Int) throws(Exit) -> Void) throws(Exit) {
        let times = invocation.count ?? (invocation.interval == nil ? 1 : Int.max)
        var sent = 0
        while sent < times {
            try message.withFramePointers { (frames) throws(Exit) in try body(frames, sent + 1) }
            sent += 1
            if sent < times, let interval = invocation.interval { try pause(interval) }
        }
    }

    /// Holds the first send until `count` peers completed their handshake (--wait-peers).
    func waitForPeers(_ count: Int) throws(Exit) {
        let deadline = Deadline(after: invocation.timeout)
        var noticed = false
        let started = Clock.now()
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        try peers.drain()
        while peers.ready < count {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed {
                throw Exit.timeout("\(peers.ready) of \(count) peer\(count == 1 ? "" : "s") connected within --timeout \(invocation.timeout!)")
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for \(count - peers.ready) more peer\(count - peers.ready == 1 ? "" : "s") (--wait-peers \(count))")
            }
            do { _ = try poller.poll(timeout: deadline.remaining(cap: 1000)) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            try peers.drain()
        }
    }

    // MARK: - Sending

    /// Sends one message, waiting (bounded by --timeout) while the socket cannot take it.
    @inline(__always)
    func send(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        var next = try sendFrames(frames, from: 0, record: record)
        if next == frames.count { return }
        let deadline = Deadline(after: invocation.timeout)
        while next < frames.count {
            guard try wait(for: .writable, until: deadline) else {
                throw Exit.timeout("could not send message \(record) within --timeout \(invocation.timeout!): "
                                   + (peers.ready == 0 ? "no peer is connected" : "the peers are not taking messages"))
            }
            next = try sendFrames(frames, from: next, record: record)
        }
    }

    /// Sends frames from `start` on without blocking; returns the index of the first frame not
    /// sent (`frames.count` when the message is complete).
    @inline(__always)
    func sendFrames(_ frames: [UnsafeRawBufferPointer], from start: Int, record: Int) throws(Exit) -> Int {
        let last = frames.count - 1
        if start == 0, let max = invocation.socket.maxMessageSize {
            for frame in frames where frame.count > max {
                throw Exit.badInput("message \(record) has a frame of \(frame.count) bytes, over --max-msg-size \(max)")
            }
        }
        if start == 0 && frames.count > 1 && invocation.socket.conflate {
            diagnostics.warnOnce("conflate", "message \(record) has \(frames.count) frames, but --conflate keeps single-frame messages only: libzmq queues just one of its frames; drop --conflate to send multipart messages")
        }
        var i = start
        while i <= last {
            let frame = frames[i]
            let sent: Bool
            do { sent = try socket.send(frame, flags: i < last ? [.dontWait, .more] : .dontWait) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw sendError(error, record: record)
            }
            if !sent { return i }
            stats.sentBytes += frame.count
            i += 1
        }
        stats.sentMessages += 1
        stats.noteActivity()
        if diagnostics.verbosity >= 2 { diagnostics.trace("sent " + Words.describe(frames)) }
        return i
    }

    func sendError(_ error: ZMQError, record: Int) -> Exit {
        if error == .hostUnreachable {
            return .unroutable("message \(record): no connected peer has that routing id")
        }
        return .runtime("cannot send message \(record): \(error)")
    }

    // MARK: - Ending

    /// At end of input: waits until what was sent has left this process, bounded by --linger
    /// (zmq-facts: libzmq may drop its last batch at close while the kernel buffer is full, so the
    /// kernel queues must be empty before the socket closes), then closes and terminates.
    func deliver() throws(Exit) {
        let linger = invocation.linger
        if linger.milliseconds == 0 {
            if stats.sentMessages > 0 {
                stats.delivery = peers.everReady ? .uncertain("--linger 0 dropped at exit whatever the peers had not taken yet")
                                                 : .dropped("no peer took them before --linger 0 closed the socket")
            }
            try? socket.set(.linger, 0)
            finish()
            return
        }
        var deadline = Deadline(after: linger)
        // bounded by --timeout, the wait is for progress, as every other --timeout is: it restarts
        // whenever the peers take more of the queue
        var lastQueued = -1
        let started = Clock.now()
        var noticed = false
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        var emptyChecks = 0
        var checks = 0
        try peers.drain()
        // what a connect-side sender queued goes nowhere until a handshake succeeds, and a failed
        // one must end the run as such: wait for the outcome before the kernel queues are checked
        // (a PUB drops by design: only sockets that queue for a peer wait). A ZMTP 1.0/2.0 peer has
        // no handshake event: a connection that may be one ends the wait too, and terminate() goes
        // on watching for a failed handshake until libzmq has handed everything over.
        let connectEndpoints = invocation.endpoints.filter { $0.role == .connect }.map(\.address)
        let queues = [SocketType.push, .pair, .dealer, .xsub].contains(socket.type)
        while queues && !connectEndpoints.isEmpty && stats.sentMessages > 0 && !peers.everReady && !peers.mayHaveLegacyPeer {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed {
                let why = "no peer completed the handshake at \(connectEndpoints.joined(separator: ", "))"
                stats.delivery = .dropped(why + " within \(invocation.lingerSource) \(linger)")
                throw Exit.timeout("\(invocation.lingerSource) \(linger) ran out with messages undelivered: " + why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for a peer at \(connectEndpoints.joined(separator: ", ")) to take the queued messages (\(lingerBound))")
            }
            // a connection with no handshake event becomes a possible ZMTP 1.0/2.0 peer in time
            do { _ = try poller.poll(timeout: deadline.remaining(cap: peers.connections.isEmpty ? 250 : 25)) } catch {
                if error == .interrupted { continue }
            }
            try peers.drain()
        }
        while emptyChecks < 2 {
            try checkSecurity()
            try Signals.check()
            let queued = peers.kernelQueued()
            if invocation.lingerIsTimeout && queued != lastQueued { deadline = Deadline(after: linger) }
            lastQueued = queued
            if queued == 0 {
                emptyChecks += 1
                if emptyChecks == 2 || peers.fds.isEmpty { break }
            } else {
                emptyChecks = 0
            }
            if deadline.hasPassed {
                let why = "\(invocation.lingerSource) \(linger) ran out with \(queued) bytes not yet taken by \(peers.fds.count) peer\(peers.fds.count == 1 ? "" : "s")"
                stats.delivery = .uncertain(why)
                throw Exit.timeout(why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for \(peers.fds.count) peer\(peers.fds.count == 1 ? "" : "s") to take \(queued) queued bytes (\(lingerBound))")
            }
            // look again soon (the queue usually drains in a few milliseconds), less often on a long drain
            checks += 1
            do { _ = try poller.poll(timeout: deadline.remaining(cap: queued == 0 ? 1 : min(checks, 10))) } catch {
                if error == .interrupted { continue }
            }
            try peers.drain()
        }
        // a connect-side PUB keeps the pipe of a subscriber that has gone, for a reconnect that may
        // never come: with no subscriber connected, what is left is dropped, as a PUB does by design
        if (socket.type == .pub || socket.type == .xpub) && peers.fds.isEmpty {
            if peers.everReady { diagnostics.info("no subscriber is connected any more: what was queued for one that left is dropped (a PUB drops by design)") }
            stats.delivery = .delivered  // to the subscribers there were: a PUB claims no more
            finish()
            return
        }
        // libzmq lingers without limit: only the deadline decides, so "delivered" can never be a
        // tie between libzmq's timer and ours
        try? socket.set(.linger, -1)
        try terminate(until: deadline, started: started, noticed: noticed)
        stats.delivery = .delivered
    }

    /// What bounds the wait at end of input, for the notice given while it lasts.
    private var lingerBound: String {
        invocation.linger == .forever ? "--linger bounds this; Ctrl-C gives up"
            : "for up to \(invocation.lingerSource) \(invocation.linger); Ctrl-C gives up"
    }

    /// Closes the socket and waits for libzmq to hand over what it still queues: the socket is gone
    /// (MONITOR_STOPPED) once every session has, and until then its monitor still reports a
    /// handshake that fails. Then terminates the context (zmq_ctx_term, on a helper thread so that
    /// this one can report, time out and answer signals).
    private func terminate(until deadline: Deadline, started: Int, noticed: Bool) throws(Exit) {
        let endpoints = invocation.endpoints.filter { $0.role == .connect }.map(\.address)
        socket.close()
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        var done: ContextTerminator?
        defer { done?.close() }
        var noticed = noticed
        while true {
            if let done {
                if done.isFinished(waitingUpTo: deadline.remaining(cap: 250)) { break }
            } else {
                try peers.drain()
                try checkSecurity()
                if peers.socketGone {
                    peers.flushCoalesced()
                    peers.monitor.stop()
                    done = ContextTerminator.start(context)
                    continue
                }
                do { _ = try poller.poll(timeout: deadline.remaining(cap: 250)) } catch {
                    if error != .interrupted { throw Exit.runtime("poll failed: \(error)") }
                }
            }
            try Signals.check()
            if deadline.hasPassed {
                let why = "\(invocation.lingerSource) \(invocation.linger) ran out with messages undelivered"
                    + (endpoints.isEmpty ? "" : " to " + endpoints.joined(separator: ", "))
                stats.delivery = .uncertain(why)
                throw Exit.timeout(why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for a peer to take the queued messages"
                                 + (endpoints.isEmpty ? "" : " at " + endpoints.joined(separator: ", "))
                                 + " (\(lingerBound))")
            }
        }
    }

    /// Closes without waiting for anything (receivers, and after --linger 0).
    func finish() {
        abandon()
    }

    /// Drops whatever is still queued and closes (on errors: nothing may block the exit).
    func abandon() {
        stats.endUnconfirmed("the run ended before delivery was confirmed")
        if Signals.pending == 0 { _ = try? peers.drain() }  // what -v and --events have not said yet
        peers.flushCoalesced()
        // closed by terminate() already, lingering: zmq_ctx_term would wait for the peer, so it
        // runs on a helper thread that the exit leaves behind
        let lingering = socket.isClosed
        if !lingering { try? socket.set(.linger, 0) }
        peers.monitor.stop()
        socket.close()
        if lingering { ContextTerminator.start(context).close() } else { context.terminate() }
    }

    func printStats(always: Bool = false) {
        guard invocation.stats || always else { return }
        diagnostics.note(stats.summary(sends: invocation.command.readsInput, receives: invocation.command.writesOutput,
                                       publishes: socket.type == .pub || socket.type == .xpub))
    }

}
