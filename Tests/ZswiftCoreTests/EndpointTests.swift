// Endpoint.parse against every rule of cli.md's Endpoints section: the positional bind/connect
// rule, the :PORT and HOST:PORT shorthands, ports, ipc limits, near-miss schemes, IPv6.
import Testing
@testable import ZswiftCore

typealias Role = Endpoint.Role

@Test(arguments: [
    // (text, given role, address, role)
    (":5555", nil, "tcp://*:5555", Role.bind),
    (":5555", .bind, "tcp://*:5555", .bind),
    (":5555", .connect, "tcp://127.0.0.1:5555", .connect),
    ("*:5555", nil, "tcp://*:5555", .bind),
    ("host:5555", nil, "tcp://host:5555", .connect),
    ("host:5555", .bind, "tcp://host:5555", .bind),
    ("10.0.0.1:5555", nil, "tcp://10.0.0.1:5555", .connect),
    ("tcp://*:5555", nil, "tcp://*:5555", .bind),
    ("tcp://:5555", nil, "tcp://*:5555", .bind),
    ("tcp://host:5555", nil, "tcp://host:5555", .connect),
    ("tcp://host:5555", .bind, "tcp://host:5555", .bind),
    ("TCP://host:5555", nil, "tcp://host:5555", .connect),
    ("tcp://127.0.0.1:*", .bind, "tcp://127.0.0.1:*", .bind),
    (":*", nil, "tcp://*:*", .bind),
    ("tcp://127.0.0.1:6000;host:5555", nil, "tcp://127.0.0.1:6000;host:5555", .connect),
    ("ws://host:8080/path", nil, "ws://host:8080/path", .connect),
    ("ws://*:8080/path", nil, "ws://*:8080/path", .bind),
    ("ipc:///tmp/x", .bind, "ipc:///tmp/x", .bind),
    ("ipc:///tmp/x", .connect, "ipc:///tmp/x", .connect),
    ("ipc://*", .bind, "ipc://*", .bind),
    ("inproc://name", .connect, "inproc://name", .connect),
    ("pgm://eth0;239.192.1.1:5555", .connect, "pgm://eth0;239.192.1.1:5555", .connect),
    ("[::1]:5555", nil, "tcp://[::1]:5555", .connect),
    ("tcp://[::]:5555", .bind, "tcp://[::]:5555", .bind),
] as [(String, Role?, String, Role)])
func endpointsBecomeTheLibzmqAddressWithTheRightRole(_ text: String, _ given: Role?, _ address: String, _ role: Role) throws {
    let endpoint = try Endpoint.parse(text, role: given)
    #expect(endpoint.address == address)
    #expect(endpoint.role == role)
}

@Test func ipcAndInprocGivenPositionallyAreAUsageErrorThatNamesBindAndConnect() throws {
    for text in ["ipc:///tmp/zswift.sock", "inproc://x"] {
        let error = #expect(throws: UsageError.self) { try Endpoint.parse(text, role: nil) }
        #expect(error?.message.contains("-b or -c") == true, "\(text)")
        #expect(error?.hint?.contains("-b \(text)") == true, "\(text)")
        #expect(error?.hint?.contains("-c \(text)") == true, "\(text)")
    }
}

@Test(arguments: [":0", ":65536", ":99999", ":abc", "host:", "tcp://host:0", "tcp://*:70000", ":-1", ":٣"])
func portsOutsideOneTo65535AreRefused(_ text: String) {
    let error = #expect(throws: UsageError.self) { try Endpoint.parse(text, role: nil) }
    #expect(error?.message.contains("bad port") == true, "\(error?.message ?? "accepted")")
    #expect(error?.message.contains("1 to 65535") == true)
}

@Test func portsAtTheEdgesAreAccepted() throws {
    #expect(try Endpoint.parse(":1", role: nil).address == "tcp://*:1")
    #expect(try Endpoint.parse(":65535", role: nil).address == "tcp://*:65535")
}

@Test func aPositionalPortStarBindsBecauseOnlyABindCanPickAPort() throws {
    #expect(try Endpoint.parse("tcp://*:*", role: nil).role == .bind)
    #expect(try Endpoint.parse("tcp://127.0.0.1:*", role: nil).address == "tcp://127.0.0.1:*")
    #expect(try Endpoint.parse("127.0.0.1:*", role: nil).role == .bind)
}

@Test func portStarOnlyPicksAPortWhenBinding() throws {
    for (text, role) in [("tcp://host:*", Role.connect), (":*", .connect), ("tcp://127.0.0.1:*", .connect)] {
        let error = #expect(throws: UsageError.self) { try Endpoint.parse(text, role: role) }
        #expect(error?.message.contains("port * only picks a port when binding") == true, "\(text)")
    }
}

@Test(arguments: ["tcp://:5555", "tcp://*:5555", "*:5555"])
func connectingToNoHostOrStarIsRefused(_ text: String) {
    let error = #expect(throws: UsageError.self) { try Endpoint.parse(text, role: .connect) }
    #expect(error?.message.hasPrefix("cannot connect to \(text)") == true, "\(error?.message ?? "accepted")")
}

