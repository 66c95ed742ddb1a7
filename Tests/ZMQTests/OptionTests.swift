// Socket options: typed set/get round trips for every value type, lastEndpoint, and the option
// table (lookup by name, aliases, and the invariants every row must keep).
import CZMQ  // only as an oracle for what libzmq itself accepts
import Glibc
import Testing
import ZMQ

// MARK: - Typed round trips

@Test func lingerDefaultsToForeverAndRoundTrips() throws {
    let context = Context()
    let socket = try Socket(context, type: .push)
    #expect(try socket.get(.linger) == -1)
    try socket.set(.linger, 250)
    #expect(try socket.get(.linger) == 250)
    try socket.set(.linger, 0)
    #expect(try socket.get(.linger) == 0)
}

@Test func int32OptionsRoundTrip() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    let cases: [(SocketOption<Int32>, Int32)] = [
        (.sendHighWaterMark, 123), (.receiveHighWaterMark, 0), (.sendTimeout, 1500), (.receiveTimeout, -1),
        (.reconnectInterval, 250), (.reconnectIntervalMax, 5000), (.backlog, 17), (.handshakeInterval, 3000),
        (.heartbeatInterval, 200), (.heartbeatTimeout, 600), (.heartbeatTTL, 1200), (.connectTimeout, 700),
        (.tcpKeepalive, 1), (.tcpKeepaliveIdle, 60), (.typeOfService, 0x10), (.sendBuffer, 65536),
    ]
    for (option, value) in cases {
        try socket.set(option, value)
        #expect(try socket.get(option) == value, "option \(option.name)")
    }
}

@Test func int64MaxMessageSizeRoundTripsBeyond32Bits() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(try socket.get(.maxMessageSize) == -1)
    try socket.set(.maxMessageSize, 5_000_000_000)
    #expect(try socket.get(.maxMessageSize) == 5_000_000_000)
}

@Test func uint64AffinityRoundTrips() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    try socket.set(.affinity, 0b101)
    #expect(try socket.get(.affinity) == 0b101)
}

@Test func booleanOptionsRoundTrip() throws {
    let context = Context()
    let socket = try makeSocket(context, .push)
    for option in [SocketOption<Bool>.immediate, .conflate, .ipv6] {
        #expect(try socket.get(option) == false, "option \(option.name)")
        try socket.set(option, true)
        #expect(try socket.get(option) == true, "option \(option.name)")
        try socket.set(option, false)
        #expect(try socket.get(option) == false, "option \(option.name)")
    }
}

@Test func aSocketReportsItIsNotThreadSafe() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    #expect(try socket.get(.threadSafe) == false)
}

@Test func stringZapDomainRoundTrips() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(try socket.get(.zapDomain) == "")
    try socket.set(.zapDomain, "global")
    #expect(try socket.get(.zapDomain) == "global")
}

@Test func settingAStringOptionToEmptyClearsIt() throws {
    // libzmq clears SOCKS_PROXY, PLAIN_USERNAME/PASSWORD, BINDTODEVICE only for (NULL, 0); a
    // non-NULL pointer with length 0 is EINVAL. String.withOptionBytes passes Array("".utf8)'s
    // buffer, whose base address is not NULL, so `set(.socksProxy, "")` throws instead of clearing.
    // (ZAP_DOMAIN cannot be cleared at all in 4.3.4, not even with NULL.)
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    try socket.set(.socksProxy, "127.0.0.1:1080")
    #expect(try socket.get(.socksProxy) == "127.0.0.1:1080")
    let cleared = Result { () throws(ZMQError) in try socket.set(.socksProxy, "") }
    #expect((try? cleared.get()) != nil)
    #expect((try? socket.get(.socksProxy)) == "")

    // What works today: the raw call with no buffer at all.
    try socket.setRaw(SocketOption.socksProxy.code, UnsafeRawBufferPointer(start: nil, count: 0))
    #expect(try socket.get(.socksProxy) == "")
}

