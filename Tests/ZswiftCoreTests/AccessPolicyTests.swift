// AccessPolicy answering ZAP requests (RFC 27), with no sockets: --deny wins over --allow, a
// non-empty --allow lets in only what it lists, then each mechanism's credentials; malformed
// requests get 500; the reply frames and the decision's trip between threads as frames.
import Testing
import ZMQ
@testable import ZswiftCore

private let clientKey = CurveKey(z85: clientPublic, kind: .public)!
private let otherKey = CurveKey(z85: serverPublic, kind: .public)!

private func request(_ mechanism: String, address: String = "10.1.2.3", _ credentials: [[UInt8]] = []) -> ZAPRequest {
    ZAPRequest(requestID: bytes("7"), domain: "global", address: address, identity: bytes("peer"), mechanism: mechanism, credentials: credentials)
}

private func curve(_ key: CurveKey = clientKey, address: String = "10.1.2.3") -> ZAPRequest { request("CURVE", address: address, [key.bytes]) }
private func plain(_ user: String, _ password: String) -> ZAPRequest { request("PLAIN", [bytes(user), bytes(password)]) }
private func ranges(_ texts: String...) -> [AddressRange] { texts.map { try! AddressRange.parse($0, flag: "allow") } }
private func users(_ text: String) -> PlainUsers { try! PlainUsers(parsing: bytes(text), file: "users") }

// MARK: - Addresses

@Test func withNoListsEveryMechanismIsLetInAndSaysWhy() {
    let policy = AccessPolicy()
    let null = policy.decide(request("NULL"))
    #expect(null.allowed && null.statusCode == "200" && null.statusText == "OK" && null.userID == "" && null.reason == "NULL needs no credentials")
    let key = policy.decide(curve())
    #expect(key.allowed && key.userID == clientPublic && key.reason == "any key (no --curve-allow)" && key.mechanism == "CURVE")
    let user = policy.decide(plain("bob", "pw"))
    #expect(user.allowed && user.userID == "bob" && user.reason == "any PLAIN user 'bob' (no --plain-users)")
}

@Test func aDeniedAddressIsRefusedWhateverElseLetsItIn() {
    let policy = AccessPolicy(allowedCurveKeys: [clientKey], allow: ranges("10.0.0.0/8"), deny: ranges("192.168.0.0/16", "10.1.2.0/24"))
    let decision = policy.decide(curve())
    #expect(!decision.allowed && decision.statusCode == "400" && decision.statusText == "Access denied")
    #expect(decision.reason == "address 10.1.2.3 is in --deny 10.1.2.0/24" && decision.address == "10.1.2.3")
    #expect(decision.userID == clientPublic)  // so -v can say who was refused
    #expect(policy.decide(curve(address: "10.9.9.9")).allowed)
}

@Test func aNonEmptyAllowListLetsInOnlyTheAddressesItHolds() {
    let policy = AccessPolicy(allow: ranges("127.0.0.1", "::1"))
    #expect(policy.decide(request("NULL", address: "127.0.0.1")).allowed)
    #expect(policy.decide(request("NULL", address: "::ffff:127.0.0.1")).allowed)
    #expect(policy.decide(request("NULL", address: "::1")).allowed)
    #expect(policy.decide(request("NULL", address: "10.1.2.3")).reason == "address 10.1.2.3 is not in --allow")
    #expect(policy.decide(request("NULL", address: "")).reason == "address (none) is not in --allow")  // ipc and inproc peers
}

@Test func theDenyListAloneLetsInEveryOtherAddress() {
    let policy = AccessPolicy(deny: ranges("127.0.0.1"))
    #expect(!policy.decide(request("NULL", address: "127.0.0.1")).allowed)
    #expect(policy.decide(request("NULL", address: "127.0.0.2")).allowed)
    #expect(policy.decide(request("NULL", address: "")).allowed)
}

// MARK: - Credentials

@Test func aCurveAllowListLetsInItsKeysOnly() {
    let policy = AccessPolicy(allowedCurveKeys: [clientKey])
    #expect(policy.decide(curve()).reason == "its key is in --curve-allow")
    let refused = policy.decide(curve(otherKey))
    #expect(!refused.allowed && refused.reason == "its key \(serverPublic) is not in --curve-allow" && refused.userID == serverPublic)
    #expect(!AccessPolicy(allowedCurveKeys: []).decide(curve()).allowed)
}

