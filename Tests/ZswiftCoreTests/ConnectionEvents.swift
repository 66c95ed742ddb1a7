// Synthetic monitor events for the connection tests, as libzmq 4.3.4 sends them: a tracker with
// canned peer names, fed at chosen times, with what -v (or --events) says captured in a file.
import Glibc
import ZMQ
@testable import ZswiftCore

let bound = "tcp://127.0.0.1:5555"
let remote = "tcp://127.0.0.1:6666"

/// The canned name of fd N's peer: "192.0.2.N:4000"; fd -1 has none (gone before it was asked).
func cannedName(_ fd: Int32) -> String? { fd < 0 ? nil : "192.0.2.\(fd):4000" }

func event(_ kind: MonitorEvent.Kind, _ value: UInt32 = 0, _ endpoint: String) -> MonitorEvent {
    MonitorEvent(kind: kind, value: value, endpoint: endpoint)
}

extension ConnectionTracker.Settings {
    /// A NULL socket; `refusing`: zswift set its ZAP domain, so libzmq refuses ZMTP 1.0/2.0 peers.
    static func null(_ type: SocketType = .push, refusing: Bool = false) -> Self {
        .init(type: type, mechanism: .null, acceptsLegacy: !refusing, refusesLegacy: refusing)
    }

    /// A CURVE socket: never lets ZMTP 1.0/2.0 peers in.
    static func curve(_ type: SocketType = .push) -> Self {
        .init(type: type, mechanism: .curve, acceptsLegacy: false, refusesLegacy: false)
    }
}

/// The connection a tracker with canned names makes of fd `fd`.
func connection(_ fd: Int32, on endpoint: String = bound, accepted: Bool = true, at since: Int,
                _ handshake: Connection.Handshake = .pending) -> Connection {
    Connection(fd: fd, endpoint: endpoint, peer: cannedName(fd), accepted: accepted, since: since, handshake: handshake)
}

/// The changes without the `.observed` echo of each event (what --events shows).
func withoutEcho(_ changes: [ConnectionChange]) -> [ConnectionChange] {
    changes.filter { if case .observed = $0 { false } else { true } }
}

/// A tracker whose changes go through the -v reporter into a file, one clock for both.
final class Rig {
    var tracker: ConnectionTracker
    var reporter: VerboseReporter
    let log = CapturedOutput()
    var now = 0

    init(_ settings: ConnectionTracker.Settings, verbosity: Int = 1) {
        tracker = ConnectionTracker(settings, peerName: cannedName)
        reporter = VerboseReporter(diagnostics: Diagnostics(fd: log.fd, verbosity: verbosity))
        reporter.socketType = settings.type
        reporter.mechanism = settings.mechanism
    }

    /// Feeds one event `after` milliseconds; returns its changes but the echo.
    @discardableResult
    func feed(_ kind: MonitorEvent.Kind, _ value: UInt32 = 0, _ endpoint: String, after: Int = 1) -> [ConnectionChange] {
        now += after
        let changes = tracker.handle(event(kind, value, endpoint), at: now)
        for change in changes { reporter.report(change, at: now) }
        return withoutEcho(changes)
    }

    /// A connect-side connection on fd `fd` whose handshake fails with no detail (`errno`), then
    /// ends, then libzmq retries: one turn of a reconnect loop.
    func failedTurn(_ fd: UInt32, errno: Int32 = EPIPE, on endpoint: String = remote) {
        feed(.connected, fd, endpoint, after: 100)
        feed(.handshakeFailedNoDetail, UInt32(errno), endpoint)
        feed(.disconnected, fd, endpoint)
        feed(.connectRetried, 100, endpoint)
    }

    /// Every line said so far.
    var said: [String] {
        (try? log.contents()).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) } ?? []
    }
}
