// CURVE keys and certificates under fuzzing: a text is a key exactly when no problem is found with
// it, a key is 32 bytes whose Z85 is the text, a certificate read is written and read back the
// same, KEY|@FILE agrees with the certificate reader, and no message repeats a secret. Inputs
// from 0xF0 on go to AccessCheck, from 0xE0 to ProbeCheck.
#if DEBUG
import Glibc
@testable import ZswiftCore
import ZMQ

enum SecurityCheck {
    static func check(_ data: [UInt8]) throws(InvariantFailure) {
        // a first byte from 0xF0 on: what the ZAP handler reads (AccessCheck)
        if let first = data.first, first >= 0xF0 { return try AccessCheck.check(Array(data.dropFirst())) }
        // from 0xE0 to 0xEF: what probe reads from a peer (ProbeCheck)
        if let first = data.first, first >= 0xE0 { return try ProbeCheck.check(Array(data.dropFirst())) }
        var fuzz = FuzzBytes(data)
        switch fuzz.below(3) {
        case 0: try checkKeyText(fuzz.rest())
        case 1: try checkCertificate(fuzz.rest())
        default:
            let choice = fuzz.byte()
            if choice & 2 != 0 {
                try checkUnreadableFile(choice)
            } else {
                try checkCertificateFile(fuzz.rest(), mode: choice & 1 == 0 ? 0o600 : 0o644)
            }
        }
    }

    // MARK: - Keys as text

    static func checkKeyText(_ bytes: [UInt8]) throws(InvariantFailure) {
        let text = String(decoding: bytes, as: UTF8.self)
        let key = CurveKey(z85: text, kind: .secret)
        let problem = CurveKey.problem(with: text)
        try require((key == nil) == (problem != nil), "CurveKey and CurveKey.problem disagree: key \(key != nil), problem \(problem ?? "none")")
        if let key {
            try require(key.bytes.count == 32, "a key of \(key.bytes.count) bytes")
            try require(key.text == text && Z85.encode(key.bytes) == text, "a key's Z85 does not encode back to its text")
            try require(key.description == "(a secret key)", "a secret key describes itself with its text")
            try require(KeyArgument.reading(text) == .key(text), "40 characters of Z85 are not read as a key")
            let keys: CurveKeys
            do { keys = try CurveKeys(secretKey: key) } catch {
                throw InvariantFailure(description: "libzmq derives no public key from a valid secret key: \(error)")
            }
            try require(keys.publicKey.bytes.count == 32 && CurveKey(z85: keys.publicKey.text, kind: .public) == keys.publicKey,
                        "the derived public key is not a key")
        } else {
            switch KeyArgument.reading(text) {
            case let .file(path): try require(text == "@" + path, "@FILE reads as another file name")
            case let .key(value): try require(value == text && !text.hasPrefix("@"), "a value beginning with @ that is not a key is not a file")
            }
            try checkRefusal(text)
        }
        // as --curve-server-key and --curve-secret-key take it, when it names no file (a path the
        // fuzzer makes up could be a terminal or a FIFO, and reading it would wait)
        if case .key = KeyArgument.reading(text) {
            let asPublic = Result { () throws(UsageError) in try KeyArgument.publicKey(text, from: .flag("curve-server-key")) }
            let asSecret = Result { () throws(UsageError) in try KeyArgument.secretKey(text, from: .flag("curve-secret-key")) }
            try require((try? asPublic.get())?.value.bytes == key?.bytes && (try? asSecret.get())?.value.secretKey.bytes == key?.bytes,
                        "KEY|@FILE reads a key text differently from CurveKey")
            if case let .success(checked) = asSecret {
                for warning in checked.warnings {
                    try require(!warning.contains(text), "a warning about a secret key repeats it")
                }
            }
        }
        // Z85 itself, on any bytes of a multiple of four
        let whole = Array(bytes.prefix(bytes.count / 4 * 4))
        if !whole.isEmpty {
            try require(Z85.decode(Z85.encode(whole)) == whole, "Z85 does not round-trip \(whole.count) bytes")
        }
    }

    /// A text refused as a secret key: the usage error names where it came from and never repeats
    /// it (unless it names a file that exists, which the hint then offers to read).
    static func checkRefusal(_ text: String) throws(InvariantFailure) {
        let origin = ValueOrigin.flag("curve-secret-key")
        let result = Result { () throws(UsageError) in try KeyArgument.key(text, .secret, from: origin) }
        guard case let .failure(error) = result else {
            throw InvariantFailure(description: "KeyArgument.key took a text CurveKey refuses")
        }
        try require(error.message.hasPrefix("--curve-secret-key: "), "a key's usage error does not name the flag: \(error.message)")
        if text.utf8.count >= 12 && !CertificateFile.exists(text) {
            try require(!error.message.contains(text) && !(error.hint ?? "").contains(text), "a refused secret key is repeated in its usage error")
        }
    }

    // MARK: - Certificates as text

