// The in-process ZAP handler (RFC 27): a thread that answers libzmq's authentication requests on
// inproc://zeromq.zap.01 by an AccessPolicy, and hands each decision to the main thread as one
// message on an inproc PUSH/PULL pair, never waiting for it (a full queue drops and counts). It
// reports nothing itself; what to print is the caller's business.
import Glibc
import Synchronization
import ZMQ

private let handlerCount = Atomic<Int>(0)

final class ZAPHandler {
    /// Where libzmq sends ZAP requests, in the context of the socket being authenticated.
    static let endpoint = "inproc://zeromq.zap.01"

    /// The main thread's end of the decisions pair: readable when a decision waits, one message
    /// per decision (`nextDecision`). Closed by `stop()`.
    let decisions: Socket
    /// The main thread's end of the stop pair.
    private let control: Socket
    private let worker: Worker
    private var thread = pthread_t()
    private var stopped = false
    private var message = MultipartMessage()

    private init(decisions: Socket, control: Socket, worker: Worker) {
        self.decisions = decisions
        self.control = control
        self.worker = worker
    }

    /// How many decisions were dropped because the main thread did not take them in time.
    var droppedDecisions: Int { worker.dropped.load(ordering: .relaxed) }

    /// Binds the handler in `context` (before returning, so every socket that handshakes
    /// afterwards is covered) and starts its thread. `queueLimit` bounds the decisions waiting for
    /// the main thread (about: libzmq's high-water marks are approximate). Throws when another
    /// handler is bound in the context, or the thread cannot be made.
    static func start(context: Context, policy: AccessPolicy, queueLimit: Int = 1000) throws(Exit) -> ZAPHandler {
        let zap: Socket
        do {
            // a ROUTER, not a REP: a reply that cannot be queued is dropped instead of holding the
            // thread, and no failed reply can leave a REP state machine stuck
            zap = try Socket(context, type: .router)
            try zap.set(.linger, 0)
            try zap.bind(endpoint)
        } catch {
            throw error == .addressInUse
                ? Exit.runtime("cannot start the ZAP handler: \(endpoint) is already bound in this context", hint: "one context has at most one ZAP handler")
                : Exit.runtime("cannot start the ZAP handler: \(error)")
        }
        let handler: ZAPHandler
        do { handler = try connected(zap, policy: policy, queueLimit: queueLimit) } catch {
            zap.close()
            throw Exit.runtime("cannot start the ZAP handler: \(error)")
        }
        let started = pthread_create(&handler.thread, nil, { argument in
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)  // the main thread answers signals (as Signals.blockInThisThread, and SIGUSR1/SIGALRM too)
            Unmanaged<Worker>.fromOpaque(argument!).takeRetainedValue().run()
            return nil
        }, Unmanaged.passRetained(handler.worker).toOpaque())
        guard started == 0 else {
            Unmanaged.passUnretained(handler.worker).release()
            handler.worker.close()
            handler.stopped = true
            handler.control.close()
            handler.decisions.close()
            throw Exit.runtime("cannot start the ZAP handler: no thread (\(String(cString: strerror(started))))")
        }
        return handler
    }

    /// The handler around `zap`, with its decisions and stop pairs made and connected.
    private static func connected(_ zap: Socket, policy: AccessPolicy, queueLimit: Int) throws(ZMQError) -> ZAPHandler {
        let n = handlerCount.wrappingAdd(1, ordering: .relaxed).newValue
        let context = zap.context
        let push = try Socket(context, type: .push), pull = try Socket(context, type: .pull)
        let stopping = try Socket(context, type: .pair), control = try Socket(context, type: .pair)
        for socket in [push, pull, stopping, control] { try socket.set(.linger, 0) }
        try push.set(.sendHighWaterMark, Int32(clamping: max(1, queueLimit)))
        try pull.set(.receiveHighWaterMark, 1)
        try push.bind("inproc://zswift.zap-decisions.\(n)")
        try pull.connect("inproc://zswift.zap-decisions.\(n)")
        try stopping.bind("inproc://zswift.zap-control.\(n)")
        try control.connect("inproc://zswift.zap-control.\(n)")
        return ZAPHandler(decisions: pull, control: control, worker: Worker(zap: zap, push: push, control: stopping, policy: policy))
    }

    /// The next decision if one waits, without waiting; nil when none does (or after `stop`).
    /// Whether `stop` ran (`decisions` is closed).
    var isStopped: Bool { stopped }

    func nextDecision() -> ZAPDecision? {
        guard !stopped, (try? decisions.receive(&message, dontWait: true)) == true else { return nil }
        return ZAPDecision(frames: message.arrays)
    }

    /// Stops the thread, waits for it to close its sockets, and closes `decisions`: call it before
    /// the context terminates (zmq_ctx_term waits for every socket). Calling it again does nothing.
    func stop() {
        if stopped { return }
        stopped = true
        _ = try? control.send(Array("STOP".utf8), flags: .dontWait)
        pthread_join(thread, nil)
        control.close()
        decisions.close()
    }

    deinit { stop() }
}

/// What runs on the handler's thread: its three sockets (used by no other thread once it starts)
/// and the policy.
private final class Worker: @unchecked Sendable {
    let zap: Socket
    let push: Socket
    let control: Socket
    let policy: AccessPolicy
    let dropped = Atomic<Int>(0)

    init(zap: Socket, push: Socket, control: Socket, policy: AccessPolicy) {
        (self.zap, self.push, self.control, self.policy) = (zap, push, control, policy)
    }

    /// Answers requests until a message on the control socket (or the context's end), then closes
    /// the sockets.
    func run() {
        var poller = Poller()
        poller.add(zap, .readable)
        poller.add(control, .readable)
        var request = MultipartMessage()
        while true {
            do { _ = try poller.poll(timeout: -1) } catch {
                if error == .interrupted { continue }
                break
            }
            if !poller.events(1).isEmpty { break }
            if !poller.events(0).isEmpty, !answer(&request) { break }
        }
        close()
    }

    /// Answers the request waiting on the ZAP socket, if any; false when the socket failed for good.
    private func answer(_ request: inout MultipartMessage) -> Bool {
        do {
            guard try zap.receive(&request, dontWait: true) else { return true }
            // the envelope: the requester's routing id, then an empty delimiter frame (as from a REQ)
            let frames = request.arrays
            guard let delimiter = frames.firstIndex(where: \.isEmpty) else { return true }
            let decision = policy.decide(frames: Array(frames[(delimiter + 1)...]))
            // the decision first: it waits for the main thread before the handshake can complete,
            // so a run that ends on the peer's first message has it to say
            if !(try push.send(decision.frames, dontWait: true)) { dropped.add(1, ordering: .relaxed) }
            try zap.send(Array(frames[...delimiter]) + decision.replyFrames, dontWait: true)
            return true
        } catch {
            return error != .terminated
        }
    }

    func close() {
        // unbound first: zmq_close releases an inproc name only later, and a new handler may want it
        try? zap.unbind(ZAPHandler.endpoint)
        zap.close()
        push.close()
        control.close()
    }
}
