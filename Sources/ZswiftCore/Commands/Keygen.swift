// keygen: a new CURVE key pair, printed (public first, each labelled) or written as a public and
// a secret certificate. It opens no socket and makes no libzmq context; the secret key is never
// printed once it went into a file.
import Glibc

enum KeygenCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let keys: CurveKeys
        do { keys = try CurveKeys.generate() } catch {
            throw Exit.runtime("cannot make a CURVE key pair: \(error)", hint: "this libzmq may be built without CURVE (libsodium)")
        }
        let settings = invocation.keygen ?? KeygenSettings()
        var lines = ["public-key: \(keys.publicKey.text)"]
        if let publicPath = settings.certificate, let secretPath = settings.secretCertificate {
            try write(keys, publicPath: publicPath, secretPath: secretPath, metadata: settings.metadata)
            lines += ["public-certificate: \(publicPath)", "secret-certificate: \(secretPath)"]
        } else {
            lines.append("secret-key: \(keys.secretKey.text)")
        }
        let output = OutputWriter(fd: io.output)
        output.buffer.append(Array((lines.joined(separator: "\n") + "\n").utf8))
        try output.flush()
    }

    /// Writes the secret certificate (mode 0600), then the public one (0644, less the umask);
    /// neither may exist, and a secret written before the public one failed is taken back.
    static func write(_ keys: CurveKeys, publicPath: String, secretPath: String, metadata: [Certificate.Entry]) throws(Exit) {
        for path in [publicPath, secretPath] where CertificateFile.exists(path) {
            throw refusal(path)
        }
        let now = UTCTime.now()
        let certificate = Certificate(publicKey: keys.publicKey, secretKey: keys.secretKey,
                                      metadata: stamped(metadata, createdAt: now.iso8601))
        try create(secretPath, certificate.text(secret: true, stamp: now.readable), mode: 0o600)
        do throws(Exit) {
            try create(publicPath, certificate.text(secret: false, stamp: now.readable), mode: 0o644)
        } catch {
            CertificateFile.remove(secretPath)
            throw error
        }
    }

    /// created-by and created-at first, each replaced by a --meta of its name, then the other --meta entries.
    static func stamped(_ metadata: [Certificate.Entry], createdAt: String) -> [Certificate.Entry] {
        let ours = [Certificate.Entry(name: "created-by", value: "zswift \(Version.zswift)"),
                    Certificate.Entry(name: "created-at", value: createdAt)]
        let replaced = ours.map { entry in metadata.first { $0.name == entry.name } ?? entry }
        return replaced + metadata.filter { entry in !ours.contains { $0.name == entry.name } }
    }

    private static func create(_ path: String, _ text: String, mode: mode_t) throws(Exit) {
        do { try CertificateFile.create(path, text: text, mode: mode) } catch {
            switch error.kind {
            case .exists: throw refusal(path)
            case .missing:
                throw Exit.runtime("cannot create \(path): its directory does not exist", hint: "create it first (mkdir -p), or give another --cert NAME")
            default: throw Exit.runtime("cannot create \(path): \(error.reason)")
            }
        }
    }

    private static func refusal(_ path: String) -> Exit {
        Exit.runtime("\(path) exists: keygen never overwrites a certificate",
                     hint: "remove it first if it is to be replaced, or give another --cert NAME")
    }
}

/// A moment in UTC, as certificates name it.
struct UTCTime: Sendable {
    let year, month, day, hour, minute, second: Int

    static func now() -> UTCTime {
        var seconds = time(nil)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return UTCTime(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday),
                       hour: Int(parts.tm_hour), minute: Int(parts.tm_min), second: Int(parts.tm_sec))
    }

    /// 2025-01-31T09:05:00Z
    var iso8601: String { "\(date)T\(clock)Z" }
    /// 2025-01-31 09:05:00 UTC, as czmq's banner line has it (czmq: local time, no zone).
    var readable: String { "\(date) \(clock) UTC" }

    private var date: String { "\(year)-\(two(month))-\(two(day))" }
    private var clock: String { "\(two(hour)):\(two(minute)):\(two(second))" }
    private func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
