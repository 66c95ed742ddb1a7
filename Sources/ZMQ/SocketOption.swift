// Socket options from one table: each option is declared once, with its C code, value type, the
// values and socket types libzmq takes it with, and `SocketOptions.all` lists them for name lookup
// (`-o NAME=VALUE`). No CLI knowledge here.
import CZMQ

/// How an option's value travels through `zmq_setsockopt`/`zmq_getsockopt`.
public enum SocketOptionKind: String, Sendable {
    case int32 = "integer", int64 = "64-bit integer", uint64 = "unsigned 64-bit integer"
    case boolean = "0 or 1", string = "text", bytes = "bytes"
}

/// A value type a socket option can hold.
public protocol SocketOptionValue: Sendable {
    static var kind: SocketOptionKind { get }
    func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R
    static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> Self
}

/// A typed socket option. The corresponding C constants are `ZMQ_LINGER`, `ZMQ_SNDHWM`, ...
public struct SocketOption<Value: SocketOptionValue>: Sendable {
    public let code: Int32
    /// The libzmq name without `ZMQ_`, lower case: "linger", "sndhwm".
    public let name: String
    public let readable: Bool
    public let writable: Bool
    /// The values `zmq_setsockopt` takes.
    public let values: SocketOptionValues
    /// The socket types the option applies to; nil for every type.
    public let socketTypes: [SocketType]?
    public init(_ code: Int32, _ name: String, readable: Bool = true, writable: Bool = true,
                values: SocketOptionValues = .any, on socketTypes: [SocketType]? = nil) {
        self.code = code
        self.name = name
        self.readable = readable
        self.writable = writable
        self.values = values
        self.socketTypes = socketTypes
    }
}

// MARK: - Value types

extension Int32: SocketOptionValue {
    public static var kind: SocketOptionKind { .int32 }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        var value = self
        return try withUnsafeBytes(of: &value) { (raw) throws(ZMQError) -> R in try body(raw) }
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> Int32 {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        _ = try retryingInterrupts { zmq_getsockopt(socket, code, &value, &size) }
        return value
    }
}

extension Int64: SocketOptionValue {
    public static var kind: SocketOptionKind { .int64 }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        var value = self
        return try withUnsafeBytes(of: &value) { (raw) throws(ZMQError) -> R in try body(raw) }
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> Int64 {
        var value: Int64 = 0
        var size = MemoryLayout<Int64>.size
        _ = try retryingInterrupts { zmq_getsockopt(socket, code, &value, &size) }
        return value
    }
}

extension UInt64: SocketOptionValue {
    public static var kind: SocketOptionKind { .uint64 }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        var value = self
        return try withUnsafeBytes(of: &value) { (raw) throws(ZMQError) -> R in try body(raw) }
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> UInt64 {
        var value: UInt64 = 0
        var size = MemoryLayout<UInt64>.size
        _ = try retryingInterrupts { zmq_getsockopt(socket, code, &value, &size) }
        return value
    }
}

extension Bool: SocketOptionValue {
    public static var kind: SocketOptionKind { .boolean }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        try Int32(self ? 1 : 0).withOptionBytes(body)
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> Bool {
        try Int32.read(from: socket, code: code) != 0
    }
}

extension String: SocketOptionValue {
    public static var kind: SocketOptionKind { .string }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        try Array(utf8).withOptionBytes(body)
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> String {
        // CURVE keys come back as Z85 text only into a buffer of exactly 41 bytes (zmq_getsockopt(3))
        let curveKeys = [ZMQ_CURVE_PUBLICKEY, ZMQ_CURVE_SECRETKEY, ZMQ_CURVE_SERVERKEY]
        let bytes = try [UInt8].read(from: socket, code: code, capacity: curveKeys.contains(code) ? 41 : 4096)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }
}

extension Array: SocketOptionValue where Element == UInt8 {
    public static var kind: SocketOptionKind { .bytes }
    public func withOptionBytes<R>(_ body: (UnsafeRawBufferPointer) throws(ZMQError) -> R) throws(ZMQError) -> R {
        let result = withUnsafeBytes { raw in Result { () throws(ZMQError) -> R in try body(raw) } }
        return try result.get()
    }
    public static func read(from socket: UnsafeMutableRawPointer, code: Int32) throws(ZMQError) -> [UInt8] {
        try read(from: socket, code: code, capacity: 4096)
    }

