// Black-box: the security ladder against pyzmq (its ThreadAuthenticator as the peer's ZAP
// handler, Tests/peers/secure_peer.py) and against zswift itself — CURVE both ways with and
// without allow-lists, certificates written by each side used by the other, PLAIN, IP
// allow/deny, a secured broker — and the failures: each refusal or mismatch exits 4 in bounded
// time with one error line and a hint naming the flag to check, and no secret is ever printed.
// Handshakes need tcp (libzmq runs none over inproc, and ipc has no address to allow or deny).
import Glibc
import Testing
import TestSupport

/// A CURVE key pair from `zswift keygen`: (public, secret) in Z85.
func keygenPair() throws -> (String, String) {
    let r = try zswift(["keygen"])
    let values = r.out.split(separator: "\n").map { String($0.drop(while: { $0 != " " }).dropFirst()) }
    guard r.status == 0, values.count == 2 else { throw SubprocessError("keygen: \(r)") }
    return (values[0], values[1])
}

/// Writes certificates with `zswift keygen --cert DIR/NAME.key`; returns the public key and the
/// two paths (public, secret).
func keygenCertificate(_ dir: String, _ name: String) throws -> (publicKey: String, path: String, secretPath: String) {
    let path = dir + "/" + name + ".key"
    let r = try zswift(["keygen", "--cert", path])
    guard r.status == 0, let line = r.out.split(separator: "\n").first, line.hasPrefix("public-key: ") else {
        throw SubprocessError("keygen --cert: \(r)")
    }
    return (String(line.dropFirst("public-key: ".count)), path, path + "_secret")
}

/// Starts Tests/peers/secure_peer.py and waits until it says it is ready.
func startSecurePeer(_ arguments: [String]) throws -> Process {
    let peer = try Process(["python3", Paths.peer("secure_peer.py")] + arguments)
    try peer.waitForStderr("ready", within: 15)
    return peer
}

/// Runs zswift and how long it took, in seconds.
func timedZswift(_ arguments: [String], environment: [String: String] = [:], within seconds: Double = 15) throws -> (Outcome, Double) {
    let start = Clock.milliseconds()
    let r = try run([Paths.zswift] + arguments, within: seconds, environment: environment)
    return (r, Double(Clock.milliseconds() - start) / 1000)
}

/// A security failure as a newcomer must see it: status 4 (never 3), fast, nothing on stdout,
/// one `zswift: error:` line and one `hint:` line naming `flag`.
func expectRefused(_ r: Outcome, took seconds: Double, hintNames flag: String,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(r.status == 4 && !r.timedOut, "\(r)", sourceLocation: sourceLocation)
    #expect(seconds < 5, "took \(seconds)s: \(r)", sourceLocation: sourceLocation)
    #expect(r.stdout.isEmpty, "\(r)", sourceLocation: sourceLocation)
    let said = lines(r.err)
    #expect(said.count == 2 && said[0].hasPrefix("zswift: error: ") && said[1].hasPrefix("hint: "), "\(r)", sourceLocation: sourceLocation)
    #expect(said.last?.contains(flag) == true, "the hint does not name \(flag): \(r)", sourceLocation: sourceLocation)
}

/// A --plain-users file of mode 0600 in a new directory.
func plainUsersFile(_ text: String) throws -> String {
    let path = Paths.temporaryDirectory() + "/users.txt"
    let r = try run(["sh", "-c", "umask 077; cat > \"$0\"", path], input: Array(text.utf8))
    guard r.status == 0 else { throw SubprocessError("writing \(path): \(r)") }
    return path
}

// MARK: - CURVE between zswift and pyzmq

