// What was typed, after each flag's own value check but before any rule that relates flags to
// each other (those live in Invocation.swift). Every field is exactly one flag's doing.
import ZMQ

enum HelpLevel: Sendable { case short, long }

/// What a broker relays (--mode).
enum BrokerMode: String, CaseIterable, Sendable { case queue, forwarder, streamer }

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

    var highWaterMark: Int32?
    var sendHighWaterMark: Int32?
    var receiveHighWaterMark: Int32?
    var identity: [UInt8]?
    var subscriptions: [[UInt8]] = []
    var conflate = false
    var immediate = false
    var ipv6 = false
    var reconnectInterval: Interval?
    var heartbeat: Interval?
    var maxMessageSize: Int64?
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

    var verbosity = 0
    var stats = false
    var statsInterval: Interval?
    var events: EventsFormat?

    var help: HelpLevel?
    var version = false

    func gave(_ long: String) -> Bool { given.contains(long) }
}

/// A `-o NAME=VALUE` setting with the name found in the option table and the value converted to
/// the option's bytes.
struct SocketOptionSetting: Sendable {
    let option: AnySocketOption
    let bytes: [UInt8]
    let text: String

    static func parse(_ argument: ArgumentValue) throws(UsageError) -> SocketOptionSetting {
        let text = argument.text
        guard let eq = argument.bytes.firstIndex(of: UInt8(ascii: "=")) else {
            throw UsageError("--sockopt: '\(text)' is not NAME=VALUE", hint: "for example -o tcp_keepalive=1 or -o ZMQ_SNDBUF=1048576")
        }
        let name = String(decoding: argument.bytes[..<eq], as: UTF8.self)
        let valueBytes = Array(argument.bytes[(eq + 1)...])
        let value = String(decoding: valueBytes, as: UTF8.self)
        guard let option = SocketOptions.named(name) else {
            let names = SocketOptions.all.filter(\.writable).map(\.name)
            let near = NearMiss.suggestion(for: name.lowercased().replacingPrefix("zmq_"), among: names)
            throw UsageError("--sockopt: unknown socket option '\(name)'",
                             hint: near.map { "did you mean \($0)?" } ?? "names are libzmq's, with or without ZMQ_: sndbuf, tcp_keepalive, ...")
        }
        guard option.writable else {
            throw UsageError("--sockopt: \(option.name) can only be read, not set")
        }
        func bad() -> UsageError {
            UsageError("--sockopt: \(option.name) takes \(option.kind.rawValue), not '\(value)'",
                       hint: "for example -o \(option.name)=\(option.kind == .boolean ? "1" : "1000")")
        }
        var bytes: [UInt8]
        switch option.kind {
        case .int32:
            guard let v = Int32(value) else { throw bad() }
            bytes = withUnsafeBytes(of: v) { Array($0) }
        case .int64:
            guard let v = Int64(value) else { throw bad() }
            bytes = withUnsafeBytes(of: v) { Array($0) }
        case .uint64:
            guard let v = UInt64(value) else { throw bad() }
            bytes = withUnsafeBytes(of: v) { Array($0) }
        case .boolean:
            let v: Int32
            switch value.lowercased() {
            case "1", "true", "yes", "on": v = 1
            case "0", "false", "no", "off": v = 0
            default: throw bad()
            }
            bytes = withUnsafeBytes(of: v) { Array($0) }
        case .string, .bytes:
            bytes = valueBytes
        }
        return SocketOptionSetting(option: option, bytes: bytes, text: text)
    }
}

extension String {
    func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