@Test func aPlainUserListChecksNameAndPassword() {
    let policy = AccessPolicy(plainUsers: users("alice:secret\nbob:pw\n"))
    let ok = policy.decide(plain("alice", "secret"))
    #expect(ok.allowed && ok.userID == "alice" && ok.reason == "PLAIN user 'alice' is in --plain-users")
    #expect(policy.decide(plain("carol", "secret")).reason == "unknown PLAIN user 'carol'")
    let wrong = policy.decide(plain("alice", "pw"))
    #expect(!wrong.allowed && wrong.reason == "wrong password for PLAIN user 'alice'" && !wrong.reason.contains("pw'"))
    #expect(policy.decide(request("PLAIN", [[0x62, 0x0A, 0xFF], bytes("x")])).reason == "unknown PLAIN user 'b\\x0a\\xff'")
}

@Test func theListsOfOtherMechanismsDoNotApply() {
    let policy = AccessPolicy(allowedCurveKeys: [], plainUsers: users("alice:secret\n"))
    #expect(policy.decide(request("NULL")).allowed)
    #expect(!policy.decide(request("GSSAPI", [bytes("principal")])).allowed)
    #expect(policy.decide(request("GSSAPI", [bytes("principal")])).reason.contains("GSSAPI is not supported"))
}

// MARK: - Malformed requests

@Test(arguments: [
    ([[UInt8]](), "0 frames"),
    ([bytes("1.0"), bytes("7"), bytes("d"), bytes("a"), bytes("i")], "5 frames"),
    ([bytes("2.0"), bytes("7"), bytes("d"), bytes("a"), bytes("i"), bytes("NULL")], "version '2.0'"),
    ([bytes("1.0"), bytes("7"), bytes("d"), bytes("a"), bytes("i"), bytes("CURVE"), [1, 2, 3]], "CURVE without one credential frame of 32 bytes"),
    ([bytes("1.0"), bytes("7"), bytes("d"), bytes("a"), bytes("i"), bytes("PLAIN"), bytes("bob")], "PLAIN with 1 credential frames"),
    ([bytes("1.0"), bytes("7"), bytes("d"), bytes("a"), bytes("i"), bytes("NULL"), bytes("x")], "NULL with 1 credential frames"),
])
func aMalformedRequestIsAnswered500WithItsRequestID(frames: [[UInt8]], says: String) {
    let decision = AccessPolicy().decide(frames: frames)
    #expect(decision.statusCode == "500" && !decision.allowed && decision.reason.contains(says), "\(decision.reason)")
    #expect(decision.requestID == (frames.count > 1 ? bytes("7") : []))
    #expect(decision.replyFrames.count == 6 && decision.replyFrames[2] == bytes("500"))
}

@Test func aRequestMadeByHandWithTheWrongCredentialsIsMalformedToo() {
    #expect(AccessPolicy().decide(request("PLAIN")).statusCode == "500")
    #expect(AccessPolicy().decide(request("CURVE", [[1]])).statusCode == "500")
}

// MARK: - Frames

@Test func aRequestReadsBackFromTheFramesLibzmqSends() throws {
    let original = curve()
    #expect(try ZAPRequest(frames: original.frames) == original)
    #expect(original.frames.count == 7 && original.frames[0] == bytes("1.0"))
}

@Test func theReplyIsVersionRequestIDStatusTextUserIDAndEmptyMetadata() {
    let decision = AccessPolicy().decide(curve())
    #expect(decision.replyFrames == [bytes("1.0"), bytes("7"), bytes("200"), bytes("OK"), bytes(clientPublic), []])
}

@Test func aDecisionSurvivesItsTripBetweenThreadsAsFrames() {
    let decision = AccessPolicy(deny: ranges("10.0.0.0/8")).decide(curve())
    #expect(ZAPDecision(frames: decision.frames) == decision)
    #expect(ZAPDecision(frames: [bytes("200")]) == nil)
}