@Test func aZswiftCurveClientIsAnsweredByAPyzmqServerThatListsItsKeyAndRefusedWithStatusFourWhenNot() throws {
    // zswift's certificates, loaded by pyzmq: the server's pair by zmq.auth.load_certificate,
    // the allowed client's public certificate by the authenticator's configure_curve(location=DIR)
    let dir = Paths.temporaryDirectory(), allowed = Paths.temporaryDirectory()
    let server = try keygenCertificate(dir, "server")
    let client = try keygenCertificate(allowed, "client")
    let stranger = try keygenCertificate(dir, "stranger")
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let peer = try startSecurePeer(["server", endpoint, "--curve-secret-file", server.secretPath, "--curve-allow-dir", allowed])
    defer { peer.signal(SIGKILL) }

    let (ok, _) = try timedZswift(["req", "-c", endpoint, "--curve-server-key", "@" + server.path,
                                   "--curve-secret-key", "@" + client.secretPath, "-d", "through CURVE", "-t", "10s"])
    #expect(ok.status == 0 && ok.out == "through CURVE\n", "\(ok)")

    let (unlisted, took) = try timedZswift(["req", "-c", endpoint, "--curve-server-key", server.publicKey,
                                            "--curve-secret-key", "@" + stranger.secretPath, "-d", "x"])
    expectRefused(unlisted, took: took, hintNames: "--curve-allow")
    let (fresh, tookFresh) = try timedZswift(["req", "-c", endpoint, "--curve-server-key", server.publicKey, "-d", "x", "-t", "3s"])
    expectRefused(fresh, took: tookFresh, hintNames: "--curve-allow")
}

@Test func aZswiftCurveClientWithANewPairIsAnsweredByAPyzmqServerThatAllowsAnyKey() throws {
    let server = try keygenCertificate(Paths.temporaryDirectory(), "server")
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let peer = try startSecurePeer(["server", endpoint, "--curve-secret-file", server.secretPath, "--curve-allow-any"])
    defer { peer.signal(SIGKILL) }
    let r = try zswift(["req", "-c", endpoint, "--curve-server-key", server.publicKey, "-d", "any key will do", "-t", "10s"])
    #expect(r.status == 0 && r.out == "any key will do\n", "\(r)")
}

@Test func aPyzmqCurveClientIsAnsweredByAZswiftServerThatListsItAndRefusedWithAReasonWhenNot() throws {
    let dir = Paths.temporaryDirectory()
    let server = try keygenCertificate(dir, "server")
    let client = try keygenCertificate(dir, "client")
    let stranger = try keygenCertificate(dir, "stranger")
    let (rep, endpoint) = try startBound("rep", ["--echo", "--curve-server", "--curve-secret-key", "@" + server.secretPath,
                                                 "--curve-allow", "@" + client.path])
    defer { rep.signal(SIGKILL) }
    let ok = try run(["python3", Paths.peer("secure_peer.py"), "client", endpoint, "--curve-server-key", server.publicKey,
                      "--curve-secret-file", client.secretPath, "--send", "from pyzmq"], within: 15)
    #expect(ok.status == 0 && ok.out == "from pyzmq\n", "\(ok)")
    try rep.waitForStderr("let in 127.0.0.1 (CURVE, user id \(client.publicKey)): its key is in --curve-allow", within: 5)

    let refused = try run(["python3", Paths.peer("secure_peer.py"), "client", endpoint, "--curve-server-key", server.publicKey,
                           "--curve-secret-file", stranger.secretPath, "--timeout", "3"], within: 15)
    #expect(refused.status != 0 && refused.stdout.isEmpty, "the refused client got a reply: \(refused)")
    try rep.waitForStderr("refused 127.0.0.1 (CURVE): its key \(stranger.publicKey) is not in --curve-allow", within: 5)
}

