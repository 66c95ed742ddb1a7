// Messages about values that may be secret: -o curve_secretkey= and -o plain_password= never show
// their value (usage errors, refusals by libzmq, runtime errors), a file that holds bare keys
// instead of a certificate says so without quoting them, and a PLAIN user list refuses a user name
// with white space around it, never showing the password.
import Testing
import ZMQ
@testable import ZswiftCore

/// The message and hint of an error, to look for a secret in.
private func shown(_ error: UsageError?) -> String { (error?.message ?? "") + "\n" + (error?.hint ?? "") }

/// Whether `text` holds `secret` or any 8 characters of it in a row.
private func leaks(_ secret: String, in text: String) -> Bool {
    let characters = Array(secret)
    return stride(from: 0, through: characters.count - 8, by: 1).contains { text.contains(String(characters[$0..<$0 + 8])) }
}

// MARK: - -o with a secret value

@Test func aCurveSecretKeyWithAStraySpaceIsRefusedWithoutShowingTheKey() {
    let error = usageError("req", "localhost:6131", "-d", "x", "-o", "curve_secretkey=\(serverSecret) ", "-t", "1s")
    #expect(error?.message == "-o curve_secretkey=(secret): curve_secretkey must be a CURVE key: 40 characters of Z85 text (or 32 bytes);"
        + " the value is 41 characters (with white space at an end)")
    #expect(!leaks(serverSecret, in: shown(error)), "\(shown(error))")
}

@Test(arguments: [
    ("ZMQ_CURVE_SECRETKEY=" + serverSecret.dropLast(), "-o ZMQ_CURVE_SECRETKEY=(secret): curve_secretkey must be a CURVE key",
     "; the value is 39 characters"),
    ("curve_secretkey=" + serverSecret.dropLast() + "~", "-o curve_secretkey=(secret): curve_secretkey must be a CURVE key",
     "; the value has a character that is not Z85 at position 40"),
    ("plain_password=" + serverSecret + String(repeating: "x", count: 260), "-o plain_password=(secret): plain_password must be at most 255 bytes",
     "; the value is 300 bytes"),
])
func aBadSecretValueIsDescribedByItsLengthOrAPositionOnly(word: String, begins: String, ends: String) {
    let error = #expect(throws: UsageError.self) { try SocketOptionSetting.parse(ArgumentValue(word)) }
    #expect(error?.message.hasPrefix(begins) == true && error?.message.hasSuffix(ends) == true, "\(shown(error))")
    #expect(!leaks(serverSecret, in: shown(error)), "\(shown(error))")
}

@Test(arguments: ["curve_secretkey:" + serverSecret, "ZMQ_PLAIN_PASSWORD" + serverSecret])
func aSecretOptionWithoutAnEqualsSignIsRefusedWithoutItsValue(word: String) {
    let error = #expect(throws: UsageError.self) { try SocketOptionSetting.parse(ArgumentValue(word)) }
    #expect(error?.message.hasSuffix("must be followed by = and its value, as NAME=VALUE") == true, "\(shown(error))")
    #expect(!leaks(serverSecret, in: shown(error)), "\(shown(error))")
}

@Test func aSecretSettingIsSpelledWithoutItsValueInEveryMessageAboutIt() throws {
    let setting = try SocketOptionSetting.parse(ArgumentValue("curve_secretkey=" + serverSecret))
    #expect(setting.bytes == bytes(serverSecret))
    #expect(setting.spelled == "-o curve_secretkey=(secret)")
    #expect(setting.refused(on: .pull).message == "-o curve_secretkey=(secret): libzmq refuses this option on a PULL socket")
    guard case let .failed(_, message, _) = setting.failure(.notSupported, on: .req) else { Issue.record("not a failure"); return }
    #expect(message.hasPrefix("cannot set -o curve_secretkey=(secret): ") && !leaks(serverSecret, in: message), "\(message)")
    let password = try SocketOptionSetting.parse(ArgumentValue("plain_password=hunter2-hunter2"))
    #expect(password.spelled == "-o plain_password=(secret)")
}

@Test func aSecretOptionSetByAFlagIsSpelledWithoutItsValueToo() throws {
    let option = AnySocketOption(SocketOption.plainPassword)
    #expect(SocketOptionSetting(option: option, bytes: [], source: .flag, spelled: "--password a=hunter2").spelled == "--password (secret)")
    #expect(SocketOptionSetting.zswift(.plainPassword, "hunter2").spelled == "ZMQ_PLAIN_PASSWORD")
    // other options keep their value in messages
    #expect(try SocketOptionSetting.parse(ArgumentValue("plain_username=carol")).spelled == "-o plain_username=carol")
}

// MARK: - A file that is not a certificate