@Test func clearingThePlainUsernameReturnsToTheNullMechanism() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    try socket.set(.plainUsername, "admin")
    #expect(try socket.get(.mechanism) == 1)  // ZMQ_PLAIN
    let cleared = Result { () throws(ZMQError) in try socket.set(.plainUsername, "") }
    #expect((try? cleared.get()) != nil)

    try socket.setRaw(SocketOption.plainUsername.code, UnsafeRawBufferPointer(start: nil, count: 0))
    #expect(try socket.get(.mechanism) == 0)  // ZMQ_NULL
}

@Test func subscribingToTheEmptyPrefixIsAccepted() throws {
    let context = Context()
    let sub = try makeSocket(context, .sub)
    try sub.set(.subscribe, [])
    try sub.set(.unsubscribe, [])
}

@Test func plainCredentialsRoundTripAndSetTheMechanism() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    #expect(try socket.get(.mechanism) == 0)  // ZMQ_NULL
    try socket.set(.plainUsername, "admin")
    try socket.set(.plainPassword, "sécret")
    #expect(try socket.get(.plainUsername) == "admin")
    #expect(try socket.get(.plainPassword) == "sécret")
    #expect(try socket.get(.mechanism) == 1)  // ZMQ_PLAIN
}

@Test func bytesRoutingIDRoundTripsIncludingNulBytes() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    #expect(try socket.get(.routingID) == [])
    let id: [UInt8] = [0x41, 0x00, 0xFF, 0x42]
    try socket.set(.routingID, id)
    #expect(try socket.get(.routingID) == id)
}

@Test func aRoutingIDLongerThan255BytesIsRejected() throws {
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    #expect(throws: ZMQError.invalidArgument) {
        try socket.set(.routingID, [UInt8](repeating: 1, count: 256))
    }
}

@Test func anOutOfRangeValueIsRejectedAsInvalid() throws {
    let context = Context()
    let socket = try makeSocket(context, .push)
    #expect(throws: ZMQError.invalidArgument) { try socket.set(.linger, -2) }
    #expect(throws: ZMQError.invalidArgument) { try socket.set(.sendHighWaterMark, -1) }
    #expect(try socket.get(.linger) == 0)  // unchanged by the failed set
}

@Test func anOptionForAnotherSocketTypeIsRejected() throws {
    let context = Context()
    let push = try makeSocket(context, .push)
    #expect(throws: ZMQError.invalidArgument) { try push.set(.subscribe, Array("topic".utf8)) }
}

@Test func curveKeysCanBeSetAsZ85Text() throws {
    try #require(Library.has("curve"))
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    try socket.set(.curveServerKey, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
    try socket.set(.curvePublicKey, "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")
    try socket.set(.curveSecretKey, "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
    #expect(try socket.get(.mechanism) == 2)  // ZMQ_CURVE
    #expect(throws: ZMQError.invalidArgument) { try socket.set(.curvePublicKey, "too short") }
}

@Test func curveKeysReadBackAsTheZ85TextThatWasSet() throws {
    // Documented as 40-character Z85 text and marked readable, but the getter hands libzmq a
    // 4096-byte buffer; zmq_getsockopt accepts only exactly 32 (binary) or 41 (Z85 + NUL) bytes
    // for CURVE keys, so every read throws EINVAL.
    try #require(Library.has("curve"))
    let context = Context()
    let socket = try makeSocket(context, .dealer)
    let key = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"
    try socket.set(.curvePublicKey, key)
    let read = Result { () throws(ZMQError) -> String in try socket.get(.curvePublicKey) }
    #expect((try? read.get()) == key)

}

// MARK: - lastEndpoint

@Test func lastEndpointAfterBindingAWildcardPortNamesARealPort() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    try socket.bind("tcp://127.0.0.1:*")
    let endpoint = socket.lastEndpoint
    #expect(endpoint.hasPrefix("tcp://127.0.0.1:"))
    let port = try #require(Int(endpoint.dropFirst("tcp://127.0.0.1:".count)))
    #expect((1...65535).contains(port))
    #expect(try socket.get(.lastEndpoint) == endpoint)
}

@Test func lastEndpointNamesTheInprocEndpointThatWasBound() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let socket = try makeSocket(context, .pull)
    #expect(socket.lastEndpoint == "")
    try socket.bind(endpoint)
    #expect(socket.lastEndpoint == endpoint)
}

// MARK: - Lookup by name