@Test func connectingToIpcStarIsRefused() {
    #expect(throws: UsageError.self) { try Endpoint.parse("ipc://*", role: .connect) }
}

@Test func anIpcPathOver107BytesIsRefusedNamingTheLimit() throws {
    let ok = "/tmp/" + String(repeating: "a", count: 102)  // 107 bytes
    #expect(try Endpoint.parse("ipc://" + ok, role: .bind).address == "ipc://" + ok)
    let error = #expect(throws: UsageError.self) { try Endpoint.parse("ipc://" + ok + "b", role: .bind) }
    #expect(error?.message.contains("108 bytes, the limit is 107") == true)
    #expect(error?.hint != nil)
}

@Test func emptyIpcAndInprocNamesAreRefused() {
    #expect(throws: UsageError.self) { try Endpoint.parse("ipc://", role: .bind) }
    #expect(throws: UsageError.self) { try Endpoint.parse("inproc://", role: .connect) }
}

@Test func anUnknownSchemeSuggestsTheNearestTransport() {
    let error = #expect(throws: UsageError.self) { try Endpoint.parse("tpc://host:5555", role: nil) }
    #expect(error?.message == "unknown transport 'tpc' in tpc://host:5555")
    #expect(error?.hint == "did you mean tcp://?")
    let far = #expect(throws: UsageError.self) { try Endpoint.parse("gopher://host:70", role: .connect) }
    #expect(far?.hint?.hasPrefix("transports: tcp, ipc") == true)
}

@Test func anIPv6LiteralWorksAndIsMarked() throws {
    let endpoint = try Endpoint.parse("[::1]:5555", role: nil)
    #expect(endpoint.address == "tcp://[::1]:5555")
    #expect(endpoint.usesIPv6)
    #expect(endpoint.hostToResolve == nil)
    #expect(try Endpoint.parse("host:5555", role: nil).usesIPv6 == false)
}

@Test func anIPv6AddressWithoutBracketsOrPortIsRefusedWithAnExample() {
    let bare = #expect(throws: UsageError.self) { try Endpoint.parse("tcp://::1:5555", role: nil) }
    #expect(bare?.message.contains("brackets") == true)
    let noPort = #expect(throws: UsageError.self) { try Endpoint.parse("tcp://[::1]", role: nil) }
    #expect(noPort?.message.contains("needs a port") == true)
    #expect(noPort?.hint == "for example tcp://[::1]:5555")
}

@Test func aBareNumberIsRefusedWithAHintToWriteColonPort() {
    let error = #expect(throws: UsageError.self) { try Endpoint.parse("5555", role: nil) }
    #expect(error?.message == "'5555' is not an endpoint")
    #expect(error?.hint?.contains(":5555") == true)
}

@Test func aHostWithoutAPortOrAnEmptyEndpointIsRefused() {
    let noPort = #expect(throws: UsageError.self) { try Endpoint.parse("localhost", role: nil) }
    #expect(noPort?.message.contains("no port") == true)
    let empty = #expect(throws: UsageError.self) { try Endpoint.parse("", role: .bind) }
    #expect(empty?.message.hasPrefix("-b") == true)
}

@Test func hostNamesAreResolvedOnConnectButNotLiteralsOrBinds() throws {
    #expect(try Endpoint.parse("localhost:5555", role: nil).hostToResolve == "localhost")
    #expect(try Endpoint.parse("tcp://example.com:80", role: nil).hostToResolve == "example.com")
    #expect(try Endpoint.parse("ws://example.com:80/x", role: nil).hostToResolve == "example.com")
    #expect(try Endpoint.parse("127.0.0.1:5555", role: nil).hostToResolve == nil)
    #expect(try Endpoint.parse(":5555", role: .connect).hostToResolve == nil)
    #expect(try Endpoint.parse("[::1]:5555", role: .connect).hostToResolve == nil)
    #expect(try Endpoint.parse("localhost:5555", role: .bind).hostToResolve == nil)
    // not four numbers of at most 255: a name
    #expect(try Endpoint.parse("256.1.1.1:5555", role: nil).hostToResolve == "256.1.1.1")
    #expect(try Endpoint.parse("1.2.3:5555", role: nil).hostToResolve == "1.2.3")
}

@Test func theDescriptionIsTheAddress() throws {
    #expect(try Endpoint.parse(":5555", role: nil).description == "tcp://*:5555")
}

// Found by the arguments fuzz target (Fuzz/Seeds/arguments/crash-endpoint-scheme-case): the scheme
// was matched in any case but handed to libzmq as typed, which knows only lower case and failed at
// run time with "this libzmq has no transport for IPC:///tmp/x".
@Test(arguments: [
    ("IPC:///tmp/x", "ipc:///tmp/x"), ("iPc://*", "ipc://*"), ("INPROC://Name", "inproc://Name"),
    ("PGM://eth0;239.192.1.1:5555", "pgm://eth0;239.192.1.1:5555"), ("Norm://1,239.192.1.1:5555", "norm://1,239.192.1.1:5555"),
])
func aTransportTypedInCapitalsReachesLibzmqInLowerCaseWithTheRestAsTyped(_ text: String, _ address: String) throws {
    #expect(try Endpoint.parse(text, role: .bind).address == address)
}