@Test func aZswiftCurveServerWithoutAnAllowListAnswersAPyzmqClientWithAnyKeyAndSaysSoUnderVerbose() throws {
    let server = try keygenCertificate(Paths.temporaryDirectory(), "server")
    let (rep, endpoint) = try startBound("rep", ["--echo", "--curve-server", "--curve-secret-key", "@" + server.secretPath])
    defer { rep.signal(SIGKILL) }
    let r = try run(["python3", Paths.peer("secure_peer.py"), "client", endpoint, "--curve-server-key", server.publicKey,
                     "--send", "new pair"], within: 15)
    #expect(r.status == 0 && r.out == "new pair\n", "\(r)")
    let err = try rep.waitForStderr("any key (no --curve-allow)", within: 5)
    #expect(occurrences(of: "accepts any client key", in: err) == 1, "\(err)")
}

@Test func certificatesFromPyzmqsCreateCertificatesServeZswiftOnBothSidesOfAHandshake() throws {
    // pyzmq writes NAME.key and NAME.key_secret (readable by others: zswift warns); an allow-list
    // directory holding a secret certificate skips it with a warning and still takes the public one
    let dir = Paths.temporaryDirectory()
    let made = try run(["python3", "-c", """
        import os, sys, zmq.auth
        d = sys.argv[1]; os.mkdir(d + "/clients")
        zmq.auth.create_certificates(d, "server"); zmq.auth.create_certificates(d + "/clients", "client")
        print(zmq.auth.load_certificate(d + "/clients/client.key")[0].decode())
        """, dir], within: 15)
    #expect(made.status == 0, "\(made)")
    let clientKey = made.out.split(separator: "\n").first.map(String.init) ?? ""
    let (rep, endpoint) = try startBound("rep", ["--curve-server", "--curve-secret-key", "@\(dir)/server.key_secret",
                                                 "--curve-allow", "@\(dir)/clients", "--exec", "echo \"$ZSWIFT_USER_ID\""])
    defer { rep.signal(SIGKILL) }
    let r = try zswift(["req", "-c", endpoint, "--curve-server-key", "@\(dir)/server.key",
                        "--curve-secret-key", "@\(dir)/clients/client.key_secret", "-d", "x", "-t", "10s"])
    #expect(r.status == 0 && r.out == clientKey + "\n", "\(r)")
    let err = try rep.waitForStderr("let in", within: 5)
    #expect(err.contains("--curve-allow: skipped \(dir)/clients/client.key_secret"), "\(err)")
    #expect(err.contains("\(dir)/server.key_secret holds a secret key and is readable by group or others"), "\(err)")
}

// MARK: - PLAIN

@Test func aPlainServerAnswersListedUsersWithTheirNameAndRefusesAWrongPassword() throws {
    let users = try plainUsersFile("# who may come in\nalice:s3cret\nbob:with:colons\n")
    let (rep, endpoint) = try startBound("rep", ["--plain-users", "@" + users, "--exec", "echo \"$ZSWIFT_USER_ID\""])
    defer { rep.signal(SIGKILL) }
    let alice = try zswift(["req", "-c", endpoint, "--plain-user", "alice:s3cret", "-d", "x", "-t", "10s"])
    #expect(alice.status == 0 && alice.out == "alice\n", "\(alice)")
    let bob = try run([Paths.zswift, "req", "-c", endpoint, "-d", "x", "-t", "10s"], within: 15, environment: ["ZSWIFT_PLAIN_USER": "bob:with:colons"])
    #expect(bob.status == 0 && bob.out == "bob\n", "\(bob)")
    let pyzmq = try run(["python3", Paths.peer("secure_peer.py"), "client", endpoint, "--plain-user", "alice:s3cret"], within: 15)
    #expect(pyzmq.status == 0 && pyzmq.out == "alice\n", "\(pyzmq)")

    let (wrong, took) = try timedZswift(["req", "-c", endpoint, "--plain-user", "alice:guess", "-d", "x"])
    expectRefused(wrong, took: took, hintNames: "--plain-user")
    try rep.waitForStderr("refused 127.0.0.1 (PLAIN): wrong password for PLAIN user 'alice'", within: 5)
    let pyzmqWrong = try run(["python3", Paths.peer("secure_peer.py"), "client", endpoint, "--plain-user", "mallory:x", "--timeout", "3"], within: 15)
    #expect(pyzmqWrong.status != 0 && pyzmqWrong.stdout.isEmpty, "\(pyzmqWrong)")
}