    static func read(from socket: UnsafeMutableRawPointer, code: Int32, capacity: Int) throws(ZMQError) -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: capacity)
        var size = buffer.count
        _ = try retryingInterrupts { zmq_getsockopt(socket, code, &buffer, &size) }
        return Array(buffer.prefix(size))
    }
}

// MARK: - The table

public extension SocketOption where Value == Int32 {
    static var linger: Self { .init(ZMQ_LINGER, "linger", values: .atLeast(-1)) }
    static var sendHighWaterMark: Self { .init(ZMQ_SNDHWM, "sndhwm", values: .atLeast(0)) }
    static var receiveHighWaterMark: Self { .init(ZMQ_RCVHWM, "rcvhwm", values: .atLeast(0)) }
    static var sendBuffer: Self { .init(ZMQ_SNDBUF, "sndbuf", values: .atLeast(-1)) }
    static var receiveBuffer: Self { .init(ZMQ_RCVBUF, "rcvbuf", values: .atLeast(-1)) }
    static var sendTimeout: Self { .init(ZMQ_SNDTIMEO, "sndtimeo", values: .atLeast(-1)) }
    static var receiveTimeout: Self { .init(ZMQ_RCVTIMEO, "rcvtimeo", values: .atLeast(-1)) }
    static var reconnectInterval: Self { .init(ZMQ_RECONNECT_IVL, "reconnect_ivl", values: .atLeast(-1)) }
    static var reconnectIntervalMax: Self { .init(ZMQ_RECONNECT_IVL_MAX, "reconnect_ivl_max", values: .atLeast(0)) }
    static var backlog: Self { .init(ZMQ_BACKLOG, "backlog", values: .atLeast(0)) }
    static var rate: Self { .init(ZMQ_RATE, "rate", values: .atLeast(1)) }
    static var recoveryInterval: Self { .init(ZMQ_RECOVERY_IVL, "recovery_ivl", values: .atLeast(0)) }
    static var multicastHops: Self { .init(ZMQ_MULTICAST_HOPS, "multicast_hops", values: .atLeast(1)) }
    static var multicastMaxTPDU: Self { .init(ZMQ_MULTICAST_MAXTPDU, "multicast_maxtpdu", values: .atLeast(1)) }
    static var tcpKeepalive: Self { .init(ZMQ_TCP_KEEPALIVE, "tcp_keepalive", values: .integers(-1...1)) }
    static var tcpKeepaliveCount: Self { .init(ZMQ_TCP_KEEPALIVE_CNT, "tcp_keepalive_cnt", values: .atLeast(-1)) }
    static var tcpKeepaliveIdle: Self { .init(ZMQ_TCP_KEEPALIVE_IDLE, "tcp_keepalive_idle", values: .atLeast(-1)) }
    static var tcpKeepaliveInterval: Self { .init(ZMQ_TCP_KEEPALIVE_INTVL, "tcp_keepalive_intvl", values: .atLeast(-1)) }
    static var tcpMaxRetransmit: Self { .init(ZMQ_TCP_MAXRT, "tcp_maxrt", values: .atLeast(0)) }
    static var typeOfService: Self { .init(ZMQ_TOS, "tos", values: .atLeast(0)) }
    static var handshakeInterval: Self { .init(ZMQ_HANDSHAKE_IVL, "handshake_ivl", values: .atLeast(0)) }
    static var heartbeatInterval: Self { .init(ZMQ_HEARTBEAT_IVL, "heartbeat_ivl", values: .atLeast(0)) }
    /// In milliseconds, kept in deciseconds as 16 bits: libzmq rounds -99...-1 to 0 and takes them too.
    static var heartbeatTTL: Self { .init(ZMQ_HEARTBEAT_TTL, "heartbeat_ttl", values: .integers(0...6_553_599)) }
    static var heartbeatTimeout: Self { .init(ZMQ_HEARTBEAT_TIMEOUT, "heartbeat_timeout", values: .atLeast(0)) }
    static var connectTimeout: Self { .init(ZMQ_CONNECT_TIMEOUT, "connect_timeout", values: .atLeast(0)) }
    static var useFD: Self { .init(ZMQ_USE_FD, "use_fd", values: .atLeast(-1)) }
    static var gssapiPrincipalNameType: Self { .init(ZMQ_GSSAPI_PRINCIPAL_NAMETYPE, "gssapi_principal_nametype", values: .integers(0...2)) }
    static var gssapiServicePrincipalNameType: Self { .init(ZMQ_GSSAPI_SERVICE_PRINCIPAL_NAMETYPE, "gssapi_service_principal_nametype", values: .integers(0...2)) }
    static var vmciConnectTimeout: Self { .init(ZMQ_VMCI_CONNECT_TIMEOUT, "vmci_connect_timeout") }
    /// Draft in the header but honoured at run time by Debian's 4.3.4 (zmq-facts.md).
    static var reconnectStop: Self { .init(109, "reconnect_stop") }
    static var receiveMore: Self { .init(ZMQ_RCVMORE, "rcvmore", writable: false) }
    static var fileDescriptor: Self { .init(ZMQ_FD, "fd", writable: false) }
    static var events: Self { .init(ZMQ_EVENTS, "events", writable: false) }
    static var type: Self { .init(ZMQ_TYPE, "type", writable: false) }
    static var mechanism: Self { .init(ZMQ_MECHANISM, "mechanism", writable: false) }
}

