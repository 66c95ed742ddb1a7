// CURVE keys given as KEY|@FILE: the 40-character Z85 rule, the @ edge cases, certificate files
// (missing, unreadable, not a certificate, public where a secret is needed, readable by others),
// the environment variables that stand for flags, and that no message ever shows a secret key.
import Glibc
import Testing
import TestSupport
import ZMQ
@testable import ZswiftCore

// The key pairs of the zmq_curve(7) examples.
let serverPublic = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"
let serverSecret = "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6"
let clientPublic = "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"

/// A valid key that begins with @ (@0000 stands for 4228250625, under 2^32).
let keyWithAt = "@0000" + serverPublic.dropFirst(5)

/// Writes `text` to a new file `name` in a new temporary directory with permission bits `mode`.
func writeFile(_ name: String, _ text: String, mode: mode_t = 0o600, in dir: String = Paths.temporaryDirectory()) -> String {
    let path = dir + "/" + name
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
    precondition(fd >= 0, "cannot create \(path)")
    _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    fchmod(fd, mode)
    close(fd)
    return path
}

func secretCertificate(_ secret: String = serverSecret, _ publicKey: String = serverPublic) -> String {
    "metadata\n    name = \"server\"\ncurve\n    public-key = \"\(publicKey)\"\n    secret-key = \"\(secret)\"\n"
}

func publicCertificate(_ publicKey: String = serverPublic) -> String {
    "metadata\ncurve\n    public-key = \"\(publicKey)\"\n"
}

let flagOrigin = ValueOrigin.flag("curve-secret-key")

/// The usage error `body` throws (nil when it throws none), as one text of message and hint.
func errorText<T>(_ body: () throws(UsageError) -> T) -> String? {
    do { _ = try body(); return nil } catch { return error.message + "\n" + (error.hint ?? "") }
}

// MARK: - Keys as text

@Test func fortyCharactersOfZ85AreAKeyWithItsThirtyTwoBytes() throws {
    let key = try #require(CurveKey(z85: serverPublic, kind: .public))
    #expect(key.bytes.count == 32)
    #expect(key.text == serverPublic)
    #expect(Z85.encode(key.bytes) == serverPublic)
}

@Test(arguments: [
    (String(serverPublic.dropLast()), "is 39 characters"),
    (serverPublic + "x", "is 41 characters"),
    (serverPublic.dropLast() + " ", "not Z85 at position 40"),
    (" " + serverPublic, "is 41 characters (with white space at an end)"),
    ("", "is 0 characters"),
    ("_" + serverPublic.dropFirst(), "not Z85 at position 1"),
    ("#####" + serverPublic.dropFirst(5), "more than 32 bits"),
])
func aTextThatIsNotAKeySaysWhyByLengthOrPosition(text: String, says: String) {
    #expect(CurveKey(z85: text, kind: .public) == nil)
    #expect(CurveKey.problem(with: text)?.contains(says) == true, "\(CurveKey.problem(with: text) ?? "nil")")
}

@Test func aSecretKeyDescribesItselfWithoutItsText() throws {
    let key = try #require(CurveKey(z85: serverSecret, kind: .secret))
    #expect(!"\(key)".contains(serverSecret))
    #expect("\(try #require(CurveKey(z85: serverPublic, kind: .public)))" == serverPublic)
}

@Test func aSecretKeyGivenAsTextComesWithItsDerivedPublicKey() throws {
    let keys = try KeyArgument.secretKey(serverSecret, from: flagOrigin).value
    #expect(keys.publicKey.text == serverPublic)
    #expect(keys.secretKey.text == serverSecret)
}

@Test func aGeneratedPairIsAPairWhosePublicKeyDerivesFromItsSecret() throws {
    let keys = try CurveKeys.generate()
    #expect(try CurveKeys(secretKey: keys.secretKey).publicKey == keys.publicKey)
    #expect(keys.publicKey.bytes != keys.secretKey.bytes)
}

// MARK: - The @ rule

@Test func fortyCharactersOfZ85BeginningWithAtAreAKeyNotAFile() throws {
    #expect(CurveKey(z85: keyWithAt, kind: .public) != nil)
    #expect(KeyArgument.reading(keyWithAt) == .key(keyWithAt))
    #expect(try KeyArgument.publicKey(keyWithAt, from: .flag("curve-server-key")).value.text == keyWithAt)
}

@Test func fortyCharactersBeginningWithAtThatAreNotZ85NameAFile() throws {
    let dir = Paths.temporaryDirectory()
    // @ + dir + / + name: 40 characters, one of them (_) not Z85 ('/' and '.' are)
    let name = "c_" + String(repeating: "c", count: 39 - dir.count - 3)
    let path = writeFile(name, publicCertificate(clientPublic), mode: 0o644, in: dir)
    #expect(("@" + path).count == 40)
    #expect(KeyArgument.reading("@" + path) == .file(path))
    #expect(try KeyArgument.publicKey("@" + path, from: .flag("curve-server-key")).value.text == clientPublic)
}