@Test func aZswiftPlainClientLogsInToAPyzmqAuthenticatorAndIsRefusedWithAWrongPassword() throws {
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let peer = try startSecurePeer(["server", endpoint, "--plain-user", "carol:open sesame"])
    defer { peer.signal(SIGKILL) }
    let ok = try zswift(["req", "-c", endpoint, "--plain-user", "carol:open sesame", "-d", "plain", "-t", "10s"])
    #expect(ok.status == 0 && ok.out == "plain\n", "\(ok)")
    let (wrong, took) = try timedZswift(["req", "-c", endpoint, "--plain-user", "carol:open barley", "-d", "x"])
    expectRefused(wrong, took: took, hintNames: "--plain-user")
}

// MARK: - addresses

@Test(arguments: [(["--deny", "127.0.0.1"], Int32(4)), (["--allow", "10.0.0.0/8"], Int32(4)),
                  (["--allow", "127.0.0.0/8"], Int32(0)), (["--allow", "127.0.0.0/8", "--deny", "127.0.0.1/32"], Int32(4))])
func addressListsDecideWhetherANullPeerGetsIn(flags: [String], status: Int32) throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "-t", "10s"] + flags)
    defer { pull.signal(SIGKILL) }
    let (push, took) = try timedZswift(["push", "-c", endpoint, "-d", "hello"], within: 6)
    if status == 0 {
        #expect(push.status == 0, "\(push)")
        let got = pull.wait(within: 10)
        #expect(got.status == 0 && got.out == "hello\n", "\(got)")
    } else {
        try pull.waitForStderr("refused 127.0.0.1 (NULL): address 127.0.0.1 is ", within: 5)
        #expect(pull.stdout.isEmpty)
        expectRefused(push, took: took, hintNames: "--allow or --deny")
    }
}

@Test func aServerThatRefusesManyNullClientsAtOnceKeepsRunning() throws {
    // a flood of refused clients outruns the monitor's events: a handshake failure that matches
    // no connection is still the bound side's, never taken for the server's own failure
    let (pull, endpoint) = try startBound("pull", ["--deny", "127.0.0.0/8"])
    defer { pull.signal(SIGKILL) }
    let clients = try (0..<30).map { _ in try startZswift(["push", "-c", endpoint, "-d", "x", "-t", "3s"]) }
    let statuses = clients.map { $0.wait(within: 10).status }
    try pull.waitForStderr("refused 127.0.0.1", within: 5)
    pull.pump(waitMilliseconds: 200)
    let err = String(decoding: pull.stderr, as: UTF8.self)
    #expect(!err.contains("zswift: error:"), "the server ended: \(err)")
    #expect(statuses.allSatisfy { $0 == 4 }, "\(statuses)")
}

@Test func aRefusedNullClientExitsFourEveryTimeAndNeverHangs() throws {
    // two ways a refused NULL client once never ended without -t: a push whose refusal was read
    // before its wait for a handshake began, and a req whose server reset the connection before
    // its ERROR command could be read (a run of handshakes broken off now ends the run)
    let (rep, endpoint) = try startBound("rep", ["--echo", "--deny", "127.0.0.1"])
    defer { rep.signal(SIGKILL) }
    for command in ["push", "req"] {
        for _ in 0..<8 {
            let (r, took) = try timedZswift([command, "-c", endpoint, "-d", "x"], within: 5)
            expectRefused(r, took: took, hintNames: "--allow or --deny")
            if r.status != 4 { break }  // one hang is enough to show it
        }
    }
}

// MARK: - failures in bounded time

