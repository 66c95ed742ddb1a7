// --curve-allow KEY|@FILE|@DIR: keys and public certificates are taken, a secret certificate never
// is (an error for @FILE, a warning and a skip in a directory), what is not a certificate in a
// directory is skipped with a warning naming it, and a directory with no public key is an error.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

private func allowed(_ values: String...) throws(UsageError) -> Checked<Set<CurveKey>> { try CurveAllowList.keys(values) }
private func key(_ text: String) -> CurveKey { CurveKey(z85: text, kind: .public)! }

@Test func keysAndPublicCertificatesAddUpToOneSet() throws {
    let file = writeFile("client", publicCertificate(clientPublic))
    let found = try allowed(serverPublic, "@" + file, clientPublic)
    #expect(found.value == [key(serverPublic), key(clientPublic)] && found.warnings.isEmpty)
}

@Test func aDirectoryGivesThePublicCertificatesInItAndSkipsTheRestWithWarnings() throws {
    let dir = Paths.temporaryDirectory()
    _ = writeFile("client.key", publicCertificate(clientPublic), in: dir)
    _ = writeFile("server", publicCertificate(serverPublic), in: dir)
    _ = writeFile("server_secret", secretCertificate(), in: dir)
    _ = writeFile("mixed", secretCertificate(), in: dir)  // a secret certificate under a public name
    _ = writeFile("README", "not a certificate\n", in: dir)
    _ = writeFile(".hidden", "ignored\n", in: dir)
    mkdir(dir + "/sub", 0o700)
    let found = try allowed("@" + dir)
    #expect(found.value == [key(clientPublic), key(serverPublic)])
    #expect(found.warnings.count == 3, "\(found.warnings)")
    #expect(found.warnings.contains { $0.hasPrefix("--curve-allow: skipped \(dir)/server_secret: a secret certificate") })
    #expect(found.warnings.contains { $0.hasPrefix("--curve-allow: skipped \(dir)/mixed: it holds a secret key") })
    #expect(found.warnings.contains { $0.hasPrefix("--curve-allow: skipped \(dir)/README: not a CURVE certificate") })
    #expect(!found.warnings.joined().contains(serverSecret))
}

@Test func aDirectoryWithNoPublicCertificateIsAUsageError() {
    let dir = Paths.temporaryDirectory()
    _ = writeFile("server_secret", secretCertificate(), in: dir)
    let error = errorText { () throws(UsageError) in try allowed("@" + dir + "/") }
    #expect(error?.contains("--curve-allow: \(dir)/ holds no public certificate (1 files skipped)") == true, "\(error ?? "accepted")")
    let empty = errorText { () throws(UsageError) in try allowed("@" + Paths.temporaryDirectory()) }
    #expect(empty?.contains("holds no public certificate\n") == true, "\(empty ?? "accepted")")
}

@Test func aSecretCertificateGivenAsAFileIsAUsageErrorPointingAtItsPublicOne() {
    let dir = Paths.temporaryDirectory()
    let file = writeFile("server_secret", secretCertificate(), in: dir)
    let error = errorText { () throws(UsageError) in try allowed("@" + file) }
    #expect(error?.contains("\(file) is a secret certificate") == true && error?.contains("give \(dir)/server instead") == true,
            "\(error ?? "accepted")")
    #expect(error?.contains(serverSecret) == false)
}

@Test(arguments: [
    ("tooshort", "--curve-allow: the public key is 8 characters"),
    ("@/nonexistent/keys", "--curve-allow: cannot read the certificate /nonexistent/keys: no such file or directory"),
])
func aValueThatGivesNoKeyIsAUsageErrorNamingTheFlag(value: String, says: String) {
    let error = errorText { () throws(UsageError) in try allowed(value) }
    #expect(error?.contains(says) == true, "\(error ?? "accepted")")
}

@Test(.enabled(if: geteuid() != 0, "root lists any directory"))
func aDirectoryThatCannotBeListedIsAUsageError() throws {
    let dir = Paths.temporaryDirectory()
    _ = writeFile("client", publicCertificate(clientPublic), in: dir)
    chmod(dir, 0o300)
    defer { chmod(dir, 0o700) }
    let error = errorText { () throws(UsageError) in try allowed("@" + dir) }
    #expect(error?.contains("cannot read the directory \(dir): permission denied") == true, "\(error ?? "accepted")")
}