public extension SocketOption where Value == Int64 {
    static var maxMessageSize: Self { .init(ZMQ_MAXMSGSIZE, "maxmsgsize") }
}

public extension SocketOption where Value == UInt64 {
    static var affinity: Self { .init(ZMQ_AFFINITY, "affinity") }
    static var vmciBufferSize: Self { .init(ZMQ_VMCI_BUFFER_SIZE, "vmci_buffer_size") }
    static var vmciBufferMinSize: Self { .init(ZMQ_VMCI_BUFFER_MIN_SIZE, "vmci_buffer_min_size") }
    static var vmciBufferMaxSize: Self { .init(ZMQ_VMCI_BUFFER_MAX_SIZE, "vmci_buffer_max_size") }
}

public extension SocketOption where Value == Bool {
    static var immediate: Self { .init(ZMQ_IMMEDIATE, "immediate") }
    /// libzmq takes it on every socket type and ignores it on all but these (get_effective_conflate_option).
    static var conflate: Self { .init(ZMQ_CONFLATE, "conflate", on: [.dealer, .pull, .push, .pub, .sub]) }
    static var ipv6: Self { .init(ZMQ_IPV6, "ipv6") }
    static var routerMandatory: Self { .init(ZMQ_ROUTER_MANDATORY, "router_mandatory", readable: false, on: [.rep, .router]) }
    static var routerHandover: Self { .init(ZMQ_ROUTER_HANDOVER, "router_handover", readable: false, on: [.rep, .router]) }
    static var routerRaw: Self { .init(ZMQ_ROUTER_RAW, "router_raw", readable: false, on: [.rep, .router]) }
    static var probeRouter: Self { .init(ZMQ_PROBE_ROUTER, "probe_router", readable: false, on: [.req, .rep, .dealer, .router]) }
    static var requestCorrelate: Self { .init(ZMQ_REQ_CORRELATE, "req_correlate", readable: false, on: [.req]) }
    static var requestRelaxed: Self { .init(ZMQ_REQ_RELAXED, "req_relaxed", readable: false, on: [.req]) }
    static var xpubVerbose: Self { .init(ZMQ_XPUB_VERBOSE, "xpub_verbose", readable: false, on: [.pub, .xpub]) }
    static var xpubVerboser: Self { .init(ZMQ_XPUB_VERBOSER, "xpub_verboser", readable: false, on: [.pub, .xpub]) }
    static var xpubNoDrop: Self { .init(ZMQ_XPUB_NODROP, "xpub_nodrop", readable: false, on: [.pub, .xpub]) }
    static var xpubManual: Self { .init(ZMQ_XPUB_MANUAL, "xpub_manual", readable: false, on: [.pub, .xpub]) }
    static var invertMatching: Self { .init(ZMQ_INVERT_MATCHING, "invert_matching") }
    static var streamNotify: Self { .init(ZMQ_STREAM_NOTIFY, "stream_notify", readable: false, on: [.stream]) }
    static var plainServer: Self { .init(ZMQ_PLAIN_SERVER, "plain_server") }
    static var curveServer: Self { .init(ZMQ_CURVE_SERVER, "curve_server") }
    static var gssapiServer: Self { .init(ZMQ_GSSAPI_SERVER, "gssapi_server") }
    static var gssapiPlaintext: Self { .init(ZMQ_GSSAPI_PLAINTEXT, "gssapi_plaintext") }
    /// Draft in the header but honoured at run time by Debian's 4.3.4 (zmq-facts.md).
    static var zapEnforceDomain: Self { .init(93, "zap_enforce_domain") }
    static var threadSafe: Self { .init(ZMQ_THREAD_SAFE, "thread_safe", writable: false) }
}

