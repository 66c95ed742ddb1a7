// In-process: what the security flags (and the variables that stand for them) make of a command
// line — the mechanism and keys of a secured socket, its options, the ZAP policy, the notes — and
// which combinations are usage errors naming the flag.
import Testing
import TestSupport
import ZMQ
@testable import ZswiftCore

private func settings(_ words: [String], environment: [String: String] = [:]) throws -> SecuritySettings {
    try SecuritySettings(rawArguments(words), command: rawArguments(words).command!, lookup: { environment[$0] })
}

private func names(_ settings: [SocketOptionSetting]) -> [String] { settings.map(\.spelled) }

private let pair = try! CurveKeys.generate()
private let serverPair = try! CurveKeys.generate()

@Test func aCurveServerWithoutAKeyGetsANewPairAndSaysItsPublicKey() throws {
    let s = try settings(["pull", ":5555", "--curve-server"])
    guard case let .curveServer(keys) = s.mechanism else { Issue.record("\(s.mechanism)"); return }
    #expect(s.notices.count == 1 && s.notices[0].contains("CURVE server public key: \(keys.publicKey.text)"))
    #expect(!s.notices[0].contains(keys.secretKey.text))
    var anyClient = AccessPolicy()
    anyClient.domain = securedDomain
    #expect(s.policy == anyClient)  // a handler, so that each client's key is its user id
    #expect(s.verboseNotes.contains { $0.contains("accepts any client key") })
    #expect(names(s.socketSettings) == ["ZMQ_CURVE_SERVER", "ZMQ_CURVE_SECRETKEY", "ZMQ_ZAP_DOMAIN"])
}

@Test func aCurveServerKeepsTheSecretKeyItIsGivenByFlagOrVariable() throws {
    let byFlag = try settings(["pull", ":5555", "--curve-server", "--curve-secret-key", serverPair.secretKey.text])
    #expect(byFlag.mechanism == .curveServer(serverPair) && byFlag.notices.isEmpty)
    let byVariable = try settings(["pull", ":5555", "--curve-server"], environment: ["ZSWIFT_CURVE_SECRET_KEY": serverPair.secretKey.text])
    #expect(byVariable.mechanism == .curveServer(serverPair) && byVariable.notices.isEmpty)
}

@Test func aCurveClientGetsItsOwnNewPairUnlessGivenOneAndSaysItsPublicKeyUnderVerbose() throws {
    let fresh = try settings(["req", "localhost:5555", "--curve-server-key", serverPair.publicKey.text])
    guard case let .curveClient(server, own) = fresh.mechanism else { Issue.record("\(fresh.mechanism)"); return }
    #expect(server == serverPair.publicKey && own != pair)
    #expect(fresh.verboseNotes == ["CURVE client public key: \(own.publicKey.text) (a new pair for this run; a server's --curve-allow lists it)"])
    #expect(fresh.policy == nil)
    #expect(names(fresh.socketSettings) == ["ZMQ_CURVE_SERVERKEY", "ZMQ_CURVE_PUBLICKEY", "ZMQ_CURVE_SECRETKEY"])
    let given = try settings(["req", "localhost:5555", "--curve-secret-key", pair.secretKey.text],
                             environment: ["ZSWIFT_CURVE_SERVER_KEY": serverPair.publicKey.text])
    #expect(given.mechanism == .curveClient(serverKey: serverPair.publicKey, own: pair))
    #expect(given.verboseNotes == ["ZSWIFT_CURVE_SERVER_KEY is set: this socket is a CURVE client (unset it for a NULL one)"])
}

@Test func plainCredentialsComeFromTheFlagOrTheVariableAndTheFlagWins() throws {
    let byFlag = try settings(["push", "localhost:5555", "--plain-user", "alice:se:cret"], environment: ["ZSWIFT_PLAIN_USER": "bob:x"])
    #expect(byFlag.mechanism == .plainClient(user: "alice", password: "se:cret"))
    let byVariable = try settings(["push", "localhost:5555"], environment: ["ZSWIFT_PLAIN_USER": "bob:x"])
    #expect(byVariable.mechanism == .plainClient(user: "bob", password: "x"))
    #expect(names(byVariable.socketSettings) == ["ZMQ_PLAIN_USERNAME", "ZMQ_PLAIN_PASSWORD"])
}

