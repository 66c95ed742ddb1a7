// Who is connected, as data: socket-monitor events in, state and typed changes out. No I/O, no
// printing, no clock: the caller passes the time, and a function that names the peer of an fd
// (getpeername in a run, canned names in tests). ConnectionMonitor feeds it; reporters word it.
//
// Handshake events carry no fd, so on a bound socket they go to the oldest connection still
// waiting for one (zmq-facts: with one I/O thread the events arrive in order). A connection that
// ends with no handshake event at all was refused before ZMTP 3 (a legacy peer, or junk). A ZMTP
// 1.0/2.0 session that a socket accepts has no handshake event either: libzmq 4.3.4 reports only
// its end, as HANDSHAKE_FAILED_NO_DETAIL.
import ZMQ

struct ConnectionTracker {
    /// What the tracker knows about the socket it watches.
    struct Settings: Sendable {
        var type: SocketType
        var mechanism: Mechanism
        /// Whether libzmq lets ZMTP 1.0/2.0 peers in: only with the NULL mechanism and no ZAP domain.
        var acceptsLegacy: Bool
        /// Whether zswift set a ZAP domain to refuse them (a bound socket without --legacy-zmtp).
        var refusesLegacy: Bool
        /// A CURVE or PLAIN client: its handshakes fail by the server's doing, on a connection it
        /// accepted too (a client that binds), and a run of failures ends the run.
        var isSecurityClient = false
    }

    /// How long a connection may go without a handshake event before it is taken for a ZMTP 1.0/2.0
    /// session (a NULL handshake takes about a millisecond on a LAN), in milliseconds.
    static let legacyGrace = 250
    /// Handshakes in a row that fail with no detail before a secured connect side gives up.
    static let fatalStreak = 3

    let settings: Settings
    /// Names the peer of a connection's fd, at the moment its event is read.
    private let peerName: (Int32) -> String?

    /// --max-msg-size on a receiving socket: its disconnections may be refusals of large frames.
    var maxMessageSize: Int64?
    private(set) var connections: [Connection] = []
    /// Whether any peer ever completed a handshake.
    private(set) var everReady = false
    /// Handshakes completed so far, whatever became of the connections.
    private(set) var handshakes = 0
    /// What the connections came to so far, for a timeout to say (see whatWasSeen).
    private(set) var seen = Seen()
    /// Whether the watched socket is gone (closed, and every session done): MONITOR_STOPPED.
    private(set) var socketGone = false
    /// The first connect-side handshake that cannot succeed.
    private(set) var fatalHandshake: FatalHandshake?
    /// Whether a connect-side connection ended with HANDSHAKE_FAILED_NO_DETAIL while legacy peers
    /// are accepted: the end of a ZMTP 1.0/2.0 session, or a ZMTP 3 handshake broken off.
    private var connectionEndedWithoutHandshake = false
    /// Handshakes in a row that failed with no detail, per connect endpoint (a wrong CURVE server
    /// key shows only as these: zmq-facts.md).
    private var failuresInARow: [String: Int] = [:]
    /// Endpoints that were connected once: a retry there is a reconnection, not "no peer yet".
    private var everConnected: Set<String> = []
    /// The endpoint the user gave for each address libzmq reports after resolving its host.
    private var names: [String: String] = [:]

    init(_ settings: Settings, peerName: @escaping (Int32) -> String?) {
        self.settings = settings
        self.peerName = peerName
    }

    /// Connections that completed the ZMTP handshake and are still there.
    var ready: Int { connections.reduce(0) { $0 + ($1.ready ? 1 : 0) } }

    /// The fds of live connections, for kernel send-queue checks.
    var fds: [Int32] { connections.map(\.fd) }

    /// Reports events on `resolved` under the endpoint as the user gave it ("tcp://localhost:5555"
    /// for "tcp://127.0.0.1:5555"), so one endpoint has one name.
    mutating func name(_ resolved: String, as given: String) {
        if resolved != given { names[resolved] = given }
    }

    /// Whether a connect-side connection may carry, or have carried, a ZMTP 1.0/2.0 session, which
    /// takes queued messages with no handshake event: one up `legacyGrace` with no handshake
    /// outcome, or one that ended with HANDSHAKE_FAILED_NO_DETAIL (libzmq keeps what is still
    /// queued then, and reconnects). Never on a socket that refuses such peers.
    func mayHaveLegacyPeer(at now: Int) -> Bool {
        guard settings.acceptsLegacy else { return false }
        return connectionEndedWithoutHandshake || connections.contains {
            !$0.accepted && $0.handshake == .pending && now - $0.since >= ConnectionTracker.legacyGrace
        }
    }

    // MARK: - Events

    /// Takes one monitor event read at `now` (milliseconds) and returns what it changed, in order.
    mutating func handle(_ raw: MonitorEvent, at now: Int) -> [ConnectionChange] {
        // zswift's own teardown, not a connection's: --events does not show it
        if raw.kind == .monitorStopped {
            socketGone = true
            return [.socketGone]
        }
        let event = names[raw.endpoint].map { MonitorEvent(kind: raw.kind, value: raw.value, endpoint: $0) } ?? raw
        var changes: [ConnectionChange] = [.observed(event, connection: event.fileDescriptor)]
        switch event.kind {
        case .connected, .accepted:
            changes.append(open(event, at: now))
        case .handshakeSucceeded, .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth:
            let i = waiting(for: event.endpoint)
            changes[0] = .observed(event, connection: i.map { connections[$0].fd })
            if let failure = event.handshakeFailure {
                fail(failure, of: i, on: event.endpoint, at: now, into: &changes)
            } else if let i {
                changes.append(succeed(i))
            }
        case .disconnected:
            close(event, into: &changes)
        case .connectRetried:
            seen.retries += 1
            changes.append(.retrying(endpoint: event.endpoint, interval: event.value,
                                     reconnecting: everConnected.contains(event.endpoint)))
        case .acceptFailed, .closeFailed:
            changes.append(.socketError(event.kind, endpoint: event.endpoint, errno: Int32(bitPattern: event.value)))
        default:
            break  // a failed bind fails zmq_bind too, and the caller says why
        }
        return changes
    }

