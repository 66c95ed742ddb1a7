// Delivery at end of input: a sender waits until what it sent has left this process, bounded by
// --linger (or, as a wait for progress, by --timeout). libzmq may drop its last batch at close
// while the kernel buffer is full (zmq-facts.md), so the kernel queues must be empty before the
// socket closes; then the socket lingers until every session has handed its queue over.
import ZMQ

extension Channel {
    /// What a delivery wait needs as it goes: its bound (moved on by progress when it is
    /// --timeout's), when it started, and whether the "waiting for" notice was given.
    struct DeliveryWait {
        var deadline: Deadline
        let started = Clock.now()
        var noticed = false
        /// Bytes still in the kernel queue of a connection that ended: its peer never took them.
        var lostBytes = 0
    }

    /// At end of input: waits for delivery, closes the socket and lets libzmq hand over what it
    /// still queues. --linger 0 drops what is queued at once.
    func deliver() throws(Exit) {
        if invocation.linger.milliseconds == 0 {
            if scope.stats.sentMessages > 0 {
                scope.stats.delivery = peers.tracker.everReady ? .uncertain("--linger 0 dropped at exit whatever the peers had not taken yet")
                                                       : .dropped("no peer took them before --linger 0 closed the socket")
            }
            try? socket.set(.linger, 0)
            return
        }
        var wait = DeliveryWait(deadline: Deadline(after: invocation.linger))
        try peers.drain()
        try awaitHandshake(&wait)
        try awaitKernelQueues(&wait)
        // a connect-side PUB keeps the pipe of a subscriber that has gone, for a reconnect that may
        // never come: with no subscriber connected, what is left is dropped, as a PUB does by design.
        // An XSUB queues its subscriptions again for a reconnect once its peer has gone: they were
        // delivered, and are not messages to wait for (before any peer, they are: they go first).
        let subscriptionsRequeued = type == .xsub && peers.tracker.everReady
        if (type == .pub || type == .xpub || subscriptionsRequeued) && peers.tracker.fds.isEmpty {
            if peers.tracker.everReady && type != .xsub {
                diagnostics.info("no subscriber is connected any more: what was queued for one that left is dropped (a PUB drops by design)")
            }
            scope.stats.delivery = .delivered  // to the peers there were: no more can be claimed
            try? socket.set(.linger, 0)
            return
        }
        // libzmq lingers without limit: only the deadline decides, so "delivered" can never be a
        // tie between libzmq's timer and ours
        try? socket.set(.linger, -1)
        try handOver(&wait)
        if wait.lostBytes > 0 {
            let why = "a peer left with \(Words.bytes(wait.lostBytes)) it had not taken"
            diagnostics.info(why)
            scope.stats.delivery = .uncertain(why)
        } else {
            scope.stats.delivery = .delivered
        }
    }

    /// What a connect-side sender queued goes nowhere until a handshake succeeds, and a failed one
    /// must end the run as such: waits for the outcome before the kernel queues are checked (a PUB
    /// drops by design: only sockets that queue for a peer wait). A ZMTP 1.0/2.0 peer has no
    /// handshake event: a connection that may be one ends the wait too, and `handOver` goes on
    /// watching for a failed handshake until libzmq has handed everything over.
    private func awaitHandshake(_ wait: inout DeliveryWait) throws(Exit) {
        let connects = endpoints.filter { $0.role == .connect }.map(\.address).joined(separator: ", ")
        let queues = [SocketType.push, .pair, .dealer, .xsub].contains(type)
        guard queues && !connects.isEmpty && scope.stats.sentMessages > 0 else { return }
        while !peers.tracker.everReady && !peers.tracker.mayHaveLegacyPeer(at: Clock.now()) {
            try checkSecurity()  // the events may have been read before this wait, by another
            if wait.deadline.hasPassed {
                let why = "no peer completed the handshake at \(connects)"
                scope.stats.delivery = .dropped(why + " within \(invocation.lingerSource) \(invocation.linger)")
                throw Exit.timeout("\(invocation.lingerSource) \(invocation.linger) ran out with messages undelivered: " + why)
            }
            notice(&wait, "waiting for a peer at \(connects) to take the queued messages")
            // a connection with no handshake event becomes a possible ZMTP 1.0/2.0 peer in time
            try scope.reactor.turn(timeout: wait.deadline.remaining(cap: peers.tracker.connections.isEmpty ? 250 : 25))
        }
    }

    /// The bytes one connection's kernel queue last held and since when. A connection that ends
    /// has left them untaken only if they sat there a while: a snapshot taken just before a quick
    /// peer read them and left says nothing (the queue of a closed descriptor cannot be asked).
    struct StalledQueue {
        let bytes: Int
        let since: Int
        func stalled(at now: Int) -> Bool { bytes > 0 && now - since >= 100 }
    }

    /// How long kernel queues that were never seen holding anything must stay empty.
    static let settleMilliseconds = 3

