// Who is connected, from socket-monitor events: each connection by fd (CONNECTED/ACCEPTED to
// DISCONNECTED), its handshake outcome, and what -v and --events say about it. Handshake events
// carry no fd, so on a bound socket they go to the oldest connection still waiting for one
// (zmq-facts: with one I/O thread the events arrive in order). A connection that ends with no
// handshake event at all was refused before ZMTP 3 (a legacy peer, or junk). A ZMTP 1.0/2.0
// session that a socket accepts has no handshake event either: libzmq 4.3.4 reports only its end,
// as HANDSHAKE_FAILED_NO_DETAIL.
import Glibc
import ZMQ

final class Peers {
    struct Connection {
        let fd: Int32
        let endpoint: String
        let peer: String
        let accepted: Bool
        var ready = false
        let since = Clock.now()
    }

    let monitor: Monitor
    private let diagnostics: Diagnostics
    private let events: EventsFormat?
    private let refusesLegacy: Bool
    /// --max-msg-size on a receiving socket: its disconnections may be refusals of large frames.
    var maxMessageSize: Int64?
    private(set) var connections: [Connection] = []
    /// Connections that completed the ZMTP handshake and are still there.
    var ready: Int { connections.reduce(0) { $0 + ($1.ready ? 1 : 0) } }
    /// Whether any peer ever completed a handshake.
    private(set) var everReady = false
    /// Handshakes completed so far, whatever became of the connections.
    private(set) var handshakes = 0
    /// Whether the watched socket is gone (closed, and every session done): MONITOR_STOPPED.
    private(set) var socketGone = false
    /// A connect-side handshake that cannot succeed: the endpoint, why, and the exit status (4 for
    /// security, 1 for an incompatible peer). libzmq never reports these to the sender.
    private(set) var fatalHandshake: (endpoint: String, reason: String, status: ExitStatus)?
    /// The socket's security mechanism (ZMQ_MECHANISM: 0 NULL, 1 PLAIN, 2 CURVE, 3 GSSAPI) and type.
    private let mechanism: Int32
    private let socketType: SocketType
    /// Whether libzmq lets ZMTP 1.0/2.0 peers in: only with the NULL mechanism and no ZAP domain.
    private let acceptsLegacy: Bool
    /// Whether a connect-side connection ended with HANDSHAKE_FAILED_NO_DETAIL while legacy peers
    /// are accepted: the end of a ZMTP 1.0/2.0 session, or a ZMTP 3 handshake broken off.
    private var connectionEndedWithoutHandshake = false
    /// Handshakes in a row that failed with no detail, per connect endpoint (a wrong CURVE server
    /// key shows only as these: zmq-facts.md).
    private var failuresInARow: [String: Int] = [:]
    private var failureReports: [String: (count: Int, lastReport: Int)] = [:]
    /// The fds of live connections, for kernel send-queue checks.
    var fds: [Int32] { connections.map(\.fd) }

    private var retries: [String: (count: Int, lastReport: Int)] = [:]
    private var coalescer = EventCoalescer()
    private let started = Clock.now()

    init(socket: Socket, diagnostics: Diagnostics, events: EventsFormat?, refusesLegacy: Bool) throws(ZMQError) {
        mechanism = (try? socket.get(.mechanism)) ?? 0
        socketType = socket.type
        acceptsLegacy = mechanism == 0 && ((try? socket.get(.zapDomain)) ?? "").isEmpty
        monitor = try Monitor(socket)
        // an inproc reader's fd signals a new message only once the reader has looked and found
        // none: look now, so the first event already wakes a poll(2) on the monitor's ZMQ_FD
        _ = monitor.socket.events
        self.diagnostics = diagnostics
        self.events = events
        self.refusesLegacy = refusesLegacy
    }