@Test func aFileWhoseAtNameReadsAsAKeyIsNotReadAndAWarningSaysHowToReadItWithoutNamingIt() throws {
    let dir = Paths.temporaryDirectory()
    let name = String(repeating: "c", count: 39 - dir.count - 1)  // '/' and '.' are Z85 too
    let path = writeFile(name, publicCertificate(clientPublic), mode: 0o644, in: dir)
    let checked = try KeyArgument.secretKey("@" + path, from: flagOrigin)
    #expect(checked.value.secretKey.text == "@" + path)
    #expect(checked.warnings.count == 1 && checked.warnings[0].contains("put ./ after the @"), "\(checked.warnings)")
    #expect(!checked.warnings[0].contains(path))
    let reread = try KeyArgument.publicKey("@/" + path, from: .flag("curve-server-key"))
    #expect(reread.value.text == clientPublic && reread.warnings.isEmpty)
}

@Test func anyOtherValueBeginningWithAtNamesAFileAndAnAtAloneNamesNone() {
    #expect(KeyArgument.reading("@server.key") == .file("server.key"))
    #expect(KeyArgument.reading("@@odd") == .file("@odd"))
    #expect(KeyArgument.reading("@") == .file(""))
    #expect(errorText { () throws(UsageError) in try KeyArgument.publicKey("@", from: .flag("curve-server-key")) }?
        .contains("--curve-server-key: @ names no file") == true)
}

@Test func aValueWithoutAtIsAlwaysAKeyAndAFileOfThatNameIsOfferedInTheHint() {
    let path = writeFile("server.key", publicCertificate())
    let text = errorText { () throws(UsageError) in try KeyArgument.publicKey(path, from: .flag("curve-server-key")) }
    #expect(text?.hasPrefix("--curve-server-key: the public key is \(path.count) characters") == true, "\(text ?? "")")
    #expect(text?.contains("write @\(path)") == true, "\(text ?? "")")
}

// MARK: - Certificate files

@Test func aPublicKeyComesFromAPublicOrASecretCertificate() throws {
    let publicFile = writeFile("server.key", publicCertificate(), mode: 0o644)
    let secretFile = writeFile("server.key_secret", secretCertificate())
    #expect(try KeyArgument.publicKey("@" + publicFile, from: .flag("curve-server-key")).value.text == serverPublic)
    #expect(try KeyArgument.publicKey("@" + secretFile, from: .flag("curve-server-key")).value.text == serverPublic)
}

@Test func aSecretKeyComesFromASecretCertificateWithItsPublicKey() throws {
    let file = writeFile("server.key_secret", secretCertificate())
    let checked = try KeyArgument.secretKey("@" + file, from: flagOrigin)
    #expect(checked.value.secretKey.text == serverSecret && checked.value.publicKey.text == serverPublic)
    #expect(checked.warnings.isEmpty)
}

@Test func aPublicCertificateGivenForASecretKeyIsAUsageErrorThatNamesTheSecretFile() {
    let dir = Paths.temporaryDirectory()
    let file = writeFile("server", publicCertificate(), mode: 0o644, in: dir)
    let lone = errorText { () throws(UsageError) in try KeyArgument.secretKey("@" + file, from: flagOrigin) }
    #expect(lone?.contains("--curve-secret-key: \(file) is a public certificate: it has no secret key") == true, "\(lone ?? "")")
    _ = writeFile("server_secret", secretCertificate(), in: dir)
    let paired = errorText { () throws(UsageError) in try KeyArgument.secretKey("@" + file, from: flagOrigin) }
    #expect(paired?.contains("--curve-secret-key @\(file)_secret") == true, "\(paired ?? "")")
}

@Test func aSecretCertificateReadableByGroupOrOthersDrawsOneWarningThatNamesTheFix() throws {
    for mode: mode_t in [0o640, 0o604, 0o644] {
        let file = writeFile("s_secret", secretCertificate(), mode: mode)
        let warnings = try KeyArgument.secretKey("@" + file, from: flagOrigin).warnings
        #expect(warnings.count == 1 && warnings[0].contains("readable by group or others") && warnings[0].contains("chmod 600 \(file)"), "\(warnings)")
        #expect(!warnings.joined().contains(serverSecret))
    }
    let shared = writeFile("p.key", publicCertificate(), mode: 0o644)
    #expect(try KeyArgument.publicKey("@" + shared, from: .flag("curve-server-key")).warnings.isEmpty)
}

@Test(arguments: [
    ("@/nonexistent/zswift/cert", "cannot read the certificate /nonexistent/zswift/cert: no such file or directory"),
    ("@/tmp", "cannot read the certificate /tmp: it is a directory"),
])
func aFileThatCannotBeReadIsAUsageErrorNamingTheFlagAndTheFile(value: String, says: String) {
    let text = errorText { () throws(UsageError) in try KeyArgument.publicKey(value, from: .flag("curve-server-key")) }
    #expect(text?.hasPrefix("--curve-server-key: " + says) == true, "\(text ?? "")")
}

