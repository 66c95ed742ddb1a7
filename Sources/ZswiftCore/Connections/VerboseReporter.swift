// What zswift says about its connections on stderr: -v notes (connected, accepted, refused,
// disconnected, retrying, failed handshakes), -vv traces, and the warnings every run gives. It
// words ConnectionTracker's changes; a run of one failure or retry is said once every 5 s.
import Glibc
import ZMQ

struct VerboseReporter {
    /// Milliseconds between two notes about the same endpoint's retries or failed handshakes.
    static let repeatEvery = RepeatCounter.every

    let diagnostics: Diagnostics
    /// Per endpoint: how many retries, or failures, so far, and when the last note was given.
    private var retries = RepeatCounter()
    private var failures = RepeatCounter()
    /// Per endpoint and peer host: when a handshake accepted from it last failed. Its next
    /// connections within 5 s are not said one by one (a client retrying a wrong key every
    /// 100 ms): the failure's own note, said once every 5 s with its count, stands for them.
    private var failingPeers: [String: Int] = [:]

    /// Whether zswift's own ZAP handler says why it refused a peer (Security/AccessReporter.swift):
    /// then the refusal libzmq reports as a failed handshake is not said twice.
    var refusalsExplained = false
    /// The watched socket's type and mechanism, for the words of a refusal.
    var socketType: SocketType?
    var mechanism = Mechanism.null

    init(diagnostics: Diagnostics) { self.diagnostics = diagnostics }

    /// Says what `change`, made at `now` (milliseconds), calls for.
    mutating func report(_ change: ConnectionChange, at now: Int) {
        switch change {
        case let .connected(connection):
            diagnostics.info("connected to \(connection.endpoint)")
        case let .accepted(connection):
            if let failed = failingPeers[VerboseReporter.peerKey(connection)], now - failed < VerboseReporter.repeatEvery { break }
            diagnostics.info("accepted \(connection.who) on \(connection.endpoint)")
        case let .handshakeSucceeded(connection):
            retries.reset(connection.endpoint)
            diagnostics.trace("handshake done with \(connection.who)")
        case let .handshakeFailed(connection, _, .authentication) where refusalsExplained:
            if let connection, connection.accepted { failingPeers[VerboseReporter.peerKey(connection)] = now }
        case let .handshakeFailed(connection, endpoint, failure):
            if let connection, connection.accepted { failingPeers[VerboseReporter.peerKey(connection)] = now }
            noteFailure(endpoint, failure.reason, "handshake with \(connection?.who ?? endpoint) failed: \(failure.reason)", at: now)
        case let .endedWithoutHandshake(connection, endpoint, errno):
            noteFailure(endpoint, "ended", VerboseReporter.endWithoutHandshake(connection?.who ?? endpoint, errno: errno), at: now)
        case let .refused(connection):
            failingPeers[VerboseReporter.peerKey(connection)] = now
            noteFailure(connection.endpoint, "refused", refusal(connection), at: now)
        case let .disconnected(connection) where connection.accepted && connection.handshake == .failed:
            _ = connection  // its failed handshake was said (or counted): that is why it ended
        case let .disconnected(connection):
            diagnostics.info(connection.accepted ? "\(connection.who) disconnected from \(connection.endpoint)"
                                                 : "disconnected from \(connection.endpoint)")
        case let .possiblyOversized(connection, limit):
            diagnostics.warnOnce("maxmsgsize", "\(connection.who) disconnected; a peer that sends a frame over --max-msg-size \(limit) is cut off that way (libzmq drops the frame and tells neither side)")
        case let .retrying(endpoint, interval, reconnecting):
            noteRetry(endpoint, interval: interval, reconnecting: reconnecting, at: now)
        case let .socketError(kind, endpoint, errno):
            let what = String(kind.name.map { $0 == "_" ? " " : $0 })
            diagnostics.warnOnce("\(kind.name) \(UInt32(bitPattern: errno))", "\(what) on \(endpoint): \(String(cString: strerror(errno)))")
        case .observed, .fatalHandshake, .socketGone:
            break  // --events shows the first; the run ends on the second, and says why
        }
    }

    /// A connection's endpoint and its peer's host without the port: a client that connects
    /// again comes from another port.
    static func peerKey(_ connection: Connection) -> String {
        guard let peer = connection.peer else { return connection.endpoint }
        var host = Substring(peer)
        if let colon = peer.lastIndex(of: ":") {
            let port = peer[peer.index(after: colon)...]
            if !port.isEmpty && port.allSatisfy(\.isNumber) { host = peer[..<colon] }
        }
        return connection.endpoint + " " + host
    }