/// A handshake that cannot succeed: the server it meets, the client's flags, the flag its hint names.
enum Mismatch: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case wrongServerKey, refusedKey, wrongPassword
    case nullClientOfCurveServer, plainClientOfCurveServer, curveClientOfNullServer, curveClientOfPlainServer, plainClientOfNullServer

    var testDescription: String { rawValue }

    /// (server flags, client flags, what the hint names)
    func setUp() throws -> ([String], [String], String) {
        let (serverPublic, serverSecret) = try keygenPair()
        let curveServer = ["--curve-server", "--curve-secret-key", serverSecret]
        let plainServer = ["--plain-users", "@" + (try plainUsersFile("alice:s3cret\n"))]
        switch self {
        case .wrongServerKey: return (curveServer, ["--curve-server-key", try keygenPair().0], "--curve-server-key")
        case .refusedKey: return (curveServer + ["--curve-allow", try keygenPair().0], ["--curve-server-key", serverPublic], "--curve-allow")
        case .wrongPassword: return (plainServer, ["--plain-user", "alice:wrong"], "--plain-user")
        case .nullClientOfCurveServer: return (curveServer, [], "--curve-server-key")
        case .plainClientOfCurveServer: return (curveServer, ["--plain-user", "alice:s3cret"], "--plain-user")
        case .curveClientOfNullServer: return ([], ["--curve-server-key", serverPublic], "--curve-server-key")
        case .curveClientOfPlainServer: return (plainServer, ["--curve-server-key", serverPublic], "--curve-server-key")
        case .plainClientOfNullServer: return ([], ["--plain-user", "alice:s3cret"], "--plain-user")
        }
    }
}

@Test(arguments: Mismatch.allCases, [[], ["-t", "3s"]])
func aHandshakeThatCannotSucceedExitsFourWithinSecondsWithAHintNamingTheFlag(mismatch: Mismatch, timeout: [String]) throws {
    let (server, client, flag) = try mismatch.setUp()
    let (rep, endpoint) = try startBound("rep", ["--echo"] + server)
    defer { rep.signal(SIGKILL) }
    let (r, took) = try timedZswift(["req", "-c", endpoint, "-d", "x"] + client + timeout)
    expectRefused(r, took: took, hintNames: flag)
}

@Test func aCurveClientOfANullOrPlainServerIsNeverToldOnlyOfAWrongKey() throws {
    // libzmq's NULL or PLAIN server may reset the connection before the CURVE client reads its
    // ERROR (mechanism mismatch): then all the client knows is three handshakes broken off, and
    // it says both what that means for a CURVE server and that the server may be none
    let (serverPublic, _) = try keygenPair()
    let (null, nullEndpoint) = try startBound("rep", ["--echo"])
    let (plain, plainEndpoint) = try startBound("rep", ["--echo", "--plain-server"])
    defer { null.signal(SIGKILL); plain.signal(SIGKILL) }
    for endpoint in [nullEndpoint, plainEndpoint] {
        for _ in 0..<10 {
            let r = try zswift(["req", "-c", endpoint, "--curve-server-key", serverPublic, "-d", "x"], within: 15)
            #expect(r.status == 4 && (r.err.contains("security mechanism mismatch") || r.err.contains("or it is no CURVE server, or its socket type does not go with this one")), "\(r)")
        }
    }
}

// MARK: - secrets, user ids, events

