// What was typed, after each flag's own value check but before any rule that relates flags to
// each other (those live in Invocation.swift). Every field is exactly one flag's doing, but for
// `optionFlags`, which holds what every flag that is a plain socket option set.
import ZMQ

enum HelpLevel: Sendable { case short, long }

/// What a broker relays (--mode).
enum BrokerMode: String, CaseIterable, Sendable {
    case queue, forwarder, streamer, lb, majordomo

    /// The sockets of the two sides.
    var socketTypes: (frontend: SocketType, backend: SocketType) {
        switch self {
        case .lb, .majordomo: (.router, .router)
        case .queue: (.router, .dealer)
        case .forwarder: (.xsub, .xpub)
        case .streamer: (.pull, .push)
        }
    }
}

/// Which of the broker's sides the security flags apply to (--secure).
enum SecuredSides: String, CaseIterable, Sendable {
    case frontend, backend, both
}

/// How `--events` writes monitor events.
enum EventsFormat: String, CaseIterable, Sendable { case json }

struct RawArguments: Sendable {
    var command: Command?
    /// Long names of the flags given, in order (for cross-flag messages).
    var given: [String] = []

    var binds: [String] = []
    var connects: [String] = []
    var positionals: [String] = []
    var execArguments: [String]?
    var legacyZMTP = false

    var format: Format?
    var inFormat: Format?
    var outFormat: Format?
    var nulDelimited = false
    var separator: [UInt8]?
    var data: [[UInt8]] = []
    var file: String?

    var count: Int?
    var interval: Interval?
    var delay: Interval?

    var timeout: Interval?
    var linger: Interval?
    var quitAfter: Interval?
    var waitPeers: Int?
    var waitSubscribers: Int?

    /// What each flag that is a plain socket option (a row with `sets:`) set, by its long name.
    var optionFlags: [String: [SocketOptionSetting]] = [:]
    var subscriptions: [[UInt8]] = []
    var socketOptions: [SocketOptionSetting] = []

    var retries: Int?
    var echo = false
    var exec: String?
    var execTimeout: Interval?

    var frontends: [String] = []
    var backends: [String] = []
    var connectFrontend = false
    var connectBackend = false
    var mode: BrokerMode?
    var capture = false

    var certificate: String?
    var metadata: [Certificate.Entry] = []

    var curveServer = false
    var curveSecretKey: String?
    var curveServerKey: String?
    /// probe's --format.
    var probeFormat: ProbeFormat?
    /// bench's --format, --size and --transport.
    var benchFormat: BenchFormat?
    var benchSize: Int?
    var benchTransport: BenchTransport?
    /// bench's load flags: --rate, --duration, --clients.
    var benchRate: Double?
    var benchDuration: Interval?
    var benchClients: Int?
    /// --heartbeat (broker lb and majordomo, worker) and --service (worker, req).
    var heartbeat: Interval?
    var service: String?
    var curveAllow: [String] = []
    var plainServer = false
    var plainUsers: String?
    var plainUser: String?
    var allow: [String] = []
    var deny: [String] = []
    var secure: SecuredSides?

    var verbosity = 0
    var stats = false
    var statsInterval: Interval?
    var events: EventsFormat?

    var help: HelpLevel?
    var version = false

    func gave(_ long: String) -> Bool { given.contains(long) }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
