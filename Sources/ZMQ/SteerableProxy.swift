// libzmq's proxy (zmq_proxy_steerable) on a thread of its own, steered through an inproc PAIR with
// PAUSE, RESUME, TERMINATE and STATISTICS. The caller polls `finishedFD` to learn that it returned.
// The proxy thread takes no signals: one would cut its poll short, and the proxy would return.
import CZMQ
import Glibc
import Synchronization

/// A command for a running proxy. The corresponding C strings are those zmq_proxy_steerable(3) names.
public enum ProxyCommand: String, CaseIterable, Sendable {
    /// Stops relaying until RESUME (messages wait in the sockets' queues).
    case pause = "PAUSE"
    case resume = "RESUME"
    /// Makes the proxy return.
    case terminate = "TERMINATE"
    /// Asks for the counters: the answer comes on the control socket (`receiveStatistics`).
    case statistics = "STATISTICS"
}

/// The proxy's counters: messages and bytes each side received and sent.
public struct ProxyStatistics: Equatable, Sendable {
    public struct Side: Equatable, Sendable {
        public var messagesReceived: UInt64
        public var bytesReceived: UInt64
        public var messagesSent: UInt64
        public var bytesSent: UInt64
        public init(messagesReceived: UInt64, bytesReceived: UInt64, messagesSent: UInt64, bytesSent: UInt64) {
            (self.messagesReceived, self.bytesReceived) = (messagesReceived, bytesReceived)
            (self.messagesSent, self.bytesSent) = (messagesSent, bytesSent)
        }
    }
    /// Messages the frontend received are the ones relayed to the backend, and so on.
    public var frontend: Side
    public var backend: Side

    public init(frontend: Side, backend: Side) {
        self.frontend = frontend
        self.backend = backend
    }

    /// Reads an answer to STATISTICS: 8 frames of 8 bytes, the frontend's four counters then the
    /// backend's. Nil for anything else.
    init?(_ answer: borrowing MultipartMessage) {
        guard answer.count == 8, answer.frames.allSatisfy({ $0.count == 8 }) else { return nil }
        let v = answer.frames.map { $0.loadUnaligned(as: UInt64.self) }
        frontend = Side(messagesReceived: v[0], bytesReceived: v[1], messagesSent: v[2], bytesSent: v[3])
        backend = Side(messagesReceived: v[4], bytesReceived: v[5], messagesSent: v[6], bytesSent: v[7])
    }
}

private let proxyCount = Atomic<Int>(0)

/// libzmq's proxy between two sockets, running on its own thread until TERMINATE or an error.
/// While it runs, the frontend, backend and capture sockets are the proxy thread's: do not use them.
public final class SteerableProxy {
    public let frontend: Socket
    public let backend: Socket
    public let capture: Socket?
    /// The caller's end of the control pair: readable when an answer to STATISTICS waits.
    public let control: Socket
    private let proxyControl: Socket
    private let run: Run
    private let finishedRead: Int32
    private var thread = pthread_t()
    private var joined = false
    private var closed = false
    private var answer = MultipartMessage(capacity: 64)

    /// The name of the proxy's thread (as libzmq names its own "ZMQbg/IO/0"), for ps, top and gdb.
    public static let threadName = "ZMQproxy"

    /// Names the calling thread: what pthread_setname_np(3) does on Linux, which Glibc's module
    /// does not export (it is a _GNU_SOURCE function).
    private static func nameThisThread() {
        let fd = open("/proc/thread-self/comm", O_WRONLY)
        guard fd >= 0 else { return }
        var name = Array(threadName.utf8)
        _ = write(fd, &name, name.count)
        Glibc.close(fd)
    }

    /// What the proxy thread is given, and what it leaves: the error it returned with.
    private final class Run: @unchecked Sendable {
        let frontend, backend, capture, control: UnsafeMutableRawPointer?
        let finishedWrite: Int32
        /// 0 until the proxy returns; then -1 for a clean return (TERMINATE), or the errno.
        let outcome = Atomic<Int32>(0)
        init(_ frontend: Socket, _ backend: Socket, _ capture: Socket?, _ control: Socket, finishedWrite: Int32) {
            (self.frontend, self.backend, self.capture, self.control) = (frontend.handle, backend.handle, capture?.handle, control.handle)
            self.finishedWrite = finishedWrite
        }
    }

