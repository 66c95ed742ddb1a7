// One socket option setting of a plan (SocketPlan.swift): an option of the table and its bytes, and
// where it came from. `-o NAME=VALUE` is parsed here: the name looked up in the option table, the
// value turned into the option's bytes and held to what the table says libzmq takes, and the
// words for each refusal, so that a value libzmq would refuse is a usage error before any socket exists.
import ZMQ

/// An option of the table with the bytes `zmq_setsockopt` is given, and where it came from.
struct SocketOptionSetting: Sendable {
    /// Where a setting came from, which decides what a refusal from libzmq means.
    enum Source: Sendable {
        /// `-o NAME=VALUE`.
        case sockopt
        /// A flag that is a plain socket option (its row in Flags.swift says `sets:`), or -s.
        case flag
        /// zswift's own choice for the command or its endpoints (ROUTER_MANDATORY, the ZAP domain).
        case zswift
    }

    let option: AnySocketOption
    let bytes: [UInt8]
    let source: Source
    /// How it was given, for messages: "-o sndbuf=1024", "--hwm 10"; the option's name for zswift's own.
    /// The value of a secret option is never in it: "-o curve_secretkey=(secret)".
    let spelled: String

    init(option: AnySocketOption, bytes: [UInt8], source: Source, spelled: String) {
        self.option = option
        self.bytes = bytes
        self.source = source
        self.spelled = option.isSecret ? Self.withoutValue(spelled) : spelled
    }

    /// `spelled` with its value, if it has one, shown as (secret): "-o NAME=(secret)", "--flag (secret)".
    static func withoutValue(_ spelled: String) -> String {
        if spelled.hasPrefix("-o "), let eq = spelled.firstIndex(of: "=") { return String(spelled[...eq]) + Self.secret }
        if spelled.hasPrefix("-"), let space = spelled.firstIndex(of: " ") { return String(spelled[...space]) + Self.secret }
        return spelled
    }

    /// What a message shows for a secret value.
    static let secret = "(secret)"

    /// One of zswift's own settings.
    static func zswift<V: SocketOptionValue>(_ option: SocketOption<V>, _ value: V) -> SocketOptionSetting {
        let bytes = (try? value.withOptionBytes { Array($0) }) ?? []  // the body cannot throw
        return SocketOptionSetting(option: AnySocketOption(option), bytes: bytes, source: .zswift, spelled: "ZMQ_" + option.name.uppercased())
    }

