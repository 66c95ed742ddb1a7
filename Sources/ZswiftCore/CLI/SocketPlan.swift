// Each socket's options as a plan, in the order they are set: zswift's own for the command and its
// endpoints, then what the socket-option flags set (in table order, so --sndhwm overrides --hwm),
// then -o's, which have the last word. One loop applies a plan: Runtime/SocketPlan+Apply.swift.
import ZMQ

/// The ZAP domain a bound socket sets so that libzmq refuses ZMTP 1.0/2.0 peers (zmq-facts.md).
let refusingDomain = "zswift"

/// The ZAP domain of the sockets the security flags apply to: zswift's ZAP handler checks
/// only those (it lets the sockets of `refusingDomain` in unchecked).
let securedDomain = "zswift-secured"

/// The options one socket gets, in the order they are set, and the messages an XSUB subscribes with.
struct SocketPlan: Sendable {
    var settings: [SocketOptionSetting]
    /// XSUB subscriptions (\x01PREFIX), sent once the options are set: an XSUB subscribes by
    /// sending, keeps them and sends them to every new peer.
    var subscriptionMessages: [[UInt8]] = []
}

/// The socket options of a command line: what the socket-option flags and -o set, and zswift's own
/// choices that follow from the command and its endpoints, applied before any bind or connect.
struct SocketSettings: Sendable {
    /// zswift's own settings that other flags or the endpoints imply.
    var implied: [SocketOptionSetting] = []
    /// What the flags that are plain socket options set, in table order, for this command's sockets.
    var flagged: [SocketOptionSetting] = []
    var subscriptions: [[UInt8]] = []
    /// -o NAME=VALUE, in the order given.
    var custom: [SocketOptionSetting] = []

    // The values other rules read.
    /// --max-msg-size, which also bounds what a sender reads.
    var maxMessageSize: Int64?
    /// --conflate, which keeps only one frame of a multipart message.
    var conflate = false
    /// --ipv6, or an IPv6 endpoint: host names may resolve to IPv6 addresses.
    var ipv6 = false
    /// --identity.
    var identity: [UInt8]?

    init(_ raw: RawArguments, command: Command, endpoints: [Endpoint]) {
        var given: [SocketOptionSetting] = []  // every flag's, those for receiving sockets only too
        for flag in Flag.all {
            guard let sets = flag.sets, let settings = raw.optionFlags[flag.long] else { continue }
            given += settings
            if sets.sockets == .all || command.writesOutput { flagged += settings }
        }
        maxMessageSize = given.last(of: .maxMessageSize)
        conflate = given.isOn(.conflate)
        identity = given.last(of: .routingID)
        ipv6 = given.isOn(.ipv6) || endpoints.contains(where: \.usesIPv6)
        if ipv6 && !given.isOn(.ipv6) { implied.append(.zswift(.ipv6, true)) }
        // a req that connects to several servers asks only those it is connected to: a dead one
        // would otherwise get every other request, each costing a --timeout
        if command == .req && endpoints.filter({ $0.role == .connect }).count > 1 && !given.isOn(.immediate) {
            implied.append(.zswift(.immediate, true))
        }
        subscriptions = raw.subscriptions
        custom = raw.socketOptions
    }
}

extension Invocation {
    /// The plan of one of this command's sockets, which binds (`binding`) or only connects: the ZAP
    /// domain that refuses old-protocol peers on a bound socket, the security flags' mechanism and
    /// keys, what the command always sets, what the endpoints imply, the flags' settings, a SUB's
    /// subscriptions, then -o's.
    /// `secured`: the socket gets what the security flags ask (every socket but a broker side
    /// that --secure leaves out).
    func socketPlan(binding: Bool, secured: Bool = true) -> SocketPlan {
        var settings: [SocketOptionSetting] = []
        let security = secured ? self.security.socketSettings : []
        let setsDomain = security.contains { $0.option.code == SocketOption.zapDomain.code }
        if binding && !legacyZMTP && !setsDomain { settings.append(.zswift(.zapDomain, refusingDomain)) }
        settings += security
        settings += command.spec.alwaysSets
        settings += socket.implied + socket.flagged
        if command.spec.subscribes == .byOption {
            if socket.subscriptions.isEmpty { settings.append(.zswift(.subscribe, [])) }
            for prefix in socket.subscriptions {
                let spelled = "--subscribe " + String(decoding: prefix, as: UTF8.self)
                settings.append(SocketOptionSetting(option: AnySocketOption(SocketOption.subscribe), bytes: prefix, source: .flag, spelled: spelled))
            }
        }
        settings += socket.custom
        return SocketPlan(settings: settings, subscriptionMessages: command.spec.subscribes == .byMessage ? socket.subscriptions.map { [1] + $0 } : [])
    }
}

extension [SocketOptionSetting] {
    /// The value the last setting of `option` gives it, or nil when none sets it.
    func last(of option: SocketOption<Int64>) -> Int64? {
        last { $0.option.code == option.code }.map { $0.bytes.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) } }
    }

    /// The bytes the last setting of `option` gives it, or nil when none sets it.
    func last(of option: SocketOption<[UInt8]>) -> [UInt8]? {
        last { $0.option.code == option.code }?.bytes
    }

    /// Whether the last setting of `option` turns it on.
    func isOn(_ option: SocketOption<Bool>) -> Bool {
        last { $0.option.code == option.code }.map { $0.bytes.contains { $0 != 0 } } ?? false
    }
}
