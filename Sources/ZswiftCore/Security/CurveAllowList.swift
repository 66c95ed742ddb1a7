// --curve-allow KEY|@FILE|@DIR (repeatable): the client public keys a CURVE server lets in. A key
// or a public certificate gives one key; a directory gives the key of every public certificate in
// it, skipping with a warning what is not one. Secret certificates are never taken: a server needs
// only its clients' public keys. The @ rule is KeyArgument.reading's.
import Glibc

enum CurveAllowList {
    /// The keys that `values` (each KEY, @FILE or @DIR) allow, with the warnings reading them drew.
    static func keys(_ values: [String], from origin: ValueOrigin = .flag("curve-allow")) throws(UsageError) -> Checked<Set<CurveKey>> {
        var allowed = Set<CurveKey>()
        var warnings: [String] = []
        for value in values {
            let found = try keys(in: value, from: origin)
            allowed.formUnion(found.value)
            warnings += found.warnings
        }
        return Checked(value: allowed, warnings: warnings)
    }

    /// The keys one value allows.
    static func keys(in value: String, from origin: ValueOrigin) throws(UsageError) -> Checked<[CurveKey]> {
        switch KeyArgument.reading(value) {
        case let .key(text):
            return Checked(value: [try KeyArgument.key(text, .public, from: origin)], warnings: KeyArgument.shadowing(text, origin))
        case let .file(path):
            if isDirectory(path) { return try directory(path, from: origin) }
            let (certificate, _) = try KeyArgument.load(path, from: origin)
            guard certificate.secretKey == nil else {
                let shared = path.hasSuffix("_secret") ? String(path.dropLast("_secret".count)) : "its public certificate"
                throw UsageError("\(origin.name): \(path) is a secret certificate; the allow-list takes public certificates",
                                 hint: "give \(shared) instead: a server needs only its clients' public keys")
            }
            return Checked(value: [certificate.publicKey])
        }
    }

    /// The keys of the public certificates in the directory `path`. Names that begin with a dot
    /// and subdirectories are passed over; a secret certificate or a file that is not a
    /// certificate is skipped with a warning; a directory with no public certificate is an error.
    static func directory(_ path: String, from origin: ValueOrigin) throws(UsageError) -> Checked<[CurveKey]> {
        let names: [String]
        do { names = try entries(path) } catch {
            throw UsageError("\(origin.name): cannot read the directory \(path): \(error.reason)",
                             hint: "the directory must be readable by the user zswift runs as")
        }
        var keys: [CurveKey] = [], warnings: [String] = []
        let base = path.hasSuffix("/") ? path : path + "/"
        for name in names where !name.hasPrefix(".") {
            let file = base + name
            if isDirectory(file) { continue }
            switch certificate(file) {
            case let .success(key): keys.append(key)
            case let .failure(problem): warnings.append("\(origin.name): skipped \(file): \(problem.reason)")
            }
        }
        guard !keys.isEmpty else {
            throw UsageError("\(origin.name): \(path) holds no public certificate" + (warnings.isEmpty ? "" : " (\(warnings.count) files skipped)"),
                             hint: "a public certificate is the file NAME that zswift keygen --cert NAME writes (pyzmq's zmq.auth: NAME.key)")
        }
        return Checked(value: keys, warnings: warnings)
    }

    /// The public key of the public certificate `file`, or why it is skipped.
    private static func certificate(_ file: String) -> Result<CurveKey, CertificateError> {
        if file.hasSuffix("_secret") {
            return .failure(CertificateError(reason: "a secret certificate (the allow-list takes public ones; keep secrets out of this directory)"))
        }
        let bytes: [UInt8]
        do { (bytes, _) = try CertificateFile.read(file) } catch {
            return .failure(CertificateError(reason: "cannot read it: \(error.reason)"))
        }
        let certificate: Certificate
        do { certificate = try Certificate(parsing: bytes) } catch {
            return .failure(CertificateError(reason: "not a CURVE certificate: it \(error.reason)"))
        }
        guard certificate.secretKey == nil else {
            return .failure(CertificateError(reason: "it holds a secret key (the allow-list takes public certificates)"))
        }
        return .success(certificate.publicKey)
    }

    // MARK: - The file system

    /// Whether `path` is a directory (following links).
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// The names in the directory `path`, sorted, without . and ..
    static func entries(_ path: String) throws(FileProblem) -> [String] {
        guard let directory = opendir(path) else { throw FileProblem.errno(errno) }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: MemoryLayout.size(ofValue: entry.pointee.d_name)) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }
}
