// probe's ZMTP wire layer from byte fixtures, no sockets: the 3.x greeting, ZMTP 2.0 and 1.0
// openings, commands and READY metadata, what non-ZMTP first bytes look like, and that no bytes
// at all make any of them trap.
import Testing
@testable import ZswiftCore

/// libzmq 4.3.4's greeting as a REP sends it (NULL, as-server 0).
let libzmqGreeting: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3, 1] + Array("NULL".utf8) + [UInt8](repeating: 0, count: 16)
    + [0] + [UInt8](repeating: 0, count: 31)

@Test func aLibzmqGreetingReadsAsZMTP31NullNotAsServer() {
    #expect(libzmqGreeting.count == 64)
    #expect(ZMTPGreeting.classify(libzmqGreeting) == .greeting(ZMTPGreeting(major: 3, minor: 1, mechanism: "NULL", asServer: false)))
}

@Test func aGreetingIsIncompleteUntilAll64BytesAreThere() {
    for n in 0..<64 { #expect(ZMTPGreeting.classify(Array(libzmqGreeting.prefix(n))) == .incomplete, "\(n) bytes") }
}

@Test func aCurveServerGreetingCarriesItsMechanismAndAsServer() {
    var bytes = ZMTPGreeting.encode(mechanism: "CURVE", asServer: true)
    bytes[11] = 0
    #expect(ZMTPGreeting.classify(bytes) == .greeting(ZMTPGreeting(major: 3, minor: 0, mechanism: "CURVE", asServer: true)))
}

@Test func ourGreetingIsZMTP31NullAndBeginsWithTheElevenBytesSentFirst() {
    let ours = ZMTPGreeting.encode()
    #expect(ours.count == 64 && ours.starts(with: ZMTPGreeting.opening) && ours[11] == 1)
    #expect(ZMTPGreeting.classify(ours) == .greeting(ZMTPGreeting(major: 3, minor: 1, mechanism: "NULL", asServer: false)))
}

@Test func aZMTP20PeerShowsItsSocketTypeAndIdentity() {
    let signature: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F]
    #expect(ZMTPGreeting.classify(signature + [1, 4, 0, 0]) == .zmtp20(socketType: "REP", identity: []))
    #expect(ZMTPGreeting.classify(signature + [1, 6, 0, 2] + Array("id".utf8)) == .zmtp20(socketType: "ROUTER", identity: Array("id".utf8)))
    #expect(ZMTPGreeting.classify(signature + [1, 99]) == .zmtp20(socketType: nil, identity: nil))
}

@Test func aZMTP10PeerIsToldByItsIdentityFrame() {
    #expect(ZMTPGreeting.classify([1, 0]) == .zmtp10)
    #expect(ZMTPGreeting.classify([0xFF, 0, 0, 0, 0, 0, 0, 0, 9, 0x00]) == .zmtp10)
    #expect(ZMTPGreeting.classify(Array("+OK\r\n".utf8)) == .notZMTP)
}

@Test func aReadyCommandRoundTripsWithEveryProperty() throws {
    let properties = [ZMTPProperty(name: "Socket-Type", value: Array("ROUTER".utf8)),
                      ZMTPProperty(name: "Identity", value: [0, 1, 0xFF]), ZMTPProperty(name: "X-Empty", value: [])]
    let frame = ZMTPCommand.ready(properties).encoded()
    #expect(frame.first == ZMTPCommand.shortFlags)
    guard case let .command(command, consumed) = ZMTPCommand.decode(frame + [9, 9]) else { Issue.record("no command"); return }
    #expect(consumed == frame.count && command.name == "READY")
    #expect(ZMTPCommand.properties(command.body) == properties)
}

@Test func aLongCommandFrameDecodesAndALyingSizeIsInvalidNotATrap() {
    let big = ZMTPCommand(name: "READY", body: [UInt8](repeating: 7, count: 300))
    let frame = big.encoded()
    #expect(frame.first == ZMTPCommand.longFlags)
    #expect(ZMTPCommand.decode(frame) == .command(big, consumed: frame.count))
    #expect(ZMTPCommand.decode([0x06, 0xFF, 0, 0, 0, 0, 0, 0, 0]) == .invalid)
    #expect(ZMTPCommand.decode([0x04, 3, 9, 65]) == .incomplete)
    #expect(ZMTPCommand.decode([0x04, 1, 9]) == .invalid)
    #expect(ZMTPCommand.decode([0x00, 1, 9]) == .invalid)
    #expect(ZMTPCommand.properties([5, 65]) == nil && ZMTPCommand.properties([1, 65, 0, 0, 0, 9]) == nil)
}

