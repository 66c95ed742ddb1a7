// Messages about values that may be secret: -o curve_secretkey= and -o plain_password= never show
// their value (usage errors, refusals by libzmq, runtime errors).
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
