// The PLAIN user list (--plain-users @FILE) and client credentials (--plain-user USER:PASS): the
// file's format (comments, blank lines, CRLF, colons in passwords), its errors by file and line
// that never show a password, the warning for a file others can read, and the checks.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

private func users(_ text: String) throws(UsageError) -> PlainUsers {
    try PlainUsers(parsing: Array(text.utf8), file: "users.txt")
}

@Test func aUserListTakesCommentsBlankLinesCRLFAndColonsInPasswords() throws {
    let list = try users("# who may come in\n\nalice:wonder:land\r\n  \nbob:\n#carol:x\ndave: spaced pass \n")
    #expect(list.names == ["alice", "bob", "dave"])
    #expect(list.check(user: bytes("alice"), password: bytes("wonder:land")) == .accepted)
    #expect(list.check(user: bytes("bob"), password: []) == .accepted)
    #expect(list.check(user: bytes("dave"), password: bytes(" spaced pass ")) == .accepted)
    #expect(list.check(user: bytes("carol"), password: bytes("x")) == .unknownUser)
}

@Test func aPasswordMustMatchExactly() throws {
    let list = try users("alice:secret\n")
    for wrong in ["secre", "secret ", "Secret", "", "secretsecret"] {
        #expect(list.check(user: bytes("alice"), password: bytes(wrong)) == .wrongPassword, "\(wrong)")
    }
}

@Test(arguments: [
    ("alice:pw\nno colon here\n", "users.txt line 2: no ':' between user name and password"),
    ("alice:pw1\r\n\r\n# x\nalice:pw2\n", "users.txt line 4: user 'alice' again (first on line 1)"),
    (":hunter2\n", "users.txt line 1: the user name is empty"),
    ("al\u{1}ice:hunter2\n", "line 1: the user name has a control character"),
    ("a\0b:hunter2\n", "line 1: a NUL byte"),
    (String(repeating: "u", count: 256) + ":hunter2\n", "the user name is 256 bytes; PLAIN allows 255"),
    ("bob:" + String(repeating: "p", count: 256) + "\n", "line 1: the password is 256 bytes; PLAIN allows 255"),
    ("# nobody\n\n", "users.txt has no users"),
    ("", "users.txt has no users"),
])
func aBadUserListIsAUsageErrorNamingTheFileAndLineButNoPassword(text: String, says: String) {
    let error = errorText { () throws(UsageError) in try users(text) }
    #expect(error?.hasPrefix("--plain-users: ") == true && error?.contains(says) == true, "\(error ?? "accepted")")
    #expect(error?.contains("hunter2") != true && error?.contains("ppppp") != true)
}

@Test func theLongestUserNameAndPasswordPLAINCarriesAreTaken() throws {
    let name = String(repeating: "u", count: 255), password = String(repeating: "p", count: 255)
    #expect(try users(name + ":" + password).check(user: bytes(name), password: bytes(password)) == .accepted)
}

@Test func aUserListFileIsReadAndOneOthersCanReadDrawsAWarning() throws {
    let privateFile = writeFile("users", "alice:pw\n", mode: 0o600)
    let shown = try PlainUsers.load("@" + privateFile)
    #expect(shown.value.names == ["alice"] && shown.warnings.isEmpty)
    let open = writeFile("users", "alice:pw\n", mode: 0o644)
    let warned = try PlainUsers.load("@" + open)
    #expect(warned.warnings == ["\(open) holds passwords and is readable by group or others (mode 0644): chmod 600 \(open)"])
}

@Test(arguments: [
    ("users.txt", "--plain-users: give the user list as @FILE"), ("@", "give the user list as @FILE"),
    ("@/nonexistent/users", "cannot read the user list /nonexistent/users: no such file or directory"),
])
func aUserListValueThatNamesNoReadableFileIsAUsageError(value: String, says: String) {
    let error = errorText { () throws(UsageError) in try PlainUsers.load(value) }
    #expect(error?.contains(says) == true, "\(error ?? "accepted")")
}

@Test func aUserListOverOneMebibyteIsRefused() {
    let file = writeFile("big", String(repeating: "u:p\n", count: (1 << 20) / 4 + 1))
    let error = errorText { () throws(UsageError) in try PlainUsers.load("@" + file) }
    #expect(error?.contains("larger than 1024 KiB, too large for a user list") == true, "\(error ?? "accepted")")
}

@Test func aDirectoryIsNoUserList() {
    let error = errorText { () throws(UsageError) in try PlainUsers.load("@" + Paths.temporaryDirectory()) }
    #expect(error?.contains("it is a directory") == true, "\(error ?? "accepted")")
}

// MARK: - The client's USER:PASS

@Test func clientCredentialsSplitAtTheFirstColon() throws {
    #expect(try PlainCredentials.parse("alice:a:b") == PlainCredentials(user: "alice", password: "a:b"))
    #expect(try PlainCredentials.parse("bob:") == PlainCredentials(user: "bob", password: ""))
    #expect(try PlainCredentials.parse("alice:hunter2").description == "PLAIN user 'alice'")
}

@Test(arguments: [
    ("hunter2", "--plain-user: no ':' between user name and password"), (":hunter2", "the user name is empty"),
    (String(repeating: "u", count: 256) + ":hunter2", "PLAIN allows 255"),
])
func badClientCredentialsAreAUsageErrorThatNeverShowsThePassword(value: String, says: String) {
    let error = errorText { () throws(UsageError) in try PlainCredentials.parse(value) }
    #expect(error?.contains(says) == true && error?.contains("ZSWIFT_PLAIN_USER") == true, "\(error ?? "accepted")")
    #expect(error?.contains("hunter2") != true)
}

@Test func credentialsFromTheEnvironmentNameTheVariable() {
    let error = errorText { () throws(UsageError) in try PlainCredentials.parse("nocolon", from: EnvironmentDefault.plainUser.origin) }
    #expect(error?.hasPrefix("ZSWIFT_PLAIN_USER: no ':'") == true, "\(error ?? "accepted")")
}