@Test(arguments: [
    ("HTTP/1.0 400 Bad Request\r\n", PeerKind.http), ("GET / HTTP/1.1\r\n", .http), ("<!DOCTYPE HTML>\n<html>", .http),
    ("SSH-2.0-OpenSSH_9.2\r\n", .ssh), ("+OK\r\n", .text), ("-ERR unknown command\r\n", .text), ("220 smtp ready\r\n", .text),
])
func nonZMTPFirstBytesAreNamedForWhatTheyLookLike(text: String, kind: PeerKind) {
    #expect(PeerKind.of(Array(text.utf8)) == kind)
}

@Test func tlsRecordsBinaryAndNothingAreToldApart() {
    #expect(PeerKind.of([0x16, 0x03, 0x01, 0, 5]) == .tls)
    #expect(PeerKind.of([0x15, 0x03, 0x03, 0, 2, 2, 0x46]) == .tls)
    #expect(PeerKind.of([0, 1, 2, 0xFE]) == .other)
    #expect(PeerKind.of([]) == .silent)
    #expect(PeerKind.banner(Array("SSH-2.0-x\r\nmore".utf8)) == "SSH-2.0-x" && PeerKind.banner([0, 1]) == nil)
}

@Test func noBytesAtAllMakeTheWireLayerTrap() {
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<3000 {
        let count = Int.random(in: 0...80, using: &generator)
        var bytes = (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
        if Bool.random(using: &generator) { bytes = Array(libzmqGreeting.prefix(Int.random(in: 0...64))) + bytes }
        if Bool.random(using: &generator), !bytes.isEmpty { bytes[0] = [0x04, 0x06][Int.random(in: 0...1)] }
        _ = ZMTPGreeting.classify(bytes)
        _ = ZMTPCommand.decode(bytes)
        _ = ZMTPCommand.properties(bytes)
        _ = PeerKind.of(bytes)
        _ = PeerKind.banner(bytes)
    }
}

@Test func theJSONReportHasEveryKeyWithNullWhereUnknown() {
    var result = ProbeResult(endpoint: "tcp://127.0.0.1:1", kind: .refused)
    #expect(ProbeReport.json(result) == #"{"endpoint":"tcp://127.0.0.1:1","kind":"refused","zmtp":null,"mechanism":null,"as_server":null,"socket_type":null,"identity":null,"metadata":null,"connect_ms":null,"handshake_ms":null,"banner":null,"note":null}"#)
    result.kind = .zmtp
    result.metadata = [ZMTPProperty(name: "Socket-Type", value: Array("REP".utf8)), ZMTPProperty(name: "X-\"q\"", value: [0xFF])]
    result.identity = [0, 0xAB]
    result.keyAccepted = false
    let json = ProbeReport.json(result)
    #expect(json.contains(#""identity":"00ab""#) && json.contains(#""metadata":{"Socket-Type":"REP","X-\"q\"":{"hex":"ff"}}"#))
    #expect(json.contains(#""key_accepted":false"#) && result.status == .security)
}

@Test func statusesAreZeroForZMTPOneForOtherPeersThreeForNothing() {
    #expect(PeerKind.zmtp.status == .success && PeerKind.http.status == .failure && PeerKind.other.status == .failure)
    #expect(PeerKind.silent.status == .timeout && PeerKind.refused.status == .timeout && PeerKind.unreachable.status == .timeout)
}

@Test func theHeadlineSaysAnXPUBAndARep() {
    var result = ProbeResult(endpoint: "tcp://h:1", kind: .zmtp)
    result.zmtp = "3.1"
    result.mechanism = "NULL"
    result.socketType = "XPUB"
    #expect(ProbeReport.text(result).hasPrefix("tcp://h:1: an XPUB socket (ZMTP 3.1, NULL)\n"))
    result.socketType = "REP"
    #expect(ProbeReport.text(result).hasPrefix("tcp://h:1: a REP socket (ZMTP 3.1, NULL)\n"))
}
