// A CURVE certificate as czmq's zcert and pyzmq's zmq.auth store it: ZPL text with a `metadata`
// section of name = value lines and a `curve` section holding `public-key` and, in the secret
// certificate only, `secret-key`. Reading from and rendering to text; pure (files: CertificateFile).
import ZMQ

/// The keys and metadata of a certificate.
struct Certificate: Equatable, Sendable {
    /// One metadata line: name = value.
    struct Entry: Equatable, Sendable {
        let name: String
        let value: String
    }

    let publicKey: CurveKey
    /// The secret key: in a secret certificate (NAME_secret), not in a public one (NAME).
    let secretKey: CurveKey?
    var metadata: [Entry] = []

    /// The pair, for a secret certificate.
    var keys: CurveKeys? { secretKey.map { CurveKeys(publicKey: publicKey, secretKey: $0) } }
}

/// Why a text is not a certificate (never quoting a key: it may be a secret).
struct CertificateError: Error, Equatable, Sendable {
    /// What follows "it" in a sentence about the text: "has no curve section", "is not in the
    /// certificate format (ZPL), line 1: expected a name".
    let reason: String
}

// MARK: - Reading

extension Certificate {
    /// The certificate `text` holds. It needs a `curve` section with a `public-key` of 40 Z85
    /// characters; a `secret-key`, when there is one, must be the public key's pair. Comments and
    /// sections other than `metadata` and `curve` are ignored.
    init(parsing text: [UInt8]) throws(CertificateError) {
        let items: [ZPLItem]
        do { items = try ZPL.parse(text) } catch { throw CertificateError(reason: "is not in the certificate format (ZPL), \(error.description)") }
        guard let curve = items.first(where: { $0.name == "curve" }) else {
            throw CertificateError(reason: "has no curve section")
        }
        guard let publicKey = try Certificate.key(.public, in: curve) else {
            throw CertificateError(reason: "has no public-key in its curve section")
        }
        let secretKey = try Certificate.key(.secret, in: curve)
        if let secretKey {
            let derived: CurveKeys
            do { derived = try CurveKeys(secretKey: secretKey) } catch {
                throw CertificateError(reason: "cannot be checked: libzmq cannot derive public keys (\(error))")
            }
            guard derived.publicKey == publicKey else {
                throw CertificateError(reason: "has a secret-key that is not the pair of its public-key")
            }
        }
        self.init(publicKey: publicKey, secretKey: secretKey,
                  metadata: items.first { $0.name == "metadata" }?.children.map { Entry(name: $0.name, value: $0.value) } ?? [])
    }

    /// What a text that is no certificate holds when it holds only keys: "a bare key" (one line of
    /// 40 characters of Z85), "keys as zswift keygen prints them" (public-key: KEY and secret-key:
    /// KEY lines); nil for anything else. Never a key itself: it may be a secret.
    static func bareKeys(in text: [UInt8]) -> String? {
        var lines: [ArraySlice<UInt8>] = []
        for var line in text.split(separator: 10) {
            while let last = line.last, ZPL.isSpace(last) { line = line.dropLast() }
            if !line.isEmpty { lines.append(line) }
        }
        func isKey(_ bytes: some Collection<UInt8>) -> Bool { CurveKey(z85: String(decoding: bytes, as: UTF8.self), kind: .public) != nil }
        if lines.count == 1, isKey(lines[0]) { return "a bare key" }
        let labels = ["public-key: ", "secret-key: "].map { Array($0.utf8) }
        let printed = lines.allSatisfy { line in labels.contains { line.starts(with: $0) && isKey(line.dropFirst($0.count)) } }
        return !lines.isEmpty && printed ? "keys as zswift keygen prints them" : nil
    }

    /// The key of `kind` in the curve section (public-key or secret-key), nil when absent.
    private static func key(_ kind: CurveKey.Kind, in curve: ZPLItem) throws(CertificateError) -> CurveKey? {
        let name = kind == .public ? "public-key" : "secret-key"
        let lines = curve.children.filter { $0.name == name }
        guard let line = lines.first else { return nil }
        // czmq reads the first and pyzmq the last: two could make them disagree on the key
        guard lines.count == 1 else { throw CertificateError(reason: "has \(lines.count) \(name) lines") }
        guard let key = CurveKey(z85: line.value, kind: kind) else {
            throw CertificateError(reason: "has a \(name) that \(CurveKey.problem(with: line.value) ?? "is not a key")")
        }
        return key
    }
}

// MARK: - Writing

extension Certificate {
    /// The certificate as czmq's zcert_save writes it: a comment banner, the metadata section,
    /// then the curve section; with `secret`, the secret certificate (public and secret key).
    /// `stamp` is the time the banner names. Every value is quoted, so comments and spaces in a
    /// value survive; `Certificate.check` tells which metadata can be written.
    func text(secret: Bool, stamp: String) -> String {
        precondition(!secret || secretKey != nil, "a secret certificate needs the secret key")
        var lines = ["#   ****  Generated on \(stamp) by zswift \(Version.zswift)  ****"]
        if secret {
            lines += ["#   ZeroMQ CURVE **Secret** Certificate",
                      "#   Keep it to yourself: whoever reads this file can pose as its owner.",
                      "#   Give peers the public certificate (this name without _secret)."]
        } else {
            lines += ["#   ZeroMQ CURVE Public Certificate",
                      "#   Give it to the peers that must know this key, by a route you trust:",
                      "#   a swapped file would let someone else in."]
        }
        lines += ["", "metadata"]
        for entry in metadata {
            guard let value = ZPL.quoted(entry.value) else { preconditionFailure("metadata \(entry.name) cannot be written") }
            lines.append("    \(entry.name) = \(value)")
        }
        lines += ["curve", "    public-key = \"\(publicKey.text)\""]
        if secret, let secretKey { lines.append("    secret-key = \"\(secretKey.text)\"") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Why `name` = `value` cannot be a metadata line of a certificate that czmq and pyzmq both
    /// read back as written, or nil when it can.
    static func check(name: String, value: String) -> String? {
        let nameBytes = Array(name.utf8)
        if nameBytes.isEmpty { return "the name is empty" }
        if let bad = nameBytes.first(where: { !ZPL.isNameCharacter($0) || $0 == UInt8(ascii: "/") }) {
            return "a name is letters, digits and $-_@.&+ (not '\(String(decoding: [bad], as: UTF8.self))')"
        }
        // pyzmq's loader takes any line that begins with public-key or secret-key for the key
        if name.hasPrefix("public-key") || name.hasPrefix("secret-key") {
            return "a name beginning with public-key or secret-key would be read as a key"
        }
        if value.utf8.contains(where: { $0 < 32 && $0 != 9 || $0 == 127 }) { return "the value has a control character" }
        if ZPL.quoted(value) == nil { return "the value has both ' and \" (the format has no escapes)" }
        // czmq reads at most 1024 bytes of a line
        if nameBytes.count + value.utf8.count + 9 > 1024 { return "the line would be longer than 1024 bytes" }
        return nil
    }
}