    /// Handles every event that is waiting; returns whether there were any.
    @discardableResult
    func drain() throws(Exit) -> Bool {
        var any = false
        while true {
            let event: MonitorEvent?
            do { event = try monitor.receive(dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                return any
            }
            // an empty receive may have been throttled by libzmq; ZMQ_EVENTS takes every pending
            // command, so the monitor's fd signals again for the next event (edge-triggered)
            guard let event else {
                if monitor.socket.events.contains(.readable) { continue }
                return any
            }
            any = true
            handle(event)
        }
    }

    /// The endpoint the user gave for each address libzmq reports after resolving its host
    /// ("tcp://127.0.0.1:5555" for "tcp://localhost:5555"), so one endpoint has one name.
    private var names: [String: String] = [:]

    /// Reports events on `resolved` under the endpoint as the user gave it.
    func name(_ resolved: String, as given: String) {
        if resolved != given { names[resolved] = given }
    }

    /// Endpoints that were connected once: a retry there is a reconnection, not "no peer yet".
    private var everConnected: Set<String> = []

    func handle(_ raw: MonitorEvent) {
        // zswift's own teardown, not a connection's: --events does not show it
        if raw.kind == .monitorStopped { socketGone = true; return }
        let event = names[raw.endpoint].map { MonitorEvent(kind: raw.kind, value: raw.value, endpoint: $0) } ?? raw
        if events != nil { writeJSON(event) }
        let fd = Int32(bitPattern: event.value)
        switch event.kind {
        case .connected, .accepted:
            let accepted = event.kind == .accepted
            let peer = Peers.peerAddress(fd) ?? "a peer"  // gone already when the event is read
            connections.append(Connection(fd: fd, endpoint: event.endpoint, peer: peer, accepted: accepted))
            if !accepted { everConnected.insert(event.endpoint) }
            diagnostics.info(accepted ? "accepted \(peer) on \(event.endpoint)" : "connected to \(event.endpoint)")
        case .handshakeSucceeded:
            guard let i = waiting(for: event.endpoint) else { return }
            connections[i].ready = true
            everReady = true
            handshakes += 1
            retries[connections[i].endpoint] = nil
            failuresInARow[connections[i].endpoint] = nil
            diagnostics.trace("handshake done with \(connections[i].peer)")
        case .handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth:
            let i = waiting(for: event.endpoint)
            let who = i.map { connections[$0].peer } ?? event.endpoint
            let reason = Peers.handshakeReason(event)
            if let i {
                // mark it as having had its outcome, so its end is not taken for a refusal
                connections[i].ready = false
                handshakeDone.insert(connections[i].fd)
            }
            let accepted = i.map { connections[$0].accepted } ?? false
            if !accepted { noteConnectFailure(event, reason: reason) }
            if event.kind == .handshakeFailedNoDetail && acceptsLegacy {
                // how libzmq reports the end of a ZMTP 1.0/2.0 session: there was no handshake to fail
                if !accepted { connectionEndedWithoutHandshake = true }
                reportFailure(event.endpoint, Peers.endWithoutHandshake(who, event))
            } else {
                reportFailure(event.endpoint, "handshake with \(who) failed: \(reason)")
            }
        case .disconnected:
            guard let i = connections.firstIndex(where: { $0.fd == fd }) else { return }
            let connection = connections.remove(at: i)
            let hadOutcome = connection.ready || handshakeDone.remove(fd) != nil
            if !hadOutcome && !connection.accepted && fatalHandshake == nil {
                // libzmq drops a peer that breaks off the greeting (an incompatible socket type, not
                // ZMTP 3) without any handshake event, and does not reconnect
                let types = socketType.compatiblePeers.map(\.description).joined(separator: " or ")
                fatalHandshake = (connection.endpoint,
                                  "the peer closed the connection during the ZMTP handshake: it is not a ZMTP 3 peer, or not a \(types) socket a \(socketType) can talk to",
                                  .failure)
            }
            if !hadOutcome && connection.accepted && refusesLegacy {
                diagnostics.info("refused \(connection.peer) on \(connection.endpoint): not a ZMTP 3 peer (--legacy-zmtp accepts ZMTP 1.0/2.0 peers)")
            } else if connection.accepted {
                diagnostics.info("\(connection.peer) disconnected from \(connection.endpoint)")
            } else {
                diagnostics.info("disconnected from \(connection.endpoint)")
            }
            if connection.ready, let limit = maxMessageSize {
                diagnostics.warnOnce("maxmsgsize", "\(connection.peer) disconnected; a peer that sends a frame over --max-msg-size \(limit) is cut off that way (libzmq drops the frame and tells neither side)")
            }
        case .connectRetried:
            let now = Clock.now()
            var entry = retries[event.endpoint] ?? (0, 0)
            entry.count += 1
            if entry.count == 1 || now - entry.lastReport >= 5000 {
                // a peer that was there (and perhaps refused the handshake) is not "no peer yet"
                let was = everConnected.contains(event.endpoint)
                diagnostics.info(entry.count == 1 ? (was ? "reconnecting to \(event.endpoint) (every \(event.value)ms)"
                                                         : "no peer at \(event.endpoint) yet; retrying every \(event.value)ms")
                                                  : (was ? "still reconnecting to \(event.endpoint) (\(entry.count) attempts)"
                                                         : "still no peer at \(event.endpoint) (\(entry.count) attempts)"))
                entry.lastReport = now
            }
            retries[event.endpoint] = entry
        case .bindFailed:
            break  // zmq_bind itself fails too, and Session says why (or binds the resolved host name)
        case .acceptFailed, .closeFailed:
            diagnostics.warnOnce("\(event.kind.name) \(event.value)", "\(event.kind.name.replacingOccurrences("_", " ")) on \(event.endpoint): \(String(cString: strerror(Int32(bitPattern: event.value))))")
        default:
            break
        }
    }

    private var handshakeDone: Set<Int32> = []

    /// How long a connection may go without a handshake event before it is taken for a ZMTP 1.0/2.0
    /// session (a NULL handshake takes about a millisecond on a LAN), in milliseconds.
    static let legacyGrace = 250

    /// Whether a connect-side connection may carry, or have carried, a ZMTP 1.0/2.0 session, which
    /// takes queued messages with no handshake event: one up `legacyGrace` with no handshake
    /// outcome, or one that ended with HANDSHAKE_FAILED_NO_DETAIL (libzmq keeps what is still
    /// queued then, and reconnects). Never on a socket that refuses such peers.
    var mayHaveLegacyPeer: Bool {
        guard acceptsLegacy else { return false }
        let now = Clock.now()
        return connectionEndedWithoutHandshake || connections.contains {
            !$0.accepted && !$0.ready && !handshakeDone.contains($0.fd) && now - $0.since >= Peers.legacyGrace
        }
    }

    /// What -v says when a connection that had no ZMTP 3 handshake ends (HANDSHAKE_FAILED_NO_DETAIL
    /// on a socket that accepts ZMTP 1.0/2.0 peers).
    static func endWithoutHandshake(_ who: String, _ event: MonitorEvent) -> String {
        let why = switch Int32(bitPattern: event.value) {
        case EPIPE, ECONNRESET: "closed by the peer"
        // libzmq 4.3.4 never stops the handshake timer of a ZMTP 1.0/2.0 session (fixed in 4.3.5)
        case EAGAIN: "libzmq's handshake timeout, which 4.3.4 applies to ZMTP 1.0/2.0 sessions too"
        default: handshakeReason(event)
        }
        return "connection with \(who) ended without a ZMTP 3 handshake (\(why)): a ZMTP 1.0/2.0 peer, or one that broke off the handshake"
    }

    /// A failed connect-side handshake: some failures mean it can never succeed.
    private func noteConnectFailure(_ event: MonitorEvent, reason: String) {
        guard fatalHandshake == nil else { return }
        switch event.kind {
        case .handshakeFailedProtocol, .handshakeFailedAuth:
            fatalHandshake = (event.endpoint, reason, Peers.isSecurity(event) ? .security : .failure)
        default:
            let n = (failuresInARow[event.endpoint] ?? 0) + 1
            failuresInARow[event.endpoint] = n
            if mechanism != 0 && n >= 3 {
                let name = mechanism == 2 ? "CURVE" : mechanism == 1 ? "PLAIN" : "security"
                fatalHandshake = (event.endpoint, "the \(name) handshake failed \(n) times in a row (a wrong server key, or credentials the server refuses?)", .security)
            }
        }
    }

    /// Says a failure under -v, and a run of the same failure once every 5 s with its count.
    private func reportFailure(_ endpoint: String, _ text: String) {
        let now = Clock.now()
        var entry = failureReports[endpoint] ?? (0, 0)
        entry.count += 1
        if entry.count == 1 || now - entry.lastReport >= 5000 {
            diagnostics.info(entry.count == 1 ? text : text + " (\(entry.count) times)")
            entry.lastReport = now
        }
        failureReports[endpoint] = entry
    }

    /// The connection a handshake event belongs to: the one on that endpoint when it is a
    /// connect endpoint, else the oldest accepted one still waiting.
    private func waiting(for endpoint: String) -> Int? {
        let candidates = connections.indices.filter { !connections[$0].ready && !handshakeDone.contains(connections[$0].fd) }
        return candidates.first { !connections[$0].accepted && connections[$0].endpoint == endpoint }
            ?? candidates.first { connections[$0].endpoint == endpoint }
            ?? candidates.first
    }

    static func isSecurity(_ event: MonitorEvent) -> Bool {
        switch event.kind {
        case .handshakeFailedAuth: return true
        case .handshakeFailedProtocol: return event.value & 0xF000_0000 == 0x2000_0000 || (0x1100_0001...0x1100_0002).contains(event.value)
        default: return false
        }
    }

    static func handshakeReason(_ event: MonitorEvent) -> String {
        switch event.kind {
        case .handshakeFailedAuth:
            return "authentication refused (ZAP status \(event.value))"
        case .handshakeFailedProtocol:
            switch event.value {
            case 0x1100_0001: return "cryptographic error (a wrong CURVE key?)"
            case 0x1100_0002: return "security mechanism mismatch (one side uses CURVE or PLAIN, the other does not)"
            case 0x1000_0000...0x1000_0018: return "ZMTP protocol error 0x\(String(event.value, radix: 16))"
            case 0x2000_0000...0x2000_0005: return "ZAP handler error 0x\(String(event.value, radix: 16))"
            default: return "protocol error 0x\(String(event.value, radix: 16))"
            }
        default:
            switch Int32(bitPattern: event.value) {
            case 0: return "no detail"
            case EPIPE, ECONNRESET: return "the peer closed the connection during the handshake"
            case ETIMEDOUT, EAGAIN: return "the handshake timed out"
            case let e: return String(cString: strerror(e)).lowercased()
            }
        }
    }

    /// "127.0.0.1:43210" for a connected socket fd.
    static func peerAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        var host = [CChar](repeating: 0, count: 64)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &host, 64)
                    return Peers.string(host) + ":" + String(UInt16(bigEndian: sin.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &host, 64)
                    return "[" + Peers.string(host) + "]:" + String(UInt16(bigEndian: sin.pointee.sin6_port))
                }
            }
        case AF_UNIX:
            // struct ucred (pid, uid, gid); Glibc hides it behind _GNU_SOURCE
            var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
            var size = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
            if getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0 && credentials.pid > 0 {
                return "process \(credentials.pid)"
            }
            return "a local process"
        default:
            return nil
        }
    }

    static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Bytes this process has queued in the kernel for its peers and not yet seen acknowledged
    /// (`ioctl(SIOCOUTQ)`; zmq-facts: libzmq can lose its last batch at close while these are full).
    func kernelQueued() -> Int {
        var total = 0
        for fd in fds {
            var queued: Int32 = 0
            if ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 { total += Int(queued) }
        }
        return total
    }

    // MARK: - --events json

    private func writeJSON(_ event: MonitorEvent) {
        let now = Clock.now()
        for line in coalescer.pending(at: now) { emitJSON(line, at: now) }
        if let line = coalescer.admit(event, at: now) { emitJSON(line, at: now) }
    }

    /// Writes the lines of events still folded (call at exit).
    func flushCoalesced() {
        let now = Clock.now()
        for line in coalescer.pending(at: nil) { emitJSON(line, at: now) }
    }

    private func emitJSON(_ line: EventCoalescer.Line, at: Int) {
        let (event, repeated) = (line.event, line.repeated)
        let buffer = ByteBuffer(capacity: 128)
        let seconds = at - started
        buffer.append(Array("{\"event\":\"\(event.kind.name)\",\"value\":\(event.value),\"endpoint\":".utf8))
        Array(event.endpoint.utf8).withUnsafeBytes { JSONText.encodeString($0, into: buffer) }
        buffer.append(Array(",\"time\":\(seconds / 1000).\(String(seconds % 1000).leftPadded(3))".utf8))
        if repeated > 0 { buffer.append(Array(",\"repeated\":\(repeated)".utf8)) }
        buffer.append(UInt8(ascii: "}"))
        diagnostics.line(String(decoding: buffer.bytes(0, buffer.count), as: UTF8.self))
    }
}

extension String {
    func leftPadded(_ width: Int, with pad: Character = "0") -> String {
        count >= width ? self : String(repeating: pad, count: width - count) + self
    }

    func replacingOccurrences(_ target: Character, _ replacement: Character) -> String {
        String(map { $0 == target ? replacement : $0 })
    }
}