@Test func aPlainServerWithoutAUserListAcceptsAnyoneAndSaysSoUnderVerbose() throws {
    let s = try settings(["pull", ":5555", "--plain-server"])
    #expect(s.mechanism == .plainServer && s.policy?.plainUsers == nil)
    #expect(s.verboseNotes.contains { $0.contains("accepts any user name and password") })
}

@Test func addressListsNeedAZAPDomainEvenOnANullSocketThatConnects() throws {
    let s = try settings(["pull", "localhost:5555", "--allow", "127.0.0.0/8", "--deny", "127.0.0.2"])
    #expect(s.mechanism == .null)
    #expect(s.policy?.allow.map(\.text) == ["127.0.0.0/8"] && s.policy?.deny.map(\.text) == ["127.0.0.2"])
    #expect(names(s.socketSettings) == ["ZMQ_ZAP_DOMAIN"])
    let plan = try invocation("pull", "localhost:5555", "--deny", "10.0.0.0/8").socketPlan(binding: false)
    #expect(plan.settings.filter { $0.option.code == SocketOption.zapDomain.code }.count == 1)
}

@Test func noSecurityFlagMeansNoOptionsNoHandlerAndNothingToSay() throws {
    let s = try settings(["pull", ":5555"])
    #expect(s.isEmpty && s.socketSettings.isEmpty && s.notices.isEmpty && s.warnings.isEmpty && s.verboseNotes.isEmpty)
    let bothVariables = try settings(["keygen"], environment: ["ZSWIFT_PLAIN_USER": "a:b", "ZSWIFT_CURVE_SERVER_KEY": serverPair.publicKey.text])
    #expect(bothVariables.isEmpty)  // keygen opens no socket
}

@Test func aBrokerSecuresItsFrontendUnlessSecureSaysOtherwise() throws {
    let base = ["broker", ":5559", ":5560", "--curve-server"]
    #expect(try settings(base).sides == .frontend)
    #expect(try settings(base + ["--secure", "both"]).sides == .both)
    let broker = try invocation("broker", ":5559", ":5560", "--plain-server", "--secure", "backend")
    #expect(!broker.socketPlan(binding: true, secured: false).settings.contains { $0.spelled == "ZMQ_PLAIN_SERVER" })
    #expect(broker.socketPlan(binding: true, secured: true).settings.contains { $0.spelled == "ZMQ_PLAIN_SERVER" })
}

@Test(arguments: [
    (["pull", ":5555", "--curve-server", "--curve-server-key", "K"], "--curve-server and --curve-server-key"),
    (["pull", ":5555", "--plain-server", "--plain-user", "a:b"], "--plain-server and --plain-user"),
    (["pull", ":5555", "--curve-server", "--plain-users", "@u"], "--curve-server and --plain-users"),
    (["pull", ":5555", "--curve-allow", "@dir"], "--curve-allow lists the clients a CURVE server accepts"),
    (["pull", ":5555", "--curve-secret-key", "@x"], "no CURVE role was given"),
    (["pull", "localhost:5555", "--plain-user", "a:b", "--deny", "10.0.0.1"], "--deny applies to the side that authenticates"),
    (["broker", ":5559", ":5560", "--secure", "both"], "--secure says which broker side"),
    (["pull", ":5555", "--allow", "10.0.0.0/33"], "--allow"),
    (["pull", ":5555", "--legacy-zmtp", "--allow", "10.0.0.0/8"], "refuses the ZMTP 1.0/2.0 peers --legacy-zmtp lets in"),
    (["pull", ":5555", "--curve-server", "--curve-secret-key", "short"], "--curve-secret-key: the secret key is 5 characters"),
])
func securityFlagsThatCannotGoTogetherAreUsageErrorsNamingThem(words: [String], says: String) {
    let error = usageError(words)
    #expect(error?.message.contains(says) == true, "\(String(describing: error))")
}

