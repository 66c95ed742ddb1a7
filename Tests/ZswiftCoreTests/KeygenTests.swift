// keygen in process: no socket flag applies to it, its flags' rules, its handler runs without a
// scope (no context, no socket) and writes certificates with their modes, never overwriting and
// taking back a secret whose public certificate could not be written.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

// MARK: - Flags

@Test func theOnlyFlagsThatApplyToKeygenAreItsOwnHelpAndVersion() {
    let flags = Flag.all.filter { $0.commands.contains(.keygen) }.map(\.long)
    #expect(flags == ["help", "version", "cert", "meta"])
    #expect(!CommandSet.networked.contains(.keygen) && CommandSet.networked.commands == Command.allCases.filter { $0 != .keygen && $0 != .probe && $0 != .bench })
}

@Test(arguments: Flag.all.filter { !$0.commands.contains(.keygen) }.map(\.long))
func everyOtherFlagIsAUsageErrorOnKeygen(long: String) throws {
    let flag = try #require(Flag.named(long))
    let words = ["keygen", "--" + long] + (flag.takesValue && flag.optionalValue == nil ? [Parser.example(for: flag)] : [])
    let error = try #require(usageError(words), "\(words) was accepted")
    #expect(error.message == "--\(long) does not apply to keygen", "\(error)")
}

@Test func shortSocketFlagsAreUsageErrorsOnKeygenButHelpAndVersionWork() throws {
    for words in [["-b", ":5555"], ["-c", ":5555"], ["-t", "1s"], ["-o", "linger=0"], ["-v"], ["-n", "1"], ["-f", "json"]] {
        #expect(usageError(["keygen"] + words)?.message.contains("does not apply to keygen") == true, "\(words)")
    }
    guard case .help(.keygen, .short) = try parse("keygen", "-h") else { Issue.record("-h"); return }
    guard case .help(.keygen, .long) = try parse("keygen", "--help") else { Issue.record("--help"); return }
    guard case .version = try parse("keygen", "-V") else { Issue.record("-V"); return }
}

@Test func keygenAloneNeitherPrintsCertificatesNorTakesAnEndpoint() throws {
    let plain = try invocation("keygen")
    #expect(plain.keygen == KeygenSettings() && plain.endpoints.isEmpty && plain.broker == nil)
    #expect(usageError("keygen", "tcp://127.0.0.1:5555")?.message == "keygen opens no socket, so it takes no endpoint (got 'tcp://127.0.0.1:5555')")
}

@Test func certAndMetaGiveTheCertificateNamesAndTheMetadataInOrder() throws {
    let settings = try #require(try invocation("keygen", "--cert", "dir/server.key", "--meta", "name=server", "--meta", "note=a=b c").keygen)
    #expect(settings.certificate == "dir/server.key" && settings.secretCertificate == "dir/server.key_secret")
    #expect(settings.metadata == [.init(name: "name", value: "server"), .init(name: "note", value: "a=b c")])
}

@Test(arguments: [
    (["--meta", "a=b"], "goes into a certificate, and no --cert was given"),
    (["--cert", "x", "--meta", "a=1", "--meta", "a=2"], "--meta a is given twice"),
    (["--cert", "x", "--meta", "novalue"], "has no ="),
    (["--cert", "x", "--meta", "=v"], "--meta KEY=VALUE: the name is empty"),
    (["--cert", "x", "--meta", "a b=v"], "a name is letters"),
    (["--cert", "x", "--meta", "secret-key=v"], "would be read as a key"),
    (["--cert", "x", "--meta", "n=it's \"x\""], "both ' and \""),
    (["--cert", ""], "--cert: the name is empty"),
    (["--cert", "certs/"], "names a directory"),
])
func badKeygenFlagsAreUsageErrorsThatSayWhy(words: [String], says: String) {
    let error = usageError(["keygen"] + words)
    #expect(error?.message.contains(says) == true, "\(String(describing: error))")
    #expect(error?.hint != nil)
}

@Test func keygenProbeAndBenchRunAloneWithoutAScopeWhileEveryOtherCommandRunsInOne() {
    for command in Command.allCases {
        switch command.spec.handler {
        case .alone: #expect([.keygen, .probe, .bench].contains(command) && command.spec.socket == nil && !command.opensSockets)
        case .scoped: #expect(![.keygen, .probe, .bench].contains(command) && command.opensSockets)
        }
    }
}

@Test func keygenHelpShowsNoEndpointInItsUsage() {
    #expect(Help.command(.keygen, .short).contains("Usage: zswift keygen [OPTIONS]\n"))
    #expect(Help.command(.pull, .short).contains("Usage: zswift pull [OPTIONS] [ENDPOINT ...]\n"))
}

