// PLAIN credentials: the server's user list (--plain-users @FILE: one USER:PASS a line, # comment
// lines and blank lines allowed, \r\n tolerated; the password is everything after the first
// colon) and a client's USER:PASS (--plain-user). No message ever quotes a password.
import Glibc

/// The users a PLAIN server lets in, with their passwords.
struct PlainUsers: Equatable, Sendable {
    /// Passwords by user name, as bytes: as a ZAP request carries them.
    private(set) var passwords: [[UInt8]: [UInt8]] = [:]

    /// What a user name and password amount to.
    enum Verdict: Equatable, Sendable { case accepted, unknownUser, wrongPassword }

    /// The largest user list read: far more than any real list, and a bound on a wrong file.
    static let sizeLimit = 1 << 20
    /// ZMTP's PLAIN mechanism (RFC 24) carries each of user name and password in up to 255 bytes.
    static let fieldLimit = 255

    /// How many users there are.
    var count: Int { passwords.count }

    /// The user names, sorted, for messages.
    var names: [String] { passwords.keys.map { String(decoding: $0, as: UTF8.self) }.sorted() }

    /// Whether `user` may come in with `password`. The password comparison takes the same time
    /// wherever the first difference is.
    func check(user: [UInt8], password: [UInt8]) -> Verdict {
        guard let expected = passwords[user] else { return .unknownUser }
        var difference = UInt8(truncatingIfNeeded: expected.count ^ password.count)
        for index in 0..<max(expected.count, password.count) {
            let a = index < expected.count ? expected[index] : 0
            let b = index < password.count ? password[index] : 0
            difference |= a ^ b
        }
        return difference == 0 ? .accepted : .wrongPassword
    }

    // MARK: - Reading the file

    /// The users of the file that `value` (@FILE) names, with a warning when the file is readable
    /// by group or others.
    static func load(_ value: String, from origin: ValueOrigin = .flag("plain-users")) throws(UsageError) -> Checked<PlainUsers> {
        guard value.hasPrefix("@"), value.count > 1 else {
            throw UsageError("\(origin.name): give the user list as @FILE",
                             hint: "the file holds one USER:PASS a line: \(origin.name) @users.txt")
        }
        let path = String(value.dropFirst())
        let bytes: [UInt8], mode: mode_t
        do { (bytes, mode) = try CertificateFile.read(path, limit: sizeLimit, what: "a user list") } catch {
            throw UsageError("\(origin.name): cannot read the user list \(path): \(error.reason)",
                             hint: error.kind == .denied ? "the file must be readable by the user zswift runs as" : "the file holds one USER:PASS a line")
        }
        let users = try PlainUsers(parsing: bytes, file: path, origin: origin)
        var warnings: [String] = []
        if mode & 0o044 != 0 {
            warnings.append("\(path) holds passwords and is readable by group or others (mode \(KeyArgument.octal(mode))): chmod 600 \(path)")
        }
        return Checked(value: users, warnings: warnings)
    }

    /// The users of the user list `text`, read from `file` (for messages).
    init(parsing text: [UInt8], file: String, origin: ValueOrigin = .flag("plain-users")) throws(UsageError) {
        var lineOf: [[UInt8]: Int] = [:]
        var number = 0
        for line in text.split(separator: 10, omittingEmptySubsequences: false) {
            number += 1
            func fail(_ what: String) -> UsageError {
                UsageError("\(origin.name): \(file) line \(number): \(what)", hint: "each line is USER:PASS; a line that begins with # is a comment")
            }
            let body = line.last == 13 ? line.dropLast() : line
            if body.first == UInt8(ascii: "#") || body.allSatisfy({ $0 == 32 || $0 == 9 }) { continue }
            let (user, password) = try PlainUsers.split(body, fail)
            // a client sends its name as typed: "  carol " would be a user no client means
            let blank = { (byte: UInt8) in byte == 32 || byte == 9 }
            if user.first.map(blank) == true || user.last.map(blank) == true {
                let trimmed = Array(user.drop(while: blank).reversed().drop(while: blank).reversed())
                throw UsageError("\(origin.name): \(file) line \(number): the user name has white space around it",
                                 hint: trimmed.isEmpty ? "each line is USER:PASS, with a user name"
                                     : "write the name without it, as in \(PlainUsers.printable(trimmed)):PASS (the password is everything after the colon, spaces too)")
            }
            if let first = lineOf[user] {
                throw fail("user '\(PlainUsers.printable(user))' again (first on line \(first))")
            }
            lineOf[user] = number
            passwords[user] = password
        }
        guard !passwords.isEmpty else {
            throw UsageError("\(origin.name): \(file) has no users", hint: "add a line USER:PASS for each user the server lets in")
        }
    }

    /// A USER:PASS line or value split at its first colon, checked; `fail` makes the error.
    static func split(_ text: ArraySlice<UInt8>, _ fail: (String) -> UsageError) throws(UsageError) -> (user: [UInt8], password: [UInt8]) {
        if text.contains(0) { throw fail("a NUL byte") }
        guard let colon = text.firstIndex(of: UInt8(ascii: ":")) else { throw fail("no ':' between user name and password") }
        let user = Array(text[..<colon]), password = Array(text[(colon + 1)...])
        if user.isEmpty { throw fail("the user name is empty") }
        if let bad = user.first(where: { $0 < 32 || $0 == 127 }) { throw fail("the user name has a control character (byte \(bad))") }
        if user.count > fieldLimit { throw fail("the user name is \(user.count) bytes; PLAIN allows \(fieldLimit)") }
        if password.count > fieldLimit { throw fail("the password is \(password.count) bytes; PLAIN allows \(fieldLimit)") }
        return (user, password)
    }

    /// A user name as text for a message: its UTF-8, with anything unprintable as \xNN.
    static func printable(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard Array(text.utf8) != bytes || bytes.contains(where: { $0 < 32 || $0 == 127 }) else { return text }
        return bytes.map { $0 >= 32 && $0 < 127 ? String(UnicodeScalar($0)) : "\\x" + hex($0) }.joined()
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 15)]])
    }
}

/// A PLAIN client's user name and password (--plain-user USER:PASS, or ZSWIFT_PLAIN_USER).
struct PlainCredentials: Equatable, Sendable, CustomStringConvertible {
    let user: String
    let password: String

    /// Never the password.
    var description: String { "PLAIN user '\(user)'" }

    /// The credentials `text` gives: USER:PASS, split at the first colon; the error never quotes
    /// the value (it holds a password).
    static func parse(_ text: String, from origin: ValueOrigin = .flag("plain-user")) throws(UsageError) -> PlainCredentials {
        let hint = origin.name.hasPrefix("--")
            ? "write \(origin.name) USER:PASS, or set \(EnvironmentDefault.plainUser.rawValue) to keep the password off the command line"
            : "set \(origin.name) to USER:PASS"
        let (user, password) = try PlainUsers.split(Array(text.utf8)[...]) { UsageError("\(origin.name): \($0)", hint: hint) }
        return PlainCredentials(user: String(decoding: user, as: UTF8.self), password: String(decoding: password, as: UTF8.self))
    }
}
