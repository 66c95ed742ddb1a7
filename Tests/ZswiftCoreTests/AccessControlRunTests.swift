// In-process: a run that is a CURVE server starts zswift's ZAP handler in its context, lets in the
// clients --curve-allow lists and refuses the others, and says each decision under -v and as
// --events json lines; the handler is stopped before the run's end, so the context can end.
import Glibc
import Testing
import TestSupport
import ZMQ
@testable import ZswiftCore

/// A CURVE PUSH in `context` that connects to `endpoint` with `keys` and queues `text`.
private func curveClient(_ context: Context, _ endpoint: String, server: CurveKeys, keys: CurveKeys, sending text: String) throws -> Socket {
    let push = try Socket(context, type: .push)
    try push.set(.linger, 0)
    try push.set(.curveServerKey, server.publicKey.text)
    try push.set(.curvePublicKey, keys.publicKey.text)
    try push.set(.curveSecretKey, keys.secretKey.text)
    try push.connect(endpoint)
    _ = try push.send(Array(text.utf8), flags: .dontWait)
    return push
}

@Test func aListedClientIsLetInAsItsKeyAndSaidSoUnderVerboseAndAsJSON() throws {
    let (server, client) = (try CurveKeys.generate(), try CurveKeys.generate())
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let context = Context()
    let push = try curveClient(context, endpoint, server: server, keys: client, sending: "good")
    defer { push.close() }
    let r = try runInProcess(context, ["pull", "-b", endpoint, "--curve-server", "--curve-secret-key", server.secretKey.text,
                                       "--curve-allow", client.publicKey.text, "-n", "1", "-t", "10s", "-v", "--events", "json"])
    let err = String(decoding: r.err, as: UTF8.self)
    #expect(r.status == 0 && r.out == Array("good\n".utf8), "\(err)")
    #expect(err.contains("let in 127.0.0.1 (CURVE, user id \(client.publicKey.text)): its key is in --curve-allow"), "\(err)")
    #expect(err.contains(#"{"event":"authenticated","address":"127.0.0.1","mechanism":"CURVE","user_id":"\#(client.publicKey.text)""#), "\(err)")
    #expect(!err.contains(server.secretKey.text))
}

@Test func anUnlistedClientIsRefusedAndTheReasonSaidOnceNotAsAFailedHandshake() throws {
    let (server, stranger) = (try CurveKeys.generate(), try CurveKeys.generate())
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let context = Context()
    let push = try curveClient(context, endpoint, server: server, keys: stranger, sending: "bad")
    defer { push.close() }
    let r = try runInProcess(context, ["pull", "-b", endpoint, "--curve-server", "--curve-secret-key", server.secretKey.text,
                                       "--curve-allow", server.publicKey.text, "-t", "1500ms", "-v", "--events", "json"])
    let err = String(decoding: r.err, as: UTF8.self)
    #expect(r.status == 3 && r.out.isEmpty, "\(err)")
    #expect(err.contains("refused 127.0.0.1 (CURVE): its key \(stranger.publicKey.text) is not in --curve-allow"), "\(err)")
    #expect(err.contains(#"{"event":"refused","address":"127.0.0.1","mechanism":"CURVE","reason":"its key"#), "\(err)")
    #expect(!err.contains("authentication refused (ZAP status 400)"), "\(err)")  // said once, with its reason
}

@Test func accessDecisionsInWordsAndJSON() {
    let refused = ZAPDecision(statusCode: "400", address: "10.1.2.3", mechanism: "NULL",
                              reason: "address 10.1.2.3 is in --deny 10.0.0.0/8", requestID: [1], domain: securedDomain)
    #expect(AccessReporter.words(refused) == "refused 10.1.2.3 (NULL): address 10.1.2.3 is in --deny 10.0.0.0/8")
    #expect(AccessReporter.render(refused, time: 1042, repeated: 2)
            == #"{"event":"refused","address":"10.1.2.3","mechanism":"NULL","reason":"address 10.1.2.3 is in --deny 10.0.0.0/8","time":1.042,"repeated":2}"#)
}

@Test func aFloodOfTheSameRefusalIsSaidOnceEveryFiveSecondsWithItsCount() throws {
    let err = CapturedOutput()
    let diagnostics = Diagnostics(fd: err.fd)
    diagnostics.verbosity = 1
    let reporter = AccessReporter(diagnostics: diagnostics, json: true, origin: 0)
    let refused = ZAPDecision(statusCode: "400", address: "10.1.2.3", mechanism: "NULL",
                              reason: "address 10.1.2.3 is not in --allow", requestID: [1], domain: securedDomain)
    for ms in stride(from: 0, to: 6000, by: 10) { reporter.report(refused, at: ms) }
    let lines = String(decoding: try err.contents(), as: UTF8.self).split(separator: "\n")
    #expect(lines.filter { $0.hasPrefix("zswift: refused") } == ["zswift: refused 10.1.2.3 (NULL): address 10.1.2.3 is not in --allow",
                                                                "zswift: refused 10.1.2.3 (NULL): address 10.1.2.3 is not in --allow (501 times)"])
    #expect(lines.filter { $0.hasPrefix("{") }.count == 6)  // one JSON line a second
}

@Test func aSocketOfAnotherDomainIsLetInUncheckedAndNotReported() throws {
    var policy = AccessPolicy(deny: [try AddressRange.parse("127.0.0.0/8", flag: "deny")])
    policy.domain = securedDomain
    let left = ZAPRequest(requestID: [7], domain: refusingDomain, address: "127.0.0.1", mechanism: "NULL")
    let decision = policy.decide(left)
    #expect(decision.allowed && decision.requestID == [7])
    #expect(!policy.decide(ZAPRequest(requestID: [8], domain: securedDomain, address: "127.0.0.1", mechanism: "NULL")).allowed)
    let err = CapturedOutput()
    let diagnostics = Diagnostics(fd: err.fd)
    diagnostics.verbosity = 1
    AccessReporter(diagnostics: diagnostics, json: true).report(decision, at: 0)
    #expect(try err.contents().isEmpty)
}

@Test func foldedDecisionsComeOutWhenTheirSecondIsOverAndAtTheEnd() throws {
    let err = CapturedOutput()
    let reporter = AccessReporter(diagnostics: Diagnostics(fd: err.fd), json: true, origin: 0)
    let refused = ZAPDecision(statusCode: "400", address: "10.1.2.3", mechanism: "CURVE",
                              reason: "its key K is not in --curve-allow", requestID: [1], domain: securedDomain)
    for ms in [0, 100, 200, 300] { reporter.report(refused, at: ms) }
    reporter.flush(at: 600)   // the second is not over: nothing yet
    reporter.flush(at: 1100)  // the last folded one stands for the other two
    for ms in [1200, 1300] { reporter.report(refused, at: ms) }
    reporter.flush(at: nil)   // the end: what is folded comes out
    let lines = String(decoding: try err.contents(), as: UTF8.self).split(separator: "\n")
    #expect(lines.count == 3, "\(lines)")
    #expect(lines.count == 3 && lines[0].hasSuffix(#""time":0.000}"#) && lines[1].hasSuffix(#""time":0.300,"repeated":2}"#)
            && lines[2].hasSuffix(#""time":1.300,"repeated":1}"#), "\(lines)")
}