    static func parse(_ argument: ArgumentValue) throws(UsageError) -> SocketOptionSetting {
        let text = argument.text
        guard let eq = argument.bytes.firstIndex(of: UInt8(ascii: "=")) else {
            // "curve_secretkey:KEY" or "plain_password KEY": the word may hold a secret after its name
            if let secret = SocketOptions.all.first(where: { $0.isSecret && text.lowercased().replacingPrefix("zmq_").hasPrefix($0.name) }) {
                throw UsageError("--sockopt: \(secret.name) must be followed by = and its value, as NAME=VALUE",
                                 hint: "for example -o \(secret.name)=VALUE (the value is never shown)")
            }
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
        let spelled = "-o " + (option.isSecret ? name + "=" + Self.secret : text)
        func bad() -> UsageError {
            UsageError("--sockopt: \(option.name) takes \(option.kind.rawValue), not " + (option.isSecret ? "the value given" : "'\(value)'"),
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
        guard option.accepts(bytes) else {
            let problem = option.isSecret ? Self.problem(with: valueBytes, for: option).map { "; the value \($0)" } ?? "" : ""
            throw UsageError("\(spelled): \(option.name) must be \(option.values.phrase)" + problem, hint: option.values.hint(for: option.name))
        }
        return SocketOptionSetting(option: option, bytes: bytes, source: .sockopt, spelled: spelled)
    }

    /// Why `value` is not what `option` takes, in lengths and positions only (it may be a secret):
    /// "is 41 characters (with white space at an end)", "is 300 bytes"; nil when there is no more to say.
    static func problem(with value: [UInt8], for option: AnySocketOption) -> String? {
        let length = "is \(value.count) byte\(value.count == 1 ? "" : "s")"
        switch option.values {
        case .curveKey:
            // CurveKey.problem counts characters of text; its words after ";" say what a key is, which the message has said
            let text = String(decoding: value, as: UTF8.self)
            guard Array(text.utf8) == value, let problem = CurveKey.problem(with: text) else { return length }
            return problem.split(separator: ";", maxSplits: 1).first.map(String.init)
        case .lengths, .routingID: return length
        default: return nil
        }
    }

    /// Refuses the setting when it does not apply to one of `types`, the sockets `opener` opens
    /// ("pull", "broker --mode queue").
    func check(on types: [SocketType], opener: String) throws(UsageError) {
        guard let type = types.first(where: { !option.applies(to: $0) }), let applicable = option.socketTypes else { return }
        let commands = CommandSet.applying(option).commands.map(\.rawValue)
        throw UsageError("\(spelled): \(opener) opens \(type.withArticle) socket, and \(option.name) applies to "
                         + Self.list(applicable.map(\.description)) + " sockets only",
                         hint: commands.isEmpty ? "no zswift command opens " + Self.list(applicable.map(\.withArticle), "or") + " socket"
                             : "it is for: " + commands.joined(separator: ", "))
    }

    /// The usage error for an option libzmq refused (EINVAL) when a socket of `type` was set up:
    /// the table foresaw no refusal, so this says what libzmq did and where to read why.
    func refused(on type: SocketType) -> UsageError {
        UsageError("\(spelled): libzmq refuses this option on \(type.withArticle) socket",
                   hint: "zmq_setsockopt(3) says which socket types and values ZMQ_\(option.name.uppercased()) takes")
    }

    /// "A", "A and B", "A, B and C" (or "A, B or C").
    static func list(_ words: [String], _ conjunction: String = "and") -> String {
        words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " \(conjunction) " + words.last!
    }
}

extension AnySocketOption {
    /// Whether the option's value is a secret that no message may show: a CURVE secret key, a
    /// PLAIN password.
    var isSecret: Bool { name == SocketOption.curveSecretKey.name || name == SocketOption.plainPassword.name }
}

extension SocketOptionValues {
    /// What a value must be, after "must be": "0 or more", "1 to 255 bytes".
    var phrase: String {
        switch self {
        case .any: "a value libzmq takes"
        case let .integers(range) where range.upperBound == Int64(Int32.max): "\(range.lowerBound) or more"
        case let .integers(range) where range.count <= 3: SocketOptionSetting.list(range.map(String.init), "or")
        case let .integers(range): "\(range.lowerBound) to \(range.upperBound)"
        case let .lengths(range) where range.upperBound == Int.max: "at least \(range.lowerBound) byte\(range.lowerBound == 1 ? "" : "s")"
        case let .lengths(range) where range.lowerBound == 0: "at most \(range.upperBound) bytes"
        case let .lengths(range): "\(range.lowerBound) to \(range.upperBound) bytes"
        case .routingID: "1 to 255 bytes, not starting with a zero byte"
        case .curveKey: "a CURVE key: 40 characters of Z85 text (or 32 bytes)"
        }
    }

    /// How to give a value that is taken.
    func hint(for name: String) -> String {
        switch self {
        case let .integers(range): "for example -o \(name)=\(Swift.min(Swift.max(1000, range.lowerBound), range.upperBound))"
        case .routingID: "for example -o \(name)=client-1"
        case .curveKey: "keys are the Z85 text zmq_curve_keypair(3) makes (python3 -c 'import zmq; print(zmq.curve_keypair())')"
        default: "zmq_setsockopt(3) describes ZMQ_\(name.uppercased())"
        }
    }
}

extension SocketType {
    /// "a PULL", "an XPUB".
    var withArticle: String { (description.hasPrefix("X") ? "an " : "a ") + description }
}