@Test func bothMechanismVariablesWithoutAFlagAreAUsageError() throws {
    let raw = try rawArguments(["push", "localhost:5555"])
    let environment = ["ZSWIFT_PLAIN_USER": "a:b", "ZSWIFT_CURVE_SERVER_KEY": serverPair.publicKey.text]
    #expect(throws: UsageError.self) { try SecuritySettings(raw, command: .push, lookup: { environment[$0] }) }
    // a flag chooses, and the other variable is left alone
    let chosen = try rawArguments(["push", "localhost:5555", "--plain-user", "c:d"])
    #expect(try SecuritySettings(chosen, command: .push, lookup: { environment[$0] }).mechanism == .plainClient(user: "c", password: "d"))
}

@Test func failureHintsNameTheFlagToCheck() throws {
    let client = try settings(["req", "localhost:5555", "--curve-server-key", serverPair.publicKey.text])
    let wrongKey = FatalHandshake(endpoint: "tcp://h:1", cause: .repeatedFailures(.curve, count: 3))
    #expect(client.hint(for: wrongKey)?.contains("check --curve-server-key") == true)
    let refused = FatalHandshake(endpoint: "tcp://h:1", cause: .failure(.authentication(status: 400)))
    #expect(client.hint(for: refused)?.contains("--curve-allow") == true)
    let plain = try settings(["req", "localhost:5555", "--plain-user", "a:b"])
    #expect(plain.hint(for: refused)?.contains("check --plain-user") == true)
    let mismatch = FatalHandshake(endpoint: "tcp://h:1", cause: .failure(.protocolError(.mechanismMismatch)))
    #expect(try settings(["req", "localhost:5555"]).hint(for: mismatch)?.contains("this side uses NULL") == true)
}

@Test func securityFlagsOnAnInprocEndpointDrawAWarningThatTheyDoNothingThere() throws {
    let secured = try invocation("pull", "-b", "inproc://x", "--curve-server")
    #expect(secured.security.warnings.contains { $0.contains("inproc://x: libzmq runs no security handshake over inproc") })
    #expect(try invocation("pull", "-b", "inproc://x").security.warnings.isEmpty)
}

@Test func addressListsOnIpcEndpointsAreAnErrorWhenNothingElseIsThereAndAWarningBeside() throws {
    #expect(usageError("pull", "-b", "ipc:///tmp/x.ipc", "--allow", "127.0.0.1")?.message.contains("peers at ipc:///tmp/x.ipc have none") == true)
    let deny = try invocation("pull", "-b", "ipc:///tmp/x.ipc", "--deny", "127.0.0.1")
    #expect(deny.security.warnings.contains { $0.contains("--deny never matches them") })
    let mixed = try invocation("pull", "-b", "ipc:///tmp/x.ipc", "-b", "tcp://127.0.0.1:1", "--allow", "127.0.0.1")
    #expect(mixed.security.warnings.contains { $0.contains("--allow refuses every one of them") })
}

@Test func aClientRoleFromAVariableIsNamedInHintsAndUnderVerbose() throws {
    let s = try settings(["req", "localhost:5555"], environment: ["ZSWIFT_CURVE_SERVER_KEY": serverPair.publicKey.text])
    #expect(s.verboseNotes.contains("ZSWIFT_CURVE_SERVER_KEY is set: this socket is a CURVE client (unset it for a NULL one)"))
    let wrongKey = FatalHandshake(endpoint: "tcp://h:1", cause: .repeatedFailures(.curve, count: 3))
    #expect(s.hint(for: wrongKey)?.hasPrefix("check ZSWIFT_CURVE_SERVER_KEY:") == true)
    let mismatch = FatalHandshake(endpoint: "tcp://h:1", cause: .failure(.protocolError(.mechanismMismatch)))
    #expect(s.hint(for: mismatch)?.hasPrefix("this side uses CURVE (ZSWIFT_CURVE_SERVER_KEY is set)") == true)
}

@Test func aServerToldOfACryptographicErrorNamesItsOwnPublicKeyQuoted() throws {
    let s = try settings(["push", "localhost:5555", "--curve-server", "--curve-secret-key", serverPair.secretKey.text])
    let crypto = FatalHandshake(endpoint: "tcp://h:1", cause: .failure(.protocolError(.cryptographic)))
    #expect(s.hint(for: crypto) == "the client's --curve-server-key is not this server's public key, '\(serverPair.publicKey.text)'")
    let fresh = try settings(["pull", ":5555", "--curve-server"])
    #expect(fresh.notices.first?.contains("--curve-server-key '") == true)
}