@Test(.enabled(if: geteuid() != 0, "root reads any file"))
func aFileWithoutReadPermissionIsAUsageErrorSayingSo() {
    let file = writeFile("locked", secretCertificate(), mode: 0o000)
    #expect(errorText { () throws(UsageError) in try KeyArgument.secretKey("@" + file, from: flagOrigin) }?.contains("permission denied") == true)
}

@Test(arguments: [
    ("# only a comment\n", "has no curve section"),
    ("hello, world\n", "line 1: expected = after the name"),
    ("curve\n    secret-key = \"\(serverSecret)\"\n", "has no public-key"),
    ("curve\n  public-key = \"\(serverPublic)\"\n", "line 2: indent by 4 spaces"),
    (secretCertificate(serverSecret, clientPublic), "secret-key that is not the pair of its public-key"),
    (secretCertificate(String(serverSecret.dropLast())), "secret-key that is 39 characters"),
])
func aFileThatIsNotAGoodCertificateIsAUsageErrorThatNeverShowsTheSecret(text: String, says: String) {
    let file = writeFile("bad_secret", text)
    let error = errorText { () throws(UsageError) in try KeyArgument.secretKey("@" + file, from: flagOrigin) }
    #expect(error?.contains("is not a CURVE certificate: it ") == true && error?.contains(says) == true, "\(error ?? "")")
    #expect(error?.contains(serverSecret) == false && error?.contains(serverSecret.dropLast()) == false)
}

@Test func aMalformedSecretKeyValueIsNeverRepeatedInItsError() {
    for bad in [serverSecret + "x", "_" + serverSecret.dropFirst(), String(serverSecret.dropLast())] {
        let text = errorText { () throws(UsageError) in try KeyArgument.secretKey(bad, from: flagOrigin) }
        #expect(text?.hasPrefix("--curve-secret-key: the secret key ") == true, "\(text ?? "")")
        #expect(text?.contains(bad) == false && text?.contains(serverSecret.dropFirst().dropLast()) == false)
    }
}

// MARK: - The environment

@Test func aFlagGivenWinsOverItsEnvironmentVariable() {
    let environment = ["ZSWIFT_CURVE_SECRET_KEY": serverSecret]
    let value = EnvironmentDefault.curveSecretKey.value(given: "@mine", environment: { environment[$0] })
    #expect(value?.text == "@mine" && value?.origin == .flag("curve-secret-key"))
}

@Test func anAbsentFlagTakesItsEnvironmentVariableAndAnEmptyOneIsUnset() {
    let environment = ["ZSWIFT_CURVE_SERVER_KEY": serverPublic, "ZSWIFT_PLAIN_USER": ""]
    let server = EnvironmentDefault.curveServerKey.value(given: nil, environment: { environment[$0] })
    #expect(server?.text == serverPublic && server?.origin.name == "ZSWIFT_CURVE_SERVER_KEY")
    #expect(EnvironmentDefault.plainUser.value(given: nil, environment: { environment[$0] }) == nil)
    #expect(EnvironmentDefault.curveSecretKey.value(given: nil, environment: { environment[$0] }) == nil)
}

@Test func theVariablesAreNamedAfterTheFlagsTheyStandFor() {
    for variable in EnvironmentDefault.allCases {
        #expect(variable.rawValue == "ZSWIFT_" + variable.flag.uppercased().replacing("-", with: "_"))
        #expect(variable.doc.contains("--" + variable.flag))
    }
}

@Test func theProcessEnvironmentIsWhatIsReadWhenNoLookupIsGiven() {
    #expect(EnvironmentDefault.variable("PATH") == String(cString: getenv("PATH")))
    #expect(EnvironmentDefault.variable("ZSWIFT_TEST_UNSET_VARIABLE") == nil)
}

@Test func theManPageListsEachVariableOnceItsFlagExistsAndNoOther() {
    let section = Generate.environmentSection()
    for variable in EnvironmentDefault.allCases {
        #expect(section.contains(".B \(variable.rawValue)\n") == (Flag.named(variable.flag) != nil), "\(variable.rawValue)")
    }
    #expect(Generate.text("man").contains(".SH ENVIRONMENT\n") == !section.isEmpty)
}

@Test func aBadKeyFromTheEnvironmentNamesTheVariableNotTheFlag() {
    let text = errorText { () throws(UsageError) in try KeyArgument.secretKey("short", from: EnvironmentDefault.curveSecretKey.origin) }
    #expect(text?.hasPrefix("ZSWIFT_CURVE_SECRET_KEY: the secret key is 5 characters") == true, "\(text ?? "")")
}