public extension SocketOption where Value == String {
    static var lastEndpoint: Self { .init(ZMQ_LAST_ENDPOINT, "last_endpoint", writable: false) }
    static var zapDomain: Self { .init(ZMQ_ZAP_DOMAIN, "zap_domain", values: .lengths(1...255)) }
    static var plainUsername: Self { .init(ZMQ_PLAIN_USERNAME, "plain_username", values: .lengths(0...255)) }
    static var plainPassword: Self { .init(ZMQ_PLAIN_PASSWORD, "plain_password", values: .lengths(0...255)) }
    /// CURVE keys as 40-character Z85 text.
    static var curvePublicKey: Self { .init(ZMQ_CURVE_PUBLICKEY, "curve_publickey", values: .curveKey) }
    static var curveSecretKey: Self { .init(ZMQ_CURVE_SECRETKEY, "curve_secretkey", values: .curveKey) }
    static var curveServerKey: Self { .init(ZMQ_CURVE_SERVERKEY, "curve_serverkey", values: .curveKey) }
    static var gssapiPrincipal: Self { .init(ZMQ_GSSAPI_PRINCIPAL, "gssapi_principal", values: .lengths(1...255)) }
    static var gssapiServicePrincipal: Self { .init(ZMQ_GSSAPI_SERVICE_PRINCIPAL, "gssapi_service_principal", values: .lengths(1...255)) }
    static var socksProxy: Self { .init(ZMQ_SOCKS_PROXY, "socks_proxy") }
    static var bindToDevice: Self { .init(ZMQ_BINDTODEVICE, "bindtodevice", values: .lengths(0...16)) }
}

public extension SocketOption where Value == [UInt8] {
    static var routingID: Self { .init(ZMQ_ROUTING_ID, "routing_id", values: .routingID) }
    static var connectRoutingID: Self {
        .init(ZMQ_CONNECT_ROUTING_ID, "connect_routing_id", readable: false, values: .lengths(1...Int.max), on: [.rep, .router, .stream])
    }
    /// An XSUB subscribes by sending a message, and an XPUB only in ZMQ_XPUB_MANUAL mode, for the
    /// subscriber of the last subscription it received (none while it is set up).
    static var subscribe: Self { .init(ZMQ_SUBSCRIBE, "subscribe", readable: false, on: [.sub]) }
    static var unsubscribe: Self { .init(ZMQ_UNSUBSCRIBE, "unsubscribe", readable: false, on: [.sub]) }
    static var xpubWelcomeMessage: Self { .init(ZMQ_XPUB_WELCOME_MSG, "xpub_welcome_msg", readable: false, on: [.pub, .xpub]) }
}

/// One row of the option table with its type erased, for lookup by name.
public struct AnySocketOption: Sendable {
    public let name: String
    public let code: Int32
    public let kind: SocketOptionKind
    public let readable: Bool
    public let writable: Bool
    public let values: SocketOptionValues
    public let socketTypes: [SocketType]?
    public let aliases: [String]

    public init<V>(_ option: SocketOption<V>, aliases: [String] = []) {
        name = option.name
        code = option.code
        kind = V.kind
        readable = option.readable
        writable = option.writable
        values = option.values
        socketTypes = option.socketTypes
        self.aliases = aliases
    }

    /// Whether the option applies to a socket of `type`.
    public func applies(to type: SocketType) -> Bool { socketTypes?.contains(type) ?? true }