@Test func noSecretKeyOrPasswordAppearsInAnyOutputEvenWithEveryDiagnosticOn() throws {
    let (serverPublic, serverSecret) = try keygenPair()
    let (_, clientSecret) = try keygenPair()
    let password = "pw-\(serverSecret.prefix(8))-never-shown"
    let loud = ["-vv", "--events", "json", "--stats"]
    let (rep, endpoint) = try startBound("rep", loud + ["--echo", "--curve-server", "--curve-secret-key", serverSecret])
    let (plainRep, plainEndpoint) = try startBound("rep", loud + ["--echo", "--plain-users", "@" + (try plainUsersFile("alice:\(password)\n"))])
    defer { rep.signal(SIGKILL); plainRep.signal(SIGKILL) }
    let client = ["req", "-c", endpoint, "--curve-server-key", serverPublic, "-d", "x", "-t", "10s"] + loud
    var outcomes = [
        try zswift(client + ["--curve-secret-key", clientSecret]),
        try run([Paths.zswift] + client, within: 15, environment: ["ZSWIFT_CURVE_SECRET_KEY": clientSecret]),
        try run([Paths.zswift, "req", "-c", endpoint, "--curve-server-key", try keygenPair().0, "-d", "x"] + loud, within: 15,
                environment: ["ZSWIFT_CURVE_SECRET_KEY": clientSecret]),
        try zswift(["req", "-c", plainEndpoint, "--plain-user", "alice:\(password)", "-d", "x", "-t", "10s"] + loud),
        try run([Paths.zswift, "req", "-c", plainEndpoint, "-d", "x"] + loud, within: 15,
                environment: ["ZSWIFT_PLAIN_USER": "alice:\(password)x"]),
        // a key one character short of valid is refused without being echoed
        try zswift(["pull", "-b", "tcp://127.0.0.1:9", "--curve-server", "--curve-secret-key", String(serverSecret.dropLast()) + "~"]),
    ]
    #expect(outcomes.map(\.status) == [0, 0, 4, 0, 4, 2], "\(outcomes)")
    rep.signal(SIGTERM)
    plainRep.signal(SIGTERM)
    outcomes += [rep.wait(within: 10), plainRep.wait(within: 10)]
    for r in outcomes {
        let text = r.out + r.err
        #expect(!text.contains(serverSecret) && !text.contains(clientSecret) && !text.contains(serverSecret.dropLast()), "\(r)")
        #expect(!text.contains(password), "\(r)")
    }
}

@Test func execGetsTheCurveClientsPublicKeyAsItsUserId() throws {
    let (serverPublic, serverSecret) = try keygenPair()
    let (clientPublic, clientSecret) = try keygenPair()
    let (rep, endpoint) = try startBound("rep", ["--curve-server", "--curve-secret-key", serverSecret, "--exec", "echo \"$ZSWIFT_USER_ID\""])
    defer { rep.signal(SIGKILL) }
    let known = try zswift(["req", "-c", endpoint, "--curve-server-key", serverPublic, "--curve-secret-key", clientSecret, "-d", "x", "-t", "10s"])
    #expect(known.status == 0 && known.out == clientPublic + "\n", "\(known)")
    // a client without a pair gets a new one and says its public key under -v
    let fresh = try zswift(["req", "-v", "-c", endpoint, "--curve-server-key", serverPublic, "-d", "x", "-t", "10s"])
    let said = "zswift: CURVE client public key: "
    let announced = lines(fresh.err).first { $0.hasPrefix(said) }.map { String($0.dropFirst(said.count).prefix(40)) }
    #expect(fresh.status == 0 && announced != nil && fresh.out == (announced ?? "") + "\n", "\(fresh)")
}