@Test func optionsAreFoundByLibzmqNameInAnySpelling() throws {
    for spelling in ["SNDHWM", "zmq_sndhwm", "ZMQ_SNDHWM", "sndhwm", "SndHwm"] {
        let option = try #require(SocketOptions.named(spelling), "spelling \(spelling)")
        #expect(option.name == "sndhwm")
        #expect(option.code == SocketOption.sendHighWaterMark.code)
        #expect(option.kind == .int32)
    }
}

@Test func dashesInANameReadAsUnderscores() throws {
    let option = try #require(SocketOptions.named("reconnect-ivl-max"))
    #expect(option.name == "reconnect_ivl_max")
}

@Test func dashesAreAcceptedInTheZmqPrefixToo() {
    // named() strips "zmq_" before it turns dashes into underscores, so "reconnect-ivl" is found
    // but "zmq-sndhwm" and "ZMQ-SNDHWM" are not.
    #expect(SocketOptions.named("zmq_reconnect-ivl")?.name == "reconnect_ivl")
    #expect(SocketOptions.named("zmq-sndhwm")?.name == "sndhwm")

}

@Test func aliasesFindTheCurrentOption() throws {
    #expect(SocketOptions.named("identity")?.name == "routing_id")
    #expect(SocketOptions.named("ZMQ_IDENTITY")?.name == "routing_id")
    #expect(SocketOptions.named("delay_attach_on_connect")?.name == "immediate")
    #expect(SocketOptions.named("connect_rid")?.name == "connect_routing_id")
}

@Test func anUnknownNameFindsNothing() {
    for name in ["", "zmq_", "no_such_option", "sndhwmx", "zmq_zmq_sndhwm", " sndhwm"] {
        #expect(SocketOptions.named(name) == nil, "name '\(name)'")
    }
}

@Test func anOptionFoundByNameCanBeSetThroughItsRawBytes() throws {
    let context = Context()
    let socket = try makeSocket(context, .push)
    let option = try #require(SocketOptions.named("SNDHWM"))
    var value: Int32 = 77
    try withUnsafeBytes(of: &value) { (raw) throws(ZMQError) in try socket.setRaw(option.code, raw) }
    #expect(try socket.get(.sendHighWaterMark) == 77)
}

@Test func aRawSetWithTheWrongSizeIsRejected() throws {
    let context = Context()
    let socket = try makeSocket(context, .push)
    var value: Int64 = 77
    #expect(throws: ZMQError.invalidArgument) {
        try withUnsafeBytes(of: &value) { (raw) throws(ZMQError) in
            try socket.setRaw(SocketOption.sendHighWaterMark.code, raw)
        }
    }
}

// MARK: - Table invariants

/// Every typed option declared in SocketOption.swift, as (name, code, kind, readable, writable).
/// Adding an option there without adding it to `SocketOptions.all` fails `everyTypedOptionIsInTheTable`.
private let typedOptions: [(name: String, code: Int32, kind: SocketOptionKind, readable: Bool, writable: Bool)] = {
    func row<V>(_ o: SocketOption<V>) -> (String, Int32, SocketOptionKind, Bool, Bool) {
        (o.name, o.code, V.kind, o.readable, o.writable)
    }
    let int32: [SocketOption<Int32>] = [
        .linger, .sendHighWaterMark, .receiveHighWaterMark, .sendBuffer, .receiveBuffer, .sendTimeout,
        .receiveTimeout, .reconnectInterval, .reconnectIntervalMax, .backlog, .rate, .recoveryInterval,
        .multicastHops, .multicastMaxTPDU, .tcpKeepalive, .tcpKeepaliveCount, .tcpKeepaliveIdle,
        .tcpKeepaliveInterval, .tcpMaxRetransmit, .typeOfService, .handshakeInterval, .heartbeatInterval,
        .heartbeatTTL, .heartbeatTimeout, .connectTimeout, .useFD, .gssapiPrincipalNameType,
        .gssapiServicePrincipalNameType, .vmciConnectTimeout, .reconnectStop, .receiveMore, .fileDescriptor,
        .events, .type, .mechanism,
    ]
    let int64: [SocketOption<Int64>] = [.maxMessageSize]
    let uint64: [SocketOption<UInt64>] = [.affinity, .vmciBufferSize, .vmciBufferMinSize, .vmciBufferMaxSize]
    let bool: [SocketOption<Bool>] = [
        .immediate, .conflate, .ipv6, .routerMandatory, .routerHandover, .routerRaw, .probeRouter,
        .requestCorrelate, .requestRelaxed, .xpubVerbose, .xpubVerboser, .xpubNoDrop, .xpubManual,
        .invertMatching, .streamNotify, .plainServer, .curveServer, .gssapiServer, .gssapiPlaintext,
        .zapEnforceDomain, .threadSafe,
    ]
    let string: [SocketOption<String>] = [
        .lastEndpoint, .zapDomain, .plainUsername, .plainPassword, .curvePublicKey, .curveSecretKey,
        .curveServerKey, .gssapiPrincipal, .gssapiServicePrincipal, .socksProxy, .bindToDevice,
    ]
    let bytes: [SocketOption<[UInt8]>] = [.routingID, .connectRoutingID, .subscribe, .unsubscribe, .xpubWelcomeMessage]
    return int32.map(row) + int64.map(row) + uint64.map(row) + bool.map(row) + string.map(row) + bytes.map(row)
}()

