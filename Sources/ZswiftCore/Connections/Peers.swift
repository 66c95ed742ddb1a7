// The API Session and the commands used before connection tracking was split up, kept while they
// move to ConnectionMonitor and ConnectionTracker: every member forwards, reading the clock where
// the tracker wants a time. Nothing is decided here; delete it once nothing calls it.
import ZMQ

final class Peers {
    typealias Connection = ZswiftCore.Connection

    private let watch: ConnectionMonitor

    init(socket: Socket, diagnostics: Diagnostics, events: EventsFormat?, refusesLegacy: Bool) throws(ZMQError) {
        watch = try ConnectionMonitor(socket: socket, diagnostics: diagnostics, events: events, refusesLegacy: refusesLegacy)
    }

    var monitor: Monitor { watch.monitor }
    private var tracker: ConnectionTracker { watch.tracker }

    /// --max-msg-size on a receiving socket: its disconnections may be refusals of large frames.
    var maxMessageSize: Int64? {
        get { watch.maxMessageSize }
        set { watch.maxMessageSize = newValue }
    }
    var connections: [Connection] { tracker.connections }
    /// Connections that completed the ZMTP handshake and are still there.
    var ready: Int { tracker.ready }
    /// Whether any peer ever completed a handshake.
    var everReady: Bool { tracker.everReady }
    /// Handshakes completed so far, whatever became of the connections.
    var handshakes: Int { tracker.handshakes }
    /// Whether the watched socket is gone (closed, and every session done): MONITOR_STOPPED.
    var socketGone: Bool { tracker.socketGone }
    /// The fds of live connections, for kernel send-queue checks.
    var fds: [Int32] { tracker.fds }
    /// See ConnectionTracker.mayHaveLegacyPeer(at:).
    var mayHaveLegacyPeer: Bool { tracker.mayHaveLegacyPeer(at: Clock.now()) }

    /// A connect-side handshake that cannot succeed: the endpoint, why, and the exit status (4 for
    /// security, 1 for an incompatible peer). libzmq never reports these to the sender.
    var fatalHandshake: (endpoint: String, reason: String, status: ExitStatus)? {
        tracker.fatalHandshake.map { ($0.endpoint, $0.reason, $0.status) }
    }

    /// Handles every event that is waiting, and writes the folded --events lines that are due;
    /// returns whether there were any events.
    @discardableResult
    func drain() throws(Exit) -> Bool { try watch.drain() }

    /// Writes the folded --events lines that are due (for waits that saw no monitor event).
    func tick() { if watch.nextDue != nil { watch.tick(at: Clock.now()) } }

    /// Milliseconds until the next folded --events line is due, at most `cap` (nil: no cap):
    /// a wait's poll timeout, so that the line goes out on time.
    func untilDue(cap: Int?) -> Int? {
        guard let due = watch.nextDue else { return cap }
        let left = max(0, due - Clock.now())
        return cap.map { min($0, left) } ?? left
    }

    func untilDue(cap: Int) -> Int { untilDue(cap: Optional(cap))! }

    func handle(_ event: MonitorEvent) { watch.handle(event, at: Clock.now()) }

    /// Reports events on `resolved` under the endpoint as the user gave it.
    func name(_ resolved: String, as given: String) { watch.name(resolved, as: given) }

    /// Bytes this process has queued in the kernel for its peers and not yet seen acknowledged.
    func kernelQueued() -> Int { PeerSocket.queuedBytes(fds) }

    /// Writes the lines of events still folded (call at exit).
    func flushCoalesced() { watch.flush() }
}