    private mutating func open(_ event: MonitorEvent, at now: Int) -> ConnectionChange {
        let fd = Int32(bitPattern: event.value)
        let accepted = event.kind == .accepted
        let connection = Connection(fd: fd, endpoint: event.endpoint, peer: peerName(fd), accepted: accepted, since: now)
        seen.connections += 1
        connections.append(connection)
        if !accepted { everConnected.insert(event.endpoint) }
        return accepted ? .accepted(connection) : .connected(connection)
    }

    private mutating func succeed(_ i: Int) -> ConnectionChange {
        connections[i].handshake = .succeeded
        everReady = true
        handshakes += 1
        failuresInARow[connections[i].endpoint] = nil
        return .handshakeSucceeded(connections[i])
    }

    private mutating func fail(_ failure: HandshakeFailure, of i: Int?, on endpoint: String, at now: Int,
                               into changes: inout [ConnectionChange]) {
        // it had its outcome: its end is not taken for a refusal
        if let i { connections[i].handshake = .failed }
        let connection = i.map { connections[$0] }
        // with no connection waiting (a flood of refused peers outruns the events), the endpoint
        // says which side it was: a handshake at a connect endpoint follows a connection there
        let accepted = connection?.accepted ?? !everConnected.contains(endpoint)
        // a connection that ends within the grace ended during its handshake, not after a session
        let brokenOff = connection.map { now - $0.since < ConnectionTracker.legacyGrace } ?? false
        if !accepted || settings.isSecurityClient,
           let fatal = noteConnectFailure(failure, endpoint: endpoint, brokenOff: brokenOff, streak: accepted ? 1 : ConnectionTracker.fatalStreak) {
            changes.append(.fatalHandshake(fatal))
        }
        if case let .noDetail(errno) = failure, settings.acceptsLegacy {
            // how libzmq reports the end of a ZMTP 1.0/2.0 session: there was no handshake to fail
            if !accepted { connectionEndedWithoutHandshake = true }
            changes.append(.endedWithoutHandshake(connection, endpoint: endpoint, errno: errno))
        } else {
            changes.append(.handshakeFailed(connection, endpoint: endpoint, failure))
        }
    }

    private mutating func close(_ event: MonitorEvent, into changes: inout [ConnectionChange]) {
        let fd = Int32(bitPattern: event.value)
        guard let i = connections.firstIndex(where: { $0.fd == fd }) else { return }
        let connection = connections.remove(at: i)
        let hadOutcome = connection.handshake != .pending
        if !hadOutcome && connection.accepted && settings.refusesLegacy {
            changes.append(.refused(connection))
        } else {
            changes.append(.disconnected(connection))
        }
        if !hadOutcome && !connection.accepted && fatalHandshake == nil {
            // libzmq drops a peer that breaks off the greeting (an incompatible socket type, not
            // ZMTP 3) without any handshake event, and does not reconnect
            let fatal = FatalHandshake(endpoint: connection.endpoint, cause: .incompatiblePeer(settings.type))
            fatalHandshake = fatal
            changes.append(.fatalHandshake(fatal))
        }
        if connection.ready, let limit = maxMessageSize {
            changes.append(.possiblyOversized(connection, limit: limit))
        }
    }

    /// A failed connect-side handshake: some failures mean it can never succeed. Returns the fatal
    /// handshake when this failure made it so.
    /// `brokenOff`: the connection ended during its handshake. Under NULL, a run of those is a
    /// server that refuses this client and resets before its ERROR could be read.
    /// `streak`: how many failures in a row end the run (one for a client that binds: a server
    /// that connects does not try again after a failed handshake).
    private mutating func noteConnectFailure(_ failure: HandshakeFailure, endpoint: String, brokenOff: Bool, streak: Int) -> FatalHandshake? {
        guard fatalHandshake == nil else { return nil }
        switch failure {
        case .protocolError, .authentication:
            fatalHandshake = FatalHandshake(endpoint: endpoint, cause: .failure(failure))
        case .noDetail:
            // under NULL a ZMTP 1.0/2.0 session ends this way too: only one broken off counts
            guard settings.mechanism != .null || brokenOff else {
                failuresInARow[endpoint] = 0
                return nil
            }
            let n = (failuresInARow[endpoint] ?? 0) + 1
            failuresInARow[endpoint] = n
            if n >= streak {
                fatalHandshake = FatalHandshake(endpoint: endpoint, cause: .repeatedFailures(settings.mechanism, count: n))
            }
        }
        return fatalHandshake
    }

    /// The connection a handshake event belongs to: the one on that endpoint when it is a
    /// connect endpoint, else the oldest accepted one still waiting.
    private func waiting(for endpoint: String) -> Int? {
        let candidates = connections.indices.filter { connections[$0].handshake == .pending }
        return candidates.first { !connections[$0].accepted && connections[$0].endpoint == endpoint }
            ?? candidates.first { connections[$0].endpoint == endpoint }
            ?? candidates.first
    }
}