@Test func optionNamesAreUnique() {
    var seen: Set<String> = []
    for option in SocketOptions.all {
        #expect(seen.insert(option.name).inserted, "duplicate name \(option.name)")
    }
}

@Test func aliasesAreUniqueAndNeverShadowAName() {
    let names = Set(SocketOptions.all.map(\.name))
    var seen: Set<String> = []
    for option in SocketOptions.all {
        for alias in option.aliases {
            #expect(!names.contains(alias), "alias \(alias) of \(option.name) is also a name")
            #expect(seen.insert(alias).inserted, "duplicate alias \(alias)")
            #expect(SocketOptions.named(alias)?.name == option.name)
        }
    }
}

@Test func optionNamesAreLowerCaseWithoutTheZmqPrefix() {
    for option in SocketOptions.all {
        let spellings = [option.name] + option.aliases
        for name in spellings {
            #expect(!name.isEmpty)
            #expect(name == name.lowercased(), "\(name)")
            #expect(!name.hasPrefix("zmq_"), "\(name)")
            #expect(name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }, "\(name)")
        }
    }
}

@Test func optionCodesAreUnique() {
    var seen: [Int32: String] = [:]
    for option in SocketOptions.all {
        if let other = seen[option.code] {
            Issue.record("code \(option.code) is used by both \(other) and \(option.name)")
        }
        seen[option.code] = option.name
    }
}

@Test func everyOptionIsReadableOrWritable() {
    for option in SocketOptions.all {
        #expect(option.readable || option.writable, "\(option.name)")
    }
}

@Test func everyTypedOptionIsInTheTable() {
    for typed in typedOptions {
        guard let row = SocketOptions.all.first(where: { $0.name == typed.name }) else {
            Issue.record("SocketOption.\(typed.name) is missing from SocketOptions.all")
            continue
        }
        #expect(row.code == typed.code, "\(typed.name)")
        #expect(row.kind == typed.kind, "\(typed.name)")
        #expect(row.readable == typed.readable, "\(typed.name)")
        #expect(row.writable == typed.writable, "\(typed.name)")
    }
    #expect(SocketOptions.all.count == typedOptions.count, "the table has rows this test does not know")
}

@Test func everyOptionIsFoundByItsOwnNameAndItsZmqConstantName() {
    for option in SocketOptions.all {
        #expect(SocketOptions.named(option.name)?.code == option.code)
        #expect(SocketOptions.named("ZMQ_" + option.name.uppercased())?.code == option.code)
    }
}

/// Options compiled out of Debian's libzmq; they cannot be read or written here at all.
private let unavailableHere: Set<String> = Library.has("vmci")
    ? [] : ["vmci_buffer_size", "vmci_buffer_min_size", "vmci_buffer_max_size", "vmci_connect_timeout"]

