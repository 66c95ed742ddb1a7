// keygen's part of the command line: whether it prints the pair or writes certificates (--cert),
// and the metadata they carry (--meta), checked as typed so that its handler only generates and
// writes. keygen opens no socket, so it takes no endpoint.

/// What keygen does.
struct KeygenSettings: Equatable, Sendable {
    /// --cert NAME: the public certificate's path (the secret one is NAME_secret); nil prints the pair.
    var certificate: String?
    /// --meta entries, in the order given.
    var metadata: [Certificate.Entry] = []

    /// The secret certificate's path: NAME_secret, as czmq's zcert_save names it.
    var secretCertificate: String? { certificate.map { $0 + "_secret" } }

    init(certificate: String? = nil, metadata: [Certificate.Entry] = []) {
        self.certificate = certificate
        self.metadata = metadata
    }

    /// The rules between keygen's flags.
    init(_ raw: RawArguments) throws(UsageError) {
        if let extra = raw.positionals.first {
            throw UsageError("keygen opens no socket, so it takes no endpoint (got '\(extra)')",
                             hint: "zswift keygen prints a key pair; zswift keygen --cert NAME writes NAME and NAME_secret")
        }
        if raw.certificate == nil, let first = raw.metadata.first {
            throw UsageError("--meta \(first.name)=... goes into a certificate, and no --cert was given",
                             hint: "add --cert NAME")
        }
        var seen: Set<String> = []
        for entry in raw.metadata where !seen.insert(entry.name).inserted {
            throw UsageError("--meta \(entry.name) is given twice", hint: "give each metadata name once")
        }
        self.init(certificate: raw.certificate, metadata: raw.metadata)
    }

    /// --cert's NAME: a path to a file that is to be.
    static func certificateName(_ text: String) throws(UsageError) -> String {
        guard !text.isEmpty else {
            throw UsageError("--cert: the name is empty", hint: "for example --cert server.key (writes server.key and server.key_secret)")
        }
        guard !text.hasSuffix("/") else {
            throw UsageError("--cert: \(text) names a directory, not a file", hint: "for example --cert \(text)server.key")
        }
        return text
    }

    /// --meta's KEY=VALUE, held to what a certificate line can carry.
    static func metadataEntry(_ value: ArgumentValue) throws(UsageError) -> Certificate.Entry {
        guard let equals = value.bytes.firstIndex(of: UInt8(ascii: "=")) else {
            throw UsageError("--meta: '\(value.text)' has no =", hint: "give KEY=VALUE, for example --meta name=server")
        }
        guard let name = String(validating: value.bytes[..<equals], as: UTF8.self),
              let text = String(validating: value.bytes[(equals + 1)...], as: UTF8.self) else {
            throw UsageError("--meta: the value is not UTF-8 text", hint: "metadata is text")
        }
        if let problem = Certificate.check(name: name, value: text) {
            throw UsageError("--meta \(name.isEmpty ? "KEY=VALUE" : name): \(problem)",
                             hint: "for example --meta name=server --meta 'owner=Ops team'")
        }
        return Certificate.Entry(name: name, value: text)
    }
}