    /// Whether `zmq_setsockopt` takes `value`, the bytes it is passed, for this option.
    public func accepts(_ value: [UInt8]) -> Bool { values.accept(value, kind: kind) }
}

/// Every socket option zswift knows, in one list.
public enum SocketOptions {
    public static let all: [AnySocketOption] = [
        .init(SocketOption.affinity), .init(SocketOption.routingID, aliases: ["identity"]),
        .init(SocketOption.subscribe), .init(SocketOption.unsubscribe), .init(SocketOption.rate),
        .init(SocketOption.recoveryInterval), .init(SocketOption.sendBuffer), .init(SocketOption.receiveBuffer),
        .init(SocketOption.receiveMore), .init(SocketOption.fileDescriptor), .init(SocketOption.events),
        .init(SocketOption.type), .init(SocketOption.linger), .init(SocketOption.reconnectInterval),
        .init(SocketOption.backlog), .init(SocketOption.reconnectIntervalMax), .init(SocketOption.maxMessageSize),
        .init(SocketOption.sendHighWaterMark), .init(SocketOption.receiveHighWaterMark),
        .init(SocketOption.multicastHops), .init(SocketOption.receiveTimeout), .init(SocketOption.sendTimeout),
        .init(SocketOption.lastEndpoint), .init(SocketOption.routerMandatory), .init(SocketOption.tcpKeepalive),
        .init(SocketOption.tcpKeepaliveCount), .init(SocketOption.tcpKeepaliveIdle),
        .init(SocketOption.tcpKeepaliveInterval), .init(SocketOption.immediate, aliases: ["delay_attach_on_connect"]),
        .init(SocketOption.xpubVerbose), .init(SocketOption.routerRaw), .init(SocketOption.ipv6),
        .init(SocketOption.mechanism), .init(SocketOption.plainServer), .init(SocketOption.plainUsername),
        .init(SocketOption.plainPassword), .init(SocketOption.curveServer), .init(SocketOption.curvePublicKey),
        .init(SocketOption.curveSecretKey), .init(SocketOption.curveServerKey), .init(SocketOption.probeRouter),
        .init(SocketOption.requestCorrelate), .init(SocketOption.requestRelaxed), .init(SocketOption.conflate),
        .init(SocketOption.zapDomain), .init(SocketOption.routerHandover), .init(SocketOption.typeOfService),
        .init(SocketOption.connectRoutingID, aliases: ["connect_rid"]), .init(SocketOption.gssapiServer),
        .init(SocketOption.gssapiPrincipal), .init(SocketOption.gssapiServicePrincipal),
        .init(SocketOption.gssapiPlaintext), .init(SocketOption.handshakeInterval), .init(SocketOption.socksProxy),
        .init(SocketOption.xpubNoDrop), .init(SocketOption.xpubManual), .init(SocketOption.xpubWelcomeMessage),
        .init(SocketOption.streamNotify), .init(SocketOption.invertMatching), .init(SocketOption.heartbeatInterval),
        .init(SocketOption.heartbeatTTL), .init(SocketOption.heartbeatTimeout), .init(SocketOption.xpubVerboser),
        .init(SocketOption.connectTimeout), .init(SocketOption.tcpMaxRetransmit), .init(SocketOption.threadSafe),
        .init(SocketOption.multicastMaxTPDU), .init(SocketOption.vmciBufferSize), .init(SocketOption.vmciBufferMinSize),
        .init(SocketOption.vmciBufferMaxSize), .init(SocketOption.vmciConnectTimeout), .init(SocketOption.useFD),
        .init(SocketOption.gssapiPrincipalNameType), .init(SocketOption.gssapiServicePrincipalNameType),
        .init(SocketOption.bindToDevice), .init(SocketOption.zapEnforceDomain), .init(SocketOption.reconnectStop),
    ]

    /// Finds an option by libzmq name, with or without `ZMQ_`, in any case: "SNDHWM", "zmq_sndhwm", "sndhwm".
    public static func named(_ text: String) -> AnySocketOption? {
        var key = String(text.lowercased().map { $0 == "-" ? "_" : $0 })
        if key.hasPrefix("zmq_") { key.removeFirst(4) }
        return all.first { $0.name == key || $0.aliases.contains(key) }
    }
}