/// Whether `zmq_getsockopt` succeeds for `option` on a fresh socket of some type, with the buffer
/// size its kind calls for (curve keys want 41 bytes, everything string-like accepts more).
private func readsOnSomeSocket(_ option: AnySocketOption, _ context: Context) throws -> Bool {
    for type in SocketType.allCases {
        let socket = try makeSocket(context, type)
        if option.kind == .string || option.kind == .bytes {
            if (try? socket.get(SocketOption<[UInt8]>(option.code, option.name))) != nil { return true }
            if option.name.hasPrefix("curve_") {
                var buffer = [UInt8](repeating: 0, count: 41)
                var size = 41
                // A direct call: the wrapper's own getter cannot read curve keys (see curveKeysReadBack...).
                if zmq_getsockopt(socket.handle, option.code, &buffer, &size) == 0 { return true }
            }
        } else if option.kind == .int64 {
            if (try? socket.get(SocketOption<Int64>(option.code, option.name))) != nil { return true }
        } else if option.kind == .uint64 {
            if (try? socket.get(SocketOption<UInt64>(option.code, option.name))) != nil { return true }
        } else if (try? socket.get(SocketOption<Int32>(option.code, option.name))) != nil {
            return true
        }
    }
    return false
}

@Test func everyOptionMarkedReadableCanBeReadFromSomeSocketType() throws {
    // Many rows use SocketOption's default `readable: true` for options libzmq 4.3.4 only lets you
    // set (zmq_setsockopt(3) lists them as write-only): the ROUTER, REQ, XPUB and STREAM flags and
    // connect_routing_id. A `zswift` that offers "get" by name would hand users EINVAL for them.
    let context = Context()
    let libzmqWriteOnly: Set<String> = [
        "router_mandatory", "router_raw", "router_handover", "probe_router", "req_correlate", "req_relaxed",
        "xpub_verbose", "xpub_verboser", "xpub_nodrop", "xpub_manual", "stream_notify", "connect_routing_id",
    ]
    var unreadable: [String] = []
    for option in SocketOptions.all where option.readable && !unavailableHere.contains(option.name) {
        if try !readsOnSomeSocket(option, context) { unreadable.append(option.name) }
    }
    #expect(Set(unreadable).isSubset(of: libzmqWriteOnly), "unexpectedly unreadable: \(unreadable)")
    #expect(unreadable == [])

}

@Test func everyOptionMarkedUnreadableReallyCannotBeRead() throws {
    let context = Context()
    for option in SocketOptions.all where !option.readable {
        #expect(try !readsOnSomeSocket(option, context), "\(option.name) is readable after all")
    }
}

// MARK: - The table against zmq.h

/// The `#define ZMQ_NAME value` lines of the installed zmq.h (draft section included), with
/// `#define ZMQ_A ZMQ_B` aliases resolved; nil if the header is not there.
private let headerDefines: [String: Int32]? = {
    guard let file = fopen("/usr/include/zmq.h", "r") else { return nil }
    defer { fclose(file) }
    var raw: [String: String] = [:]
    var line: UnsafeMutablePointer<CChar>? = nil
    var capacity = 0
    defer { free(line) }
    while getline(&line, &capacity, file) >= 0, let line {
        let words = String(cString: line).split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" })
        guard words.count >= 3, words[0] == "#define", words[1].hasPrefix("ZMQ_") else { continue }
        raw[String(words[1])] = String(words[2])
    }
    var resolved: [String: Int32] = [:]
    for (name, value) in raw {
        if let number = Int32(value) {
            resolved[name] = number
        } else if let target = raw[value], let number = Int32(target) {
            resolved[name] = number
        }
    }
    return resolved
}()

@Test(.enabled(if: headerDefines != nil, "needs /usr/include/zmq.h"))
func everyOptionNameAndAliasIsTheZmqConstantForItsCode() throws {
    let defines = try #require(headerDefines)
    #expect(defines.count > 100 && defines["ZMQ_IDENTITY"] == 5, "the header parser works")
    for option in SocketOptions.all {
        for name in [option.name] + option.aliases {
            let constant = "ZMQ_" + name.uppercased()
            #expect(defines[constant] == option.code, "\(constant) is \(defines[constant].map(String.init) ?? "undefined"), the table says \(option.code)")
        }
    }
}

// MARK: - The values and socket types the table says libzmq takes