    /// Starts the proxy between `frontend` and `backend` (sockets of one context, bound or connected
    /// as the caller likes), copying every frame to `capture` when one is given. Throws when the
    /// control pair or the thread cannot be made. The corresponding C function is `zmq_proxy_steerable`.
    public init(frontend: Socket, backend: Socket, capture: Socket? = nil) throws(ZMQError) {
        self.frontend = frontend
        self.backend = backend
        self.capture = capture
        let name = "inproc://zmq.steerable-proxy.\(proxyCount.wrappingAdd(1, ordering: .relaxed).newValue)"
        proxyControl = try Socket(frontend.context, type: .pair)
        control = try Socket(frontend.context, type: .pair)
        for socket in [proxyControl, control] { try socket.set(.linger, 0) }
        try proxyControl.bind(name)
        try control.connect(name)
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else { throw ZMQError(code: errno) }
        finishedRead = fds[0]
        run = Run(frontend, backend, capture, proxyControl, finishedWrite: fds[1])
        let started = pthread_create(&thread, nil, { argument in
            var all = sigset_t()
            sigfillset(&all)
            pthread_sigmask(SIG_BLOCK, &all, nil)  // the caller's threads answer signals
            SteerableProxy.nameThisThread()
            let run = Unmanaged<Run>.fromOpaque(argument!).takeRetainedValue()
            let rc = zmq_proxy_steerable(run.frontend, run.backend, run.capture, run.control)
            run.outcome.store(rc == 0 ? -1 : zmq_errno(), ordering: .releasing)
            var byte: UInt8 = 1
            _ = write(run.finishedWrite, &byte, 1)
            Glibc.close(run.finishedWrite)
            return nil
        }, Unmanaged.passRetained(run).toOpaque())
        if started != 0 {
            Unmanaged.passUnretained(run).release()
            Glibc.close(fds[1])
            joined = true
            close()
            throw ZMQError(code: started)
        }
    }

    deinit { close() }

    // MARK: - Steering

    /// Sends `command` without waiting; false when the control socket cannot take it now.
    /// The proxy copies each command it receives to the capture socket before acting on it.
    public func send(_ command: ProxyCommand) throws(ZMQError) -> Bool {
        try control.send(Array(command.rawValue.utf8), flags: .dontWait)
    }

    /// The next answer to STATISTICS if one has come (nil when none waits), without waiting.
    public func receiveStatistics() throws(ZMQError) -> ProxyStatistics? {
        while try control.receive(&answer, dontWait: true) {
            if let statistics = ProxyStatistics(answer) { return statistics }
        }
        return nil
    }

    // MARK: - Ending

    /// A file descriptor that becomes readable when the proxy has returned (for poll).
    public var finishedFD: Int32 { finishedRead }

    /// Whether the proxy has returned.
    public var hasFinished: Bool { run.outcome.load(ordering: .acquiring) != 0 }

    /// Why the proxy returned: nil while it runs and after TERMINATE, else the error it returned with.
    public var error: ZMQError? {
        let outcome = run.outcome.load(ordering: .acquiring)
        return outcome > 0 ? ZMQError(code: outcome) : nil
    }

    /// Waits up to `timeout` milliseconds for the proxy to return (after TERMINATE, or on its own)
    /// and joins its thread. Returns whether it returned.
    public func waitUntilFinished(timeout: Int) -> Bool {
        if joined { return true }
        var p = pollfd(fd: finishedRead, events: Int16(POLLIN), revents: 0)
        let deadline = ContinuousClock.now + .milliseconds(timeout)
        while !hasFinished && ContinuousClock.now < deadline {
            let left = deadline - ContinuousClock.now
            let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
            _ = Glibc.poll(&p, 1, Int32(clamping: max(1, ms)))
        }
        guard hasFinished else { return false }
        pthread_join(thread, nil)
        joined = true
        return true
    }

    /// Closes the control pair and the finished fd. A proxy still running is left to its thread
    /// (detached); the caller closes the sockets it relays between.
    public func close() {
        if closed { return }
        closed = true
        if !joined { pthread_detach(thread) }
        control.close()
        proxyControl.close()
        Glibc.close(finishedRead)
    }
}
