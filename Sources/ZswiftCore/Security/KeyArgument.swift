// A CURVE key given as KEY|@FILE (cli.md, Security): 40 characters that decode as Z85 are a key,
// even when they begin with @ (a Z85 character); any other value beginning with @ names a
// certificate file, public or secret. Mistakes are usage errors naming where the value came from.
import Glibc

/// Where a value was given, for messages: a flag, or the environment variable standing for it.
struct ValueOrigin: Equatable, Sendable {
    /// "--curve-secret-key", or "ZSWIFT_CURVE_SECRET_KEY".
    let name: String
    /// The flag the value is for ("curve-secret-key").
    let flag: String

    static func flag(_ long: String) -> ValueOrigin { ValueOrigin(name: "--" + long, flag: long) }
    static func environment(_ variable: String, for long: String) -> ValueOrigin { ValueOrigin(name: variable, flag: long) }
}

/// A value read, with what is worth a warning on stderr (a secret readable by others).
struct Checked<Value: Sendable>: Sendable {
    let value: Value
    var warnings: [String] = []
}

enum KeyArgument {
    /// What a KEY|@FILE value stands for.
    enum Reading: Equatable, Sendable {
        case key(String)
        case file(String)
    }

    /// The @ rule: 40 characters of Z85 are a key, whatever they begin with; else @FILE is a file.
    static func reading(_ value: String) -> Reading {
        if CurveKey(z85: value, kind: .public) == nil, value.hasPrefix("@") { return .file(String(value.dropFirst())) }
        return .key(value)
    }

    /// The public key `value` gives: the key itself, or the public key of a certificate (public
    /// or secret).
    static func publicKey(_ value: String, from origin: ValueOrigin) throws(UsageError) -> Checked<CurveKey> {
        switch reading(value) {
        case let .key(text): return Checked(value: try key(text, .public, from: origin), warnings: shadowing(text, origin))
        case let .file(path):
            let (certificate, warnings) = try load(path, from: origin)
            return Checked(value: certificate.publicKey, warnings: warnings)
        }
    }

    /// The key pair `value` gives: a secret key and the public key derived from it, or the keys
    /// of a secret certificate.
    static func secretKey(_ value: String, from origin: ValueOrigin) throws(UsageError) -> Checked<CurveKeys> {
        switch reading(value) {
        case let .key(text):
            let secret = try key(text, .secret, from: origin)
            do { return Checked(value: try CurveKeys(secretKey: secret), warnings: shadowing(text, origin)) } catch {
                throw UsageError("\(origin.name): this libzmq cannot use CURVE keys (\(error))", hint: "install a libzmq built with libsodium")
            }
        case let .file(path):
            let (certificate, warnings) = try load(path, from: origin)
            guard let keys = certificate.keys else {
                let secretFile = path + "_secret"
                throw UsageError("\(origin.name): \(path) is a public certificate: it has no secret key",
                                 hint: CertificateFile.exists(secretFile) ? "its secret key is in \(secretFile): \(origin.name.hasPrefix("--") ? origin.name + " " : "")@\(secretFile)"
                                     : "give the secret certificate (NAME_secret, written by zswift keygen --cert NAME)")
            }
            return Checked(value: keys, warnings: warnings)
        }
    }

    /// A warning when a key that begins with @ is also @FILE of a file that exists: the rule takes
    /// it for the key. The warning does not name the file, whose name is the key (maybe a secret).
    static func shadowing(_ text: String, _ origin: ValueOrigin) -> [String] {
        guard text.hasPrefix("@"), CertificateFile.exists(String(text.dropFirst())) else { return [] }
        return ["\(origin.name): the value is 40 characters of Z85, so it is taken for a key though a file of that name exists;"
            + " to read the file instead, put ./ after the @ (or a second / before an absolute path)"]
    }

    /// `text` as a key of `kind`, or a usage error saying why it is none (never quoting it).
    static func key(_ text: String, _ kind: CurveKey.Kind, from origin: ValueOrigin) throws(UsageError) -> CurveKey {
        if let key = CurveKey(z85: text, kind: kind) { return key }
        let problem = CurveKey.problem(with: text) ?? "is not a key"
        let hint = !text.isEmpty && CertificateFile.exists(text)
            ? "to read the certificate \(text), write @\(text)"
            : "a key is 40 characters of Z85 (zswift keygen makes a pair), or @FILE names a certificate"
        throw UsageError("\(origin.name): the \(kind.noun) \(problem)", hint: hint)
    }

    /// The certificate in the file `path`, and a warning when it holds a secret key and is
    /// readable by group or others.
    static func load(_ path: String, from origin: ValueOrigin) throws(UsageError) -> (Certificate, [String]) {
        guard !path.isEmpty else {
            throw UsageError("\(origin.name): @ names no file", hint: "write @FILE, as in @server.key_secret")
        }
        let bytes: [UInt8], mode: mode_t
        do { (bytes, mode) = try CertificateFile.read(path) } catch {
            throw UsageError("\(origin.name): cannot read the certificate \(path): \(error.reason)", hint: fileHint(error.kind))
        }
        let certificate: Certificate
        do { certificate = try Certificate(parsing: bytes) } catch {
            let keyItself = origin.name.hasPrefix("--") ? "\(origin.name) KEY" : "\(origin.name)=KEY"
            throw UsageError("\(origin.name): \(path) is not a CURVE certificate: it \(error.reason)",
                             hint: Certificate.bareKeys(in: bytes).map {
                                 "\(path) holds \($0), not a certificate: give the key itself (\(keyItself)) or write certificates with zswift keygen --cert NAME"
                             } ?? "a certificate is what zswift keygen --cert or pyzmq's zmq.auth.create_certificates writes")
        }
        var warnings: [String] = []
        if certificate.secretKey != nil && mode & 0o044 != 0 {
            warnings.append("\(path) holds a secret key and is readable by group or others (mode \(octal(mode))): chmod 600 \(path)")
        }
        return (certificate, warnings)
    }

    private static func fileHint(_ kind: FileProblem.Kind) -> String {
        switch kind {
        case .missing: "a value that begins with @ and is not a 40-character Z85 key names a certificate file"
        case .isDirectory: "give a certificate file (NAME or NAME_secret)"
        case .denied: "the file must be readable by the user zswift runs as"
        default: "give a certificate written by zswift keygen --cert or pyzmq's zmq.auth"
        }
    }

    /// Permission bits as chmod takes them: 0644.
    static func octal(_ mode: mode_t) -> String {
        let digits = String(mode & 0o777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
