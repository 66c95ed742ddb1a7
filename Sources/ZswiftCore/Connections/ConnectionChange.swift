// What ConnectionTracker reports, as values: each monitor event becomes a few typed changes that
// the -v and --events reporters turn into words, and that a run acts on (a fatal handshake ends
// it). Nothing here prints or reads the clock.
import ZMQ

/// One connection of the watched socket, from CONNECTED/ACCEPTED to DISCONNECTED.
struct Connection: Equatable, Sendable {
    enum Handshake: Equatable, Sendable { case pending, succeeded, failed }

    let fd: Int32
    /// The endpoint it came through, named as the user gave it (for accepted ones, the bound one).
    let endpoint: String
    /// "127.0.0.1:43210", "process 1234"; nil when the peer was gone before the event was read.
    let peer: String?
    /// Accepted on a bound endpoint, rather than made to a connect endpoint.
    let accepted: Bool
    /// When it was made, in the caller's milliseconds.
    let since: Int
    var handshake = Handshake.pending

    /// Whether it completed the ZMTP handshake.
    var ready: Bool { handshake == .succeeded }
}

/// A connect-side handshake that cannot succeed: libzmq would retry, or drop the messages, in
/// silence (zmq-facts.md), so the run ends.
struct FatalHandshake: Equatable, Sendable {
    enum Cause: Equatable, Sendable {
        /// A protocol or authentication failure: the server said no.
        case failure(HandshakeFailure)
        /// Handshakes under a security mechanism that failed with no detail, this many in a row:
        /// how a wrong CURVE server key shows.
        case repeatedFailures(Mechanism, count: Int)
        /// The peer closed the connection during the greeting with no handshake event: not a
        /// ZMTP 3 peer, or a socket type this one cannot talk to.
        case incompatiblePeer(SocketType)
    }

    let endpoint: String
    let cause: Cause

    /// 4 when security refused the handshake, 1 for an incompatible peer.
    var status: ExitStatus {
        switch cause {
        case let .failure(failure): failure.isSecurity ? .security : .failure
        case .repeatedFailures: .security
        case .incompatiblePeer: .failure
        }
    }
}

/// What changed with one monitor event.
enum ConnectionChange: Equatable, Sendable {
    /// The event itself, its endpoint named as the user gave it: every event but the socket's own
    /// end (what --events shows). `connection` is the fd of the connection it is about, when
    /// known: the event's own for connection events, the one it was matched to for a handshake
    /// event (which carries none), so that events about different connections stay apart.
    case observed(MonitorEvent, connection: Int32?)
    case connected(Connection)
    case accepted(Connection)
    case handshakeSucceeded(Connection)
    /// A handshake failed; `connection` is nil when none was waiting for one.
    case handshakeFailed(Connection?, endpoint: String, HandshakeFailure)
    /// HANDSHAKE_FAILED_NO_DETAIL on a socket that lets ZMTP 1.0/2.0 peers in: how libzmq 4.3.4
    /// reports the end of such a session (it has no handshake to fail), or a ZMTP 3 handshake
    /// broken off. A legacy peer may have taken messages.
    case endedWithoutHandshake(Connection?, endpoint: String, errno: Int32)
    /// An accepted connection ended with no handshake event on a socket that refuses ZMTP 1.0/2.0
    /// peers: libzmq refused it as not a ZMTP 3 peer.
    case refused(Connection)
    case disconnected(Connection)
    /// A connection that had completed its handshake ended on a socket with a --max-msg-size: a
    /// frame over the limit cuts a peer off that way.
    case possiblyOversized(Connection, limit: Int64)
    /// A connect endpoint has no peer and retries every `interval` milliseconds; `reconnecting`
    /// when a peer was connected there before.
    case retrying(endpoint: String, interval: UInt32, reconnecting: Bool)
    /// A connect-side handshake that cannot succeed (the first one only).
    case fatalHandshake(FatalHandshake)
    /// accept(2) or close(2) failed on an endpoint (kind .acceptFailed or .closeFailed).
    case socketError(MonitorEvent.Kind, endpoint: String, errno: Int32)
    /// The socket is closed and every session done (MONITOR_STOPPED).
    case socketGone
}
