// A flag that is a plain socket option says so in its table row (`sets:`): which options its value
// sets and how the value maps to each. The parser stores what such a row makes, and Invocation puts
// it in each socket's plan (SocketPlan.swift), so such a flag is one row in Flags.swift and no more.
import ZMQ

/// How a flag's value becomes socket option settings.
struct OptionFlag: Sendable {
    /// Which sockets get the settings.
    enum Sockets: Sendable {
        /// Every socket the command opens.
        case all
        /// The sockets of commands that receive (print what arrives): libzmq checks ZMTP handshake
        /// commands against ZMQ_MAXMSGSIZE too, so a sender's socket does not get it.
        case receiving
    }

    /// The options, in the order they are set.
    let options: [AnySocketOption]
    let sockets: Sockets
    /// Each option's value, as the bytes `zmq_setsockopt` takes, from the value typed after
    /// `--flag` (none for a value that sets nothing, as --heartbeat inf); throws when it is malformed.
    let values: @Sendable (_ value: ArgumentValue, _ flag: String) throws(UsageError) -> [[UInt8]]

    /// The settings `--flag value` makes.
    func settings(_ value: ArgumentValue, flag: String) throws(UsageError) -> [SocketOptionSetting] {
        let spelled = "--\(flag)" + (value.bytes.isEmpty ? "" : " \(value.text)")
        return try zip(options, values(value, flag)).map {
            SocketOptionSetting(option: $0, bytes: $1, source: .flag, spelled: spelled)
        }
    }
}

// MARK: - How values map

extension OptionFlag {
    /// A number of messages, 0 or more, for each of `options` (--hwm sets two).
    static func count(_ options: SocketOption<Int32>...) -> OptionFlag {
        OptionFlag(options: options.map { AnySocketOption($0) }, sockets: .all) { value, flag throws(UsageError) in
            let count = Int32(clamping: try Values.count(value.text, flag: flag))
            return Array(repeating: optionBytes(count), count: options.count)
        }
    }

    /// A switch: given, it turns `option` on.
    static func on(_ option: SocketOption<Bool>) -> OptionFlag {
        OptionFlag(options: [AnySocketOption(option)], sockets: .all) { _, _ throws(UsageError) in [optionBytes(Int32(1))] }
    }

    /// A duration, in milliseconds (inf: -1).
    static func duration(_ option: SocketOption<Int32>) -> OptionFlag {
        OptionFlag(options: [AnySocketOption(option)], sockets: .all) { value, flag throws(UsageError) in
            [optionBytes(try Interval.parse(value.text, flag: flag).zmqMilliseconds)]
        }
    }

    /// A size in bytes (64k, 1M), clamped to the option's integer type.
    static func size<V: SocketOptionValue & FixedWidthInteger>(_ option: SocketOption<V>, for sockets: Sockets = .all) -> OptionFlag {
        OptionFlag(options: [AnySocketOption(option)], sockets: sockets) { value, flag throws(UsageError) in
            [optionBytes(V(clamping: try Values.bytes(value.text, flag: flag)))]
        }
    }

    /// The bytes typed, held to what libzmq takes for `option`: "--identity: an identity must be ...".
    static func bytes(_ option: SocketOption<[UInt8]>, noun: String, example: String) -> OptionFlag {
        OptionFlag(options: [AnySocketOption(option)], sockets: .all) { value, flag throws(UsageError) in
            guard option.values.accept(value.bytes, kind: .bytes) else {
                throw UsageError("--\(flag): \(noun) must be \(option.values.phrase)", hint: "for example --\(flag) \(example)")
            }
            return [value.bytes]
        }
    }

    /// --heartbeat: ZMQ_HEARTBEAT_IVL every DURATION, and a peer silent for three of them is
    /// dropped (ZMQ_HEARTBEAT_TIMEOUT here, ZMQ_HEARTBEAT_TTL for the peer, which libzmq keeps in
    /// 16 bits of deciseconds). For ever sets none of them.
    static var heartbeat: OptionFlag {
        let options = [AnySocketOption(SocketOption.heartbeatInterval), AnySocketOption(SocketOption.heartbeatTimeout),
                       AnySocketOption(SocketOption.heartbeatTTL)]
        return OptionFlag(options: options, sockets: .all) { value, flag throws(UsageError) in
            guard let ms = try Interval.parse(value.text, flag: flag).milliseconds else { return [] }
            return [Int32(clamping: ms), Int32(clamping: ms * 3), Int32(clamping: min(ms * 3, 6_553_500))].map(optionBytes)
        }
    }

    /// An integer's bytes as `zmq_setsockopt` takes them.
    private static func optionBytes<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value) { Array($0) }
    }
}