    /// Says a retry under -v, and a run of them once every 5 s with its count.
    private mutating func noteRetry(_ endpoint: String, interval: UInt32, reconnecting: Bool, at now: Int) {
        guard let count = retries.count(endpoint, at: now) else { return }
        // a peer that was there (and perhaps refused the handshake) is not "no peer yet"
        diagnostics.info(count == 1
            ? (reconnecting ? "reconnecting to \(endpoint) (every \(interval)ms)"
                            : "no peer at \(endpoint) yet; retrying every \(interval)ms")
            : (reconnecting ? "still reconnecting to \(endpoint) (\(count) attempts)"
                            : "still no peer at \(endpoint) (\(count) attempts)"))
    }

    /// Why an accepted connection ended with no handshake event. Under NULL, libzmq refused a
    /// peer that is not ZMTP 3, or whose socket type does not go with this one; under CURVE or
    /// PLAIN, a handshake was broken off (a flood of them outruns the events that say why).
    func refusal(_ connection: Connection) -> String {
        let types = socketType.map { "a socket type a \($0) cannot talk to" } ?? "a socket type that does not fit"
        guard mechanism == .null else {
            return "connection from \(connection.who) on \(connection.endpoint) ended before its \(mechanism) handshake completed (a wrong key, another mechanism, or \(types))"
        }
        return "refused \(connection.who) on \(connection.endpoint): not a ZMTP 3 peer, or \(types) (--legacy-zmtp accepts ZMTP 1.0/2.0 peers)"
    }

    /// Says a failure under -v, and a run of the same kind of failure (`kind`) on one endpoint
    /// once every 5 s with its count.
    private mutating func noteFailure(_ endpoint: String, _ kind: String, _ text: String, at now: Int) {
        guard let count = failures.count(endpoint + " " + kind, at: now) else { return }
        diagnostics.info(count == 1 ? text : text + " (\(count) times)")
    }

    /// What -v says when a connection that had no ZMTP 3 handshake ends (HANDSHAKE_FAILED_NO_DETAIL
    /// on a socket that accepts ZMTP 1.0/2.0 peers).
    static func endWithoutHandshake(_ who: String, errno: Int32) -> String {
        let why = switch errno {
        case EPIPE, ECONNRESET: "closed by the peer"
        // libzmq 4.3.4 never stops the handshake timer of a ZMTP 1.0/2.0 session (fixed in 4.3.5)
        case EAGAIN: "libzmq's handshake timeout, which 4.3.4 applies to ZMTP 1.0/2.0 sessions too"
        default: HandshakeFailure.noDetail(errno: errno).reason
        }
        return "connection with \(who) ended without a ZMTP 3 handshake (\(why)): a ZMTP 1.0/2.0 peer, or one that broke off the handshake"
    }
}

// MARK: - Words for the tracker's values

extension Connection {
    /// The peer's address, or "a peer" when it was gone before its event was read.
    var who: String { peer ?? "a peer" }
}

extension HandshakeFailure {
    /// Why a handshake failed, in words.
    var reason: String {
        switch self {
        case let .authentication(status):
            return "authentication refused (ZAP status \(status))"
        case let .protocolError(error):
            let code = "0x\(String(error.rawValue, radix: 16))"
            if error == .cryptographic { return "cryptographic error (a wrong CURVE key?)" }
            if error == .mechanismMismatch { return "security mechanism mismatch (one side uses CURVE or PLAIN, the other does not)" }
            if error.isZMTP { return "ZMTP protocol error \(code)" }
            if error.isZAP { return "ZAP handler error \(code)" }
            return "protocol error \(code)"
        case let .noDetail(errno):
            switch errno {
            case 0: return "no detail"
            case EPIPE, ECONNRESET: return "the peer closed the connection during the handshake"
            case ETIMEDOUT, EAGAIN: return "the handshake timed out"
            default: return String(cString: strerror(errno)).lowercased()
            }
        }
    }
}

extension FatalHandshake {
    /// Why the handshake cannot succeed, in words (after "handshake with ENDPOINT failed: ").
    var reason: String {
        switch cause {
        case let .failure(failure):
            return failure.reason
        case let .repeatedFailures(mechanism, count):
            let times = count == 1 ? "" : " \(count) times in a row"
            switch mechanism {
            case .curve:
                return "the server closed the connection during the CURVE handshake\(times): it could not decrypt this client's HELLO (the server key given is not the server's), or it is no CURVE server, or its socket type does not go with this one"
            case .null:
                return "the server closed the connection during the handshake\(times): it refuses this client (an address list or a ZAP handler?), or it wants a security mechanism"
            default:
                return "the \(mechanism) handshake failed\(times) (credentials or a mechanism the server does not take?)"
            }
        case let .incompatiblePeer(type):
            let types = type.compatiblePeers.map(\.description).joined(separator: " or ")
            return "the peer closed the connection during the ZMTP handshake: it is not a ZMTP 3 peer, or not a \(types) socket a \(type) can talk to"
        }
    }
}