// MARK: - The handler

/// Runs keygen with `words` (after "keygen") in process; its stdout, stderr and the exit it threw.
func runKeygen(_ words: [String]) throws -> (out: String, error: Exit?) {
    let dir = Paths.temporaryDirectory()
    let out = open(dir + "/out", O_RDWR | O_CREAT, 0o600), err = open(dir + "/err", O_RDWR | O_CREAT, 0o600)
    defer { close(out); close(err) }
    let invocation = try Invocation(rawArguments(["keygen"] + words))
    var thrown: Exit?
    do throws(Exit) {
        try KeygenCommand.run(invocation, io: StandardIO(input: 0, output: out, error: err), diagnostics: Diagnostics(fd: err))
    } catch { thrown = error }
    return (readText(dir + "/out") ?? "", thrown)
}

@Test func keygenPrintsALabelledPairPublicFirst() throws {
    let (out, error) = try runKeygen([])
    if let error { Issue.record("keygen threw \(error)") }
    let lines = out.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3 && lines[2].isEmpty, "\(out)")
    #expect(lines[0].hasPrefix("public-key: ") && lines[1].hasPrefix("secret-key: "))
    let secret = try #require(CurveKey(z85: String(lines[1].dropFirst(12)), kind: .secret))
    #expect(try CurveKeys(secretKey: secret).publicKey.text == String(lines[0].dropFirst(12)))
}

@Test func keygenWritesAPublicAndASecretCertificateWithTheirModesAndPrintsNoSecret() throws {
    let name = Paths.temporaryDirectory() + "/demo"
    let (out, error) = try runKeygen(["--cert", name, "--meta", "name=demo"])
    if let error { Issue.record("keygen threw \(error)") }
    let publicFile = try CertificateFile.read(name), secretFile = try CertificateFile.read(name + "_secret")
    #expect(secretFile.mode == 0o600 && publicFile.mode & 0o022 == 0, "\(publicFile.mode) \(secretFile.mode)")
    let secret = try Certificate(parsing: secretFile.bytes), shared = try Certificate(parsing: publicFile.bytes)
    #expect(shared.secretKey == nil && shared.publicKey == secret.publicKey && shared.metadata == secret.metadata)
    #expect(out == "public-key: \(secret.publicKey.text)\npublic-certificate: \(name)\nsecret-certificate: \(name)_secret\n")
    #expect(secret.metadata.map(\.name) == ["created-by", "created-at", "name"])
}

@Test func keygenRefusesToOverwriteEitherCertificateAndWritesNothing() throws {
    for existing in ["demo", "demo_secret"] {
        let dir = Paths.temporaryDirectory()
        _ = writeFile(existing, "mine\n", mode: 0o644, in: dir)
        let (out, error) = try runKeygen(["--cert", dir + "/demo"])
        guard case let .failed(status, message, hint)? = error else { Issue.record("no refusal: \(out)"); continue }
        #expect(status == .failure && message == "\(dir)/\(existing) exists: keygen never overwrites a certificate" && hint != nil)
        #expect(readText(dir + "/" + existing) == "mine\n" && out.isEmpty)
        #expect(!CertificateFile.exists(dir + (existing == "demo" ? "/demo_secret" : "/demo")))
    }
}

@Test func aSecretCertificateIsTakenBackWhenItsPublicOneCannotBeWritten() throws {
    let dir = Paths.temporaryDirectory()
    #expect(throws: Exit.self) {
        try KeygenCommand.write(try CurveKeys.generate(), publicPath: dir + "/missing/demo", secretPath: dir + "/demo_secret", metadata: [])
    }
    #expect(!CertificateFile.exists(dir + "/demo_secret"))
}

@Test func createdByAndCreatedAtComeFirstAndAMetaOfTheirNameReplacesThem() {
    let entries = KeygenCommand.stamped([.init(name: "x", value: "1"), .init(name: "created-at", value: "then")], createdAt: "now")
    #expect(entries == [.init(name: "created-by", value: "zswift \(Version.zswift)"), .init(name: "created-at", value: "then"), .init(name: "x", value: "1")])
}

@Test func utcTimesReadAsISO8601AndAsTheBannerHasThem() {
    let time = UTCTime(year: 2025, month: 1, day: 31, hour: 9, minute: 5, second: 0)
    #expect(time.iso8601 == "2025-01-31T09:05:00Z" && time.readable == "2025-01-31 09:05:00 UTC")
}