@Test(arguments: [
    ("hello, world\n", "it is not in the certificate format (ZPL), line 1: expected = after the name"),
    ("# only a comment\n", "it has no curve section"),
    ("curve\n    secret-key = \"\(serverSecret)\"\n", "it has no public-key in its curve section"),
    ("curve\n    public-key = \"\(serverPublic)\"\n    public-key = \"\(serverPublic)\"\n", "it has 2 public-key lines"),
])
func everyReasonAFileIsNotACertificateIsASentence(text: String, says: String) {
    let file = writeFile("notcert", text)
    let error = errorText { () throws(UsageError) in try KeyArgument.publicKey("@" + file, from: .flag("curve-server-key")) }
    #expect(error?.hasPrefix("--curve-server-key: \(file) is not a CURVE certificate: \(says)\n") == true, "\(error ?? "accepted")")
    #expect(error?.hasSuffix("a certificate is what zswift keygen --cert or pyzmq's zmq.auth.create_certificates writes") == true)
}

@Test(arguments: [
    (serverPublic + "\n", "a bare key"),
    (serverPublic, "a bare key"),
    (serverSecret + "\r\n", "a bare key"),
    ("@0000" + serverPublic.dropFirst(5) + "\n", "a bare key"),  // made of ZPL name characters: it parses, with no curve section
    ("public-key: \(serverPublic)\nsecret-key: \(serverSecret)\n", "keys as zswift keygen prints them"),
    ("public-key: \(serverPublic)\n", "keys as zswift keygen prints them"),
])
func aFileOfBareKeysSaysSoAndNeverShowsThem(text: String, holds: String) {
    let file = writeFile("rawkey.txt", text)
    for (read, flag) in [({ () throws(UsageError) in _ = try KeyArgument.publicKey("@" + file, from: .flag("curve-server-key")) }, "--curve-server-key"),
                         ({ () throws(UsageError) in _ = try KeyArgument.secretKey("@" + file, from: flagOrigin) }, "--curve-secret-key")] {
        let error = errorText(read)
        #expect(error?.hasPrefix("\(flag): \(file) is not a CURVE certificate: it ") == true, "\(error ?? "accepted")")
        #expect(error?.hasSuffix("\n\(file) holds \(holds), not a certificate: give the key itself (\(flag) KEY) or write certificates with zswift keygen --cert NAME") == true,
                "\(error ?? "accepted")")
        #expect(error.map { leaks(serverSecret, in: $0) } == false)
    }
}

@Test func aBareKeyFromTheEnvironmentSaysHowToSetTheVariable() {
    let file = writeFile("rawkey.txt", serverSecret + "\n")
    let origin = ValueOrigin.environment("ZSWIFT_CURVE_SECRET_KEY", for: "curve-secret-key")
    let error = errorText { () throws(UsageError) in try KeyArgument.secretKey("@" + file, from: origin) }
    #expect(error?.contains("give the key itself (ZSWIFT_CURVE_SECRET_KEY=KEY)") == true, "\(error ?? "accepted")")
}

@Test(arguments: [
    serverPublic + "x\n",                                   // 41 characters
    serverPublic + "\n" + clientPublic + "\n",              // two bare keys
    "public-key: \(serverPublic)\nname: server\n",          // a line that is no key
    "public-key:\(serverPublic)\n",
    "\n\n",
])
func aFileThatIsNotJustKeysGetsTheUsualHint(text: String) {
    #expect(Certificate.bareKeys(in: bytes(text)) == nil)
}

// MARK: - PLAIN user names

@Test(arguments: [
    ("  carol : hunter2 \n", "users.txt line 1: the user name has white space around it", "as in carol:PASS"),
    ("alice:pw\ncarol :hunter2\n", "users.txt line 2: the user name has white space around it", "as in carol:PASS"),
    ("alice:pw\r\n carol:hunter2\r\n", "users.txt line 2: the user name has white space around it", "as in carol:PASS"),
    ("  :hunter2\n", "users.txt line 1: the user name has white space around it", "with a user name"),
])
func aUserNameWithWhiteSpaceAroundItIsAnErrorNamingFileAndLine(text: String, says: String, hint: String) {
    let error = #expect(throws: UsageError.self) { try PlainUsers(parsing: bytes(text), file: "users.txt") }
    #expect(error?.message == "--plain-users: " + says, "\(shown(error))")
    #expect(error?.hint?.contains(hint) == true, "\(shown(error))")
    #expect(!shown(error).contains("hunter2"))
}

@Test func spacesInsideAUserNameAndAroundAPasswordAreKept() throws {
    let list = try PlainUsers(parsing: bytes("carol smith: hunter2 \n"), file: "users.txt")
    #expect(list.check(user: bytes("carol smith"), password: bytes(" hunter2 ")) == .accepted)
}