    /// Waits until the kernel send queues of every connection are empty (twice in a row).
    private func awaitKernelQueues(_ wait: inout DeliveryWait) throws(Exit) {
        var lastQueued = -1
        var emptyChecks = 0
        // empty from the first look may mean libzmq's I/O thread has not written yet (a loaded
        // machine): then the queues must stay empty a few milliseconds before they count
        var sawQueued = false
        var emptySince = Clock.now()
        var checks = 0
        var queuedByConnection: [Int32: StalledQueue] = [:]
        while true {
            try checkSecurity()
            let now = Dictionary(peers.tracker.fds.map { ($0, PeerSocket.queuedBytes([$0])) }, uniquingKeysWith: +)
            // a stalled queue whose connection ended, or emptied as its peer hung up, was not taken
            for (fd, queue) in queuedByConnection where queue.stalled(at: Clock.now())
                && (now[fd] == nil || (now[fd] == 0 && PeerSocket.peerHungUp(fd))) {
                wait.lostBytes += queue.bytes
            }
            queuedByConnection = now.reduce(into: [:]) { next, entry in
                let seen = queuedByConnection[entry.key]
                next[entry.key] = seen?.bytes == entry.value ? seen : StalledQueue(bytes: entry.value, since: Clock.now())
            }
            let queued = now.values.reduce(0, +)
            // bounded by --timeout, the wait is for progress: it restarts whenever the peers take more
            if invocation.lingerIsTimeout && queued != lastQueued { wait.deadline = Deadline(after: invocation.linger) }
            lastQueued = queued
            if queued > 0 { sawQueued = true; emptySince = Clock.now() }
            emptyChecks = queued == 0 ? emptyChecks + 1 : 0
            let settled = sawQueued || Clock.now() - emptySince >= Channel.settleMilliseconds
            if (emptyChecks >= 2 && settled) || (queued == 0 && peers.tracker.fds.isEmpty) { return }
            let peerCount = Words.count(peers.tracker.fds.count, "peer")
            if wait.deadline.hasPassed {
                let why = "\(invocation.lingerSource) \(invocation.linger) ran out with \(queued) bytes not yet taken by \(peerCount)"
                scope.stats.delivery = .uncertain(why)
                throw Exit.timeout(why)
            }
            notice(&wait, "waiting for \(peerCount) to take \(queued) queued bytes")
            // look again soon (the queue usually drains in a few milliseconds), less often on a long drain
            checks += 1
            try scope.reactor.turn(timeout: wait.deadline.remaining(cap: queued == 0 ? 1 : min(checks, 10)))
        }
    }

    /// Closes the socket and waits for libzmq to hand over what it still queues: the socket is gone
    /// (MONITOR_STOPPED) once every session has, and until then its monitor still reports a
    /// handshake that fails. Then terminates the context (zmq_ctx_term, on a helper thread so that
    /// this one can report, time out and answer signals).
    private func handOver(_ wait: inout DeliveryWait) throws(Exit) {
        let connects = endpoints.filter { $0.role == .connect }.map(\.address).joined(separator: ", ")
        closeSocket()
        while !peers.tracker.socketGone {
            try expire(wait, connects)
            notice(&wait, "waiting for a peer to take the queued messages" + (connects.isEmpty ? "" : " at \(connects)"))
            try scope.reactor.turn(timeout: wait.deadline.remaining(cap: 250))
        }
        peers.flush()
        stopMonitor()
        // a context the run does not own (a test's) is terminated by its owner
        guard scope.ownsContext else { handedOver = true; return }
        scope.stopHelpers()  // zmq_ctx_term waits for a helper's sockets (the ZAP handler's) too
        let terminator = ContextTerminator.start(scope.context)
        defer { terminator.close() }
        let done = scope.reactor.watch(fd: terminator.readEnd, for: .readable)
        defer { scope.reactor.remove(done) }
        while !terminator.isFinished(waitingUpTo: 0) {
            try expire(wait, connects)
            _ = try scope.reactor.wait(for: done, .readable, until: Deadline(after: .ms(wait.deadline.remaining(cap: 250))))
        }
        handedOver = true
    }

    private func expire(_ wait: DeliveryWait, _ connects: String) throws(Exit) {
        guard wait.deadline.hasPassed else { return }
        let why = "\(invocation.lingerSource) \(invocation.linger) ran out with messages undelivered" + (connects.isEmpty ? "" : " to \(connects)")
        scope.stats.delivery = .uncertain(why)
        throw Exit.timeout(why)
    }

    /// Says once, after a second, what the wait is for and what bounds it.
    private func notice(_ wait: inout DeliveryWait, _ what: String) {
        guard !wait.noticed && Clock.now() - wait.started >= 1000 else { return }
        wait.noticed = true
        let bound = invocation.linger == .forever ? "--linger bounds this; Ctrl-C gives up"
            : "for up to \(invocation.lingerSource) \(invocation.linger); Ctrl-C gives up"
        diagnostics.note(what + " (\(bound))")
    }
}