    static func checkCertificate(_ bytes: [UInt8]) throws(InvariantFailure) {
        let certificate: Certificate
        do { certificate = try Certificate(parsing: bytes) } catch {
            for secret in secretValues(bytes) {
                try require(!error.reason.contains(secret), "a certificate's error repeats its secret-key: \(error.reason)")
            }
            return
        }
        try require(certificate.publicKey.kind == .public && certificate.publicKey.bytes.count == 32, "a certificate's public key is not 32 bytes")
        if let keys = certificate.keys {
            let derived: CurveKeys
            do { derived = try CurveKeys(secretKey: keys.secretKey) } catch {
                throw InvariantFailure(description: "libzmq derives no public key from a certificate's secret key: \(error)")
            }
            try require(derived.publicKey == certificate.publicKey, "a certificate was read whose secret key is not its public key's pair")
        }
        // what zswift would write of it reads back the same, when its metadata can be written
        guard certificate.metadata.allSatisfy({ Certificate.check(name: $0.name, value: $0.value) == nil }) else { return }
        for secret in [false, true] where !secret || certificate.secretKey != nil {
            let text = certificate.text(secret: secret, stamp: "fuzz")
            let back: Certificate
            do { back = try Certificate(parsing: Array(text.utf8)) } catch {
                throw InvariantFailure(description: "a certificate written from one read is refused: \(error.reason)")
            }
            let expected = secret ? certificate : Certificate(publicKey: certificate.publicKey, secretKey: nil, metadata: certificate.metadata)
            try require(back == expected, "a certificate written from one read reads back differently")
        }
    }

    /// The values of lines that name secret-key, as long as a message could not hold by chance.
    static func secretValues(_ bytes: [UInt8]) -> [String] {
        bytes.split(separator: 10).compactMap { line -> String? in
            guard let eq = line.firstIndex(of: UInt8(ascii: "=")),
                  String(decoding: line[..<eq], as: UTF8.self).contains("secret-key") else { return nil }
            let value = line[(eq + 1)...].drop { ZPL.isSpace($0) || $0 == 34 || $0 == 39 }
            let trimmed = value.reversed().drop { ZPL.isSpace($0) || $0 == 34 || $0 == 39 }.reversed()
            return trimmed.count >= 12 ? String(decoding: trimmed, as: UTF8.self) : nil
        }
    }

    // MARK: - KEY|@FILE

    /// The bytes as a certificate file with `mode`, read by --curve-server-key @FILE and
    /// --curve-secret-key @FILE: each agrees with the certificate reader.
    static func checkCertificateFile(_ bytes: [UInt8], mode: mode_t) throws(InvariantFailure) {
        var template = Array("/tmp/zswift-fuzz-cert.XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        try require(fd >= 0, "mkstemp failed (errno \(errno))")
        let path = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { unlink(path) }
        fchmod(fd, mode)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        try require(written == bytes.count, "could not write the certificate file")

        let certificate = try? Certificate(parsing: bytes)
        let secrets = secretValues(bytes)
        switch Result(catching: { () throws(UsageError) in try KeyArgument.publicKey("@" + path, from: .flag("curve-server-key")) }) {
        case let .success(checked):
            try require(checked.value == certificate?.publicKey, "@FILE gives a public key the certificate reader does not")
        case let .failure(error):
            try require(certificate == nil || bytes.count > CertificateFile.sizeLimit, "@FILE refuses a certificate the reader takes: \(error.message)")
            try checkShowsNoSecret(error, secrets)
        }
        switch Result(catching: { () throws(UsageError) in try KeyArgument.secretKey("@" + path, from: .flag("curve-secret-key")) }) {
        case let .success(checked):
            try require(checked.value.secretKey == certificate?.secretKey, "@FILE gives a secret key the certificate reader does not")
            try require(checked.warnings.isEmpty == (mode & 0o044 == 0), "a secret certificate of mode \(KeyArgument.octal(mode)) draws \(checked.warnings.count) warnings")
            for warning in checked.warnings {
                try require(!warning.contains(checked.value.secretKey.text), "a warning repeats the secret key")
            }
        case let .failure(error):
            try require(certificate?.secretKey == nil || bytes.count > CertificateFile.sizeLimit, "@FILE refuses a secret certificate the reader takes: \(error.message)")
            try checkShowsNoSecret(error, secrets)
        }
    }

    /// @FILE of a file that is missing, a directory, or no name at all: a usage error that names
    /// the flag, and the path when there is one.
    static func checkUnreadableFile(_ choice: UInt8) throws(InvariantFailure) {
        let path = ["/nonexistent/zswift-fuzz", "/tmp", "", "/dev/null"][Int(choice >> 2) % 4]
        for secret in [false, true] {
            let origin = ValueOrigin.flag(secret ? "curve-secret-key" : "curve-server-key")
            let result = Result { () throws(UsageError) in
                if secret { _ = try KeyArgument.secretKey("@" + path, from: origin) } else { _ = try KeyArgument.publicKey("@" + path, from: origin) }
            }
            guard case let .failure(error) = result else {
                throw InvariantFailure(description: "@\(path) gave a key")
            }
            try require(error.message.hasPrefix(origin.name + ": ") && error.message.contains(path) && error.hint?.isEmpty == false,
                        "@\(path): the usage error does not name the flag and the file, or has no hint: \(error.message)")
        }
    }

    static func checkShowsNoSecret(_ error: UsageError, _ secrets: [String]) throws(InvariantFailure) {
        for secret in secrets {
            try require(!error.message.contains(secret) && !(error.hint ?? "").contains(secret), "a usage error repeats a certificate's secret-key")
        }
    }
}
#endif