/// Values to try for `option`: the edges of its rule in the table and well beyond them, as the
/// bytes `zmq_setsockopt` is passed.
private func samples(for option: AnySocketOption) -> [[UInt8]] {
    func int32(_ v: Int64) -> [UInt8] { withUnsafeBytes(of: Int32(clamping: v)) { Array($0) } }
    switch option.kind {
    case .int32:
        var values: [Int64] = [Int64(Int32.min), -100, -99, -2, -1, 0, 1, 2, 3, 255, 6_553_599, 6_553_600, Int64(Int32.max)]
        if case let .integers(range) = option.values {
            values += [range.lowerBound - 1, range.lowerBound, range.upperBound, range.upperBound + 1]
        }
        return values.map(int32)
    case .boolean:
        return [0, 1].map(int32)  // what a caller passes: zswift turns 0/1, yes/no, on/off into these
    case .int64:
        return [Int64.min, -1, 0, 1, Int64.max].map { v in withUnsafeBytes(of: v) { Array($0) } }
    case .uint64:
        return [0, 1, UInt64.max].map { v in withUnsafeBytes(of: v) { Array($0) } }
    case .string, .bytes:
        let key = Array("rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7".utf8)  // the zguide's example public key
        return [0, 1, 15, 16, 17, 31, 32, 39, 40, 41, 255, 256, 1000].map { [UInt8](repeating: UInt8(ascii: "a"), count: $0) }
            + [[0, 1], key, Array(key.prefix(39)), [UInt8](repeating: UInt8(ascii: "~"), count: 40),
               [UInt8](repeating: UInt8(ascii: "%"), count: 40)]  // "~" is not Z85; "%%%%%" is above 0xFFFFFFFF
    }
}

/// A sample as a number, or as its length and first bytes.
private func shown(_ value: [UInt8], _ kind: SocketOptionKind) -> String {
    value.withUnsafeBytes { raw in
        switch kind {
        case .int32, .boolean: "\(raw.loadUnaligned(as: Int32.self))"
        case .int64: "\(raw.loadUnaligned(as: Int64.self))"
        case .uint64: "\(raw.loadUnaligned(as: UInt64.self))"
        case .string, .bytes: "\(value.count) bytes \(value.prefix(2))"
        }
    }
}

/// Where the table refuses what libzmq takes, on purpose.
private func refusedOnPurpose(_ option: AnySocketOption, _ value: [UInt8]) -> Bool {
    switch option.name {
    case "conflate": true  // taken by every type, ignored by all but five (get_effective_conflate_option)
    case "routing_id": value.first == 0  // reserved for the ids libzmq makes (zmq_setsockopt(3))
    case "heartbeat_ttl": value.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) } < 0  // rounded up to 0
    default: false
    }
}

@Test func theTableTakesAValueOnASocketTypeExactlyWhenLibzmqDoes() throws {
    let context = Context()
    var checked = 0
    for option in SocketOptions.all where option.writable && !unavailableHere.contains(option.name) {
        for type in SocketType.allCases {
            let socket = try makeSocket(context, type)
            defer { socket.close() }
            for value in samples(for: option) {
                let table = option.applies(to: type) && option.accepts(value)
                let libzmq = value.withUnsafeBytes { (try? socket.setRaw(option.code, $0)) != nil }
                let shown = shown(value, option.kind)
                if table {
                    #expect(libzmq, "the table takes \(option.name) = \(shown) on \(type); libzmq does not")
                } else if libzmq {
                    #expect(refusedOnPurpose(option, value), "libzmq takes \(option.name) = \(shown) on \(type); the table does not")
                }
                checked += 1
            }
        }
    }
    #expect(checked > 5000)
}

@Test func optionsOfSomeSocketTypesApplyToThoseOnly() {
    #expect(AnySocketOption(SocketOption.subscribe).socketTypes == [.sub])
    #expect(AnySocketOption(SocketOption.requestRelaxed).applies(to: .req))
    #expect(!AnySocketOption(SocketOption.requestRelaxed).applies(to: .dealer))
    #expect(AnySocketOption(SocketOption.linger).socketTypes == nil)
    #expect(SocketType.allCases.allSatisfy(AnySocketOption(SocketOption.linger).applies(to:)))
}