@Test func eventsJsonSaysWhoWasAuthenticatedAndWhoWasRefusedAndWhy() throws {
    let (serverPublic, serverSecret) = try keygenPair()
    let (clientPublic, clientSecret) = try keygenPair()
    let (rep, endpoint) = try startBound("rep", ["--echo", "--events", "json", "--curve-server", "--curve-secret-key", serverSecret,
                                                 "--curve-allow", clientPublic])
    defer { rep.signal(SIGKILL) }
    let ok = try zswift(["req", "-c", endpoint, "--curve-server-key", serverPublic, "--curve-secret-key", clientSecret, "-d", "x", "-t", "10s"])
    #expect(ok.status == 0, "\(ok)")
    let (refused, took) = try timedZswift(["req", "-c", endpoint, "--curve-server-key", serverPublic, "-d", "x"])
    expectRefused(refused, took: took, hintNames: "--curve-allow")
    let err = try rep.waitForStderr(#""event":"refused""#, within: 5)
    let events = lines(err).filter { $0.hasPrefix("{") }
    #expect(events.contains { $0.contains(#""event":"authenticated""#) && $0.contains(#""mechanism":"CURVE""#)
        && $0.contains(#""user_id":"\#(clientPublic)""#) && $0.contains(#""address":"127.0.0.1""#) }, "\(err)")
    #expect(events.contains { $0.contains(#""event":"refused""#) && $0.contains(#""reason":"its key "#)
        && $0.contains(#"is not in --curve-allow""#) }, "\(err)")
}

// MARK: - broker, server keys

@Test func aCurveBrokerFrontendServesCurveClientsThroughPlainWorkersAndRefusesOthers() throws {
    let dir = Paths.temporaryDirectory()
    let server = try keygenCertificate(dir, "broker")
    let client = try keygenCertificate(dir, "client")
    let frontend = "tcp://127.0.0.1:\(Paths.freePort())", backend = "tcp://127.0.0.1:\(Paths.freePort())"
    let broker = try startZswift(["broker", "-v", "--frontend", frontend, "--backend", backend, "--curve-server",
                                  "--curve-secret-key", "@" + server.secretPath, "--curve-allow", "@" + client.path])
    defer { broker.signal(SIGKILL) }
    try broker.waitForStderr("bound to \(backend)", within: 10)
    let workers = try (1...2).map { _ in try startZswift(["rep", "--echo", "-c", backend]) }
    defer { workers.forEach { $0.signal(SIGKILL) } }
    let ok = try zswift(["req", "-c", frontend, "--curve-server-key", "@" + server.path, "--curve-secret-key", "@" + client.secretPath,
                         "-d", "via the broker", "-t", "10s"])
    #expect(ok.status == 0 && ok.out == "via the broker\n", "\(ok)")
    let (null, took) = try timedZswift(["req", "-c", frontend, "-d", "x"])
    expectRefused(null, took: took, hintNames: "--curve-server-key")
    let (stranger, tookStranger) = try timedZswift(["req", "-c", frontend, "--curve-server-key", server.publicKey, "-d", "x"])
    expectRefused(stranger, took: tookStranger, hintNames: "--curve-allow")
}

@Test func aCurveBrokerBackendServesCurveWorkersBehindAPlainFrontend() throws {
    let (serverPublic, serverSecret) = try keygenPair()
    let frontend = "tcp://127.0.0.1:\(Paths.freePort())", backend = "tcp://127.0.0.1:\(Paths.freePort())"
    let broker = try startZswift(["broker", "-v", "--frontend", frontend, "--backend", backend, "--secure", "backend",
                                  "--curve-server", "--curve-secret-key", serverSecret])
    defer { broker.signal(SIGKILL) }
    try broker.waitForStderr("bound to \(backend)", within: 10)
    let worker = try startZswift(["rep", "--echo", "-c", backend, "--curve-server-key", serverPublic])
    let nullWorker = try startZswift(["rep", "-c", backend, "-d", "unsecured worker"])
    defer { worker.signal(SIGKILL); nullWorker.signal(SIGKILL) }
    let r = try zswift(["req", "-c", frontend, "-t", "10s"], input: "one\ntwo\nthree\n")
    #expect(r.status == 0 && r.out == "one\ntwo\nthree\n", "\(r)")
    let refused = nullWorker.wait(within: 10)
    #expect(refused.status == 4, "\(refused)")
}

@Test func aCurveServerWithoutASecretKeyPrintsItsNewPublicKeyWhichClientsThenUse() throws {
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let rep = try startZswift(["rep", "--echo", "-b", endpoint, "--curve-server"])  // no -v: said all the same
    defer { rep.signal(SIGKILL) }
    let err = try rep.waitForStderr("clients give --curve-server-key", within: 10)
    let line = lines(err).first { $0.hasPrefix("zswift: CURVE server public key: ") } ?? ""
    let key = String(line.dropFirst("zswift: CURVE server public key: ".count).prefix(40))
    #expect(key.count == 40 && line.contains("--curve-server-key '\(key)'"), "\(err)")
    let r = try zswift(["req", "-c", endpoint, "--curve-server-key", key, "-d", "printed key", "-t", "10s"])
    #expect(r.status == 0 && r.out == "printed key\n", "\(r)")
    let env = try run([Paths.zswift, "req", "-c", endpoint, "-d", "key from env", "-t", "10s"], within: 15,
                      environment: ["ZSWIFT_CURVE_SERVER_KEY": key])
    #expect(env.status == 0 && env.out == "key from env\n", "\(env)")
}

// MARK: - usage errors

/// A valid Z85 key (the zguide's test server secret), for flags whose value is fine.
let someKey = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"

@Test(arguments: [
    (["pull", "--curve-server", "--curve-secret-key", "notakey"], "--curve-secret-key"),
    (["pull", "--curve-server", "--curve-secret-key", String(someKey.dropLast()) + "~"], "--curve-secret-key"),
    (["pull", "--curve-server", "--curve-secret-key", "@/nonexistent/zswift/server.key_secret"], "--curve-secret-key"),
    (["push", "--curve-server-key", "@/nonexistent/zswift/server.key"], "--curve-server-key"),
    (["pull", "--curve-allow", someKey], "--curve-allow"),
    (["pull", "--curve-server", "--curve-allow", "@/nonexistent/zswift/keys"], "--curve-allow"),
    (["pull", "--curve-server", "--curve-server-key", someKey], "--curve-server-key"),
    (["push", "--curve-secret-key", someKey], "--curve-secret-key"),
    (["pull", "--plain-server", "--curve-server"], "--plain-server"),
    (["push", "--curve-server-key", someKey, "--allow", "127.0.0.1"], "--allow"),
    (["pull", "--plain-users", "users.txt"], "--plain-users"),
    (["push", "--plain-user", "nocolon"], "--plain-user"),
    (["broker", "--frontend", "tcp://127.0.0.1:8", "--backend", "tcp://127.0.0.1:9", "--secure", "both"], "--secure"),
    (["pull", "--allow", "10.0.0.0/33"], "--allow"),
    (["pull", "--deny", "300.1.1.1"], "--deny"),
])
func aBadSecurityFlagIsAUsageErrorNamingIt(words: [String], flag: String) throws {
    let endpoint = words[0] == "broker" ? [] : [words[0] == "pull" ? "-b" : "-c", "tcp://127.0.0.1:9", "-t", "1s"]
    let r = try zswift(words + endpoint, within: 10)
    #expect(r.status == 2 && r.stdout.isEmpty, "\(r)")
    let said = lines(r.err)
    #expect(said.count == 2 && said[0].hasPrefix("zswift: error: ") && said[0].contains(flag) && said[1].hasPrefix("hint: "), "\(r)")
}

@Test(arguments: [("ZSWIFT_CURVE_SERVER_KEY", "bad", []), ("ZSWIFT_CURVE_SECRET_KEY", "@/nonexistent/zswift/key_secret", ["--curve-server-key", someKey]),
                  ("ZSWIFT_PLAIN_USER", "nocolon", [])])
func aBadSecurityEnvironmentVariableIsAUsageErrorNamingIt(name: String, value: String, flags: [String]) throws {
    // (ZSWIFT_CURVE_SECRET_KEY stands for --curve-secret-key only where a CURVE role is given)
    let r = try run([Paths.zswift, "push", "-c", "tcp://127.0.0.1:9", "-d", "x", "-t", "1s"] + flags, within: 10, environment: [name: value])
    #expect(r.status == 2 && r.stdout.isEmpty, "\(r)")
    #expect(r.err.hasPrefix("zswift: error: \(name): ") && lines(r.err).count == 2, "\(r)")
}
