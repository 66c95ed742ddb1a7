// The security part of the command line (cli.md, Security): which mechanism a socket uses, with
// which keys, and what the ZAP handler checks. Keys and files are read and checked here, before
// any socket exists; a server or client without its own pair gets a new one for the run.
import ZMQ

/// The mechanism of a secured socket, with what it needs.
enum SecurityMechanism: Equatable, Sendable {
    case null
    case curveServer(CurveKeys)
    case curveClient(serverKey: CurveKey, own: CurveKeys)
    case plainServer
    case plainClient(user: String, password: String)

    /// Whether this side authenticates its peers (a server; NULL sockets authenticate each other).
    var authenticates: Bool {
        switch self {
        case .null, .curveServer, .plainServer: true
        case .curveClient, .plainClient: false
        }
    }
}

/// What the security flags (or the variables that stand for them) ask of the secured sockets.
struct SecuritySettings: Sendable {
    var mechanism: SecurityMechanism = .null
    /// What the ZAP handler checks; nil when no handler is needed.
    var policy: AccessPolicy?
    /// Which broker sides are secured (frontend unless --secure says otherwise).
    var sides: SecuredSides = .frontend
    /// Said on stderr before the run starts (a new server key to give clients).
    var notices: [String] = []
    /// Said on stderr as warnings (files readable by others, skipped certificates).
    var warnings: [String] = []
    /// Said under -v (a client's own new key, a server that accepts anyone).
    var verboseNotes: [String] = []
    /// Where a client's server key or credentials came from: the flag, or the variable standing
    /// for it (hints name it, so that a variable left exported is found).
    var clientSource = ""

    /// Whether any flag or variable asked for security or address lists.
    var isEmpty: Bool { mechanism == .null && policy == nil }

    init() {}

    init(_ raw: RawArguments, command: Command, lookup: (String) -> String? = EnvironmentDefault.variable) throws(UsageError) {
        guard command.opensSockets else { return }
        (mechanism, clientSource) = try SecuritySettings.mechanism(raw, lookup: lookup, warnings: &warnings)
        if clientSource.hasPrefix("ZSWIFT_") {
            verboseNotes.append("\(clientSource) is set: this socket is a \(mechanism.name) client (unset it for a NULL one)")
        }
        try checkFlagsFit(raw, command: command)
        sides = raw.secure ?? .frontend
        policy = try accessPolicy(raw, legacyZMTP: raw.legacyZMTP)
        let pairGiven = EnvironmentDefault.curveSecretKey.value(given: raw.curveSecretKey, environment: lookup) != nil
        switch mechanism {
        case let .curveServer(keys) where !pairGiven:
            notices.append("CURVE server public key: \(keys.publicKey.text) (a new pair for this run: clients give --curve-server-key '\(keys.publicKey.text)'; --curve-secret-key keeps one)")
        case let .curveClient(_, own) where !pairGiven:
            verboseNotes.append("CURVE client public key: \(own.publicKey.text) (a new pair for this run; a server's --curve-allow lists it)")
        default: break
        }
    }

    /// The mechanism the flags choose, else the one a variable stands for; one at most. For a
    /// client, also where its server key or credentials came from (the flag, or the variable).
    static func mechanism(_ raw: RawArguments, lookup: (String) -> String?, warnings: inout [String]) throws(UsageError) -> (SecurityMechanism, clientSource: String) {
        let chosen = [raw.curveServer ? "--curve-server" : nil, raw.curveServerKey != nil ? "--curve-server-key" : nil,
                      raw.plainServer ? "--plain-server" : (raw.plainUsers != nil ? "--plain-users" : nil),
                      raw.plainUser != nil ? "--plain-user" : nil].compactMap { $0 }
        if chosen.count > 1 {
            throw UsageError("\(chosen[0]) and \(chosen[1]) choose different roles or mechanisms for one socket",
                             hint: "a socket is a CURVE server (--curve-server), a CURVE client (--curve-server-key), a PLAIN server (--plain-server) or a PLAIN client (--plain-user)")
        }
        let secret = EnvironmentDefault.curveSecretKey.value(given: raw.curveSecretKey, environment: lookup)
        if raw.curveServer {
            guard let secret else { return (.curveServer(try generatedPair()), "") }
            return (.curveServer(try own(secret, &warnings)), "")
        }
        if raw.plainServer || raw.plainUsers != nil { return (.plainServer, "") }
        let server = raw.plainUser == nil ? EnvironmentDefault.curveServerKey.value(given: raw.curveServerKey, environment: lookup) : nil
        let credentials = EnvironmentDefault.plainUser.value(given: raw.plainUser, environment: lookup)
        if chosen.isEmpty && server != nil && credentials != nil {
            throw UsageError("ZSWIFT_CURVE_SERVER_KEY and ZSWIFT_PLAIN_USER are both set: a socket uses one mechanism",
                             hint: "unset one of them, or give --curve-server-key or --plain-user")
        }
        if let server {
            let key = try KeyArgument.publicKey(server.text, from: server.origin)
            warnings += key.warnings
            let pair: CurveKeys
            if let secret { pair = try own(secret, &warnings) } else { pair = try generatedPair() }
            return (.curveClient(serverKey: key.value, own: pair), server.origin.name)
        }
        if raw.curveSecretKey != nil {
            throw UsageError("--curve-secret-key is this side's own key, and no CURVE role was given",
                             hint: "add --curve-server to be a server, or --curve-server-key KEY to be a client of one")
        }
        guard let credentials else { return (.null, "") }
        let parsed = try PlainCredentials.parse(credentials.text, from: credentials.origin)
        return (.plainClient(user: parsed.user, password: parsed.password), credentials.origin.name)
    }

    private static func own(_ value: (text: String, origin: ValueOrigin), _ warnings: inout [String]) throws(UsageError) -> CurveKeys {
        let keys = try KeyArgument.secretKey(value.text, from: value.origin)
        warnings += keys.warnings
        return keys.value
    }

    private static func generatedPair() throws(UsageError) -> CurveKeys {
        do { return try CurveKeys.generate() } catch {
            throw UsageError("this libzmq cannot make CURVE keys (\(error))", hint: "install a libzmq built with libsodium")
        }
    }

    /// The flags that only one role or command can use.
    private func checkFlagsFit(_ raw: RawArguments, command: Command) throws(UsageError) {
        if !raw.curveAllow.isEmpty, case .curveServer = mechanism {} else if !raw.curveAllow.isEmpty {
            throw UsageError("--curve-allow lists the clients a CURVE server accepts, and this socket is no CURVE server",
                             hint: "add --curve-server (a client checks its server with --curve-server-key)")
        }
        if !mechanism.authenticates, let list = raw.allow.isEmpty ? (raw.deny.isEmpty ? nil : "--deny") : "--allow" {
            throw UsageError("\(list) applies to the side that authenticates its peers, and a \(mechanism.name) client does not",
                             hint: "give \(list) to the server")
        }
        if raw.secure != nil && (mechanism == .null && raw.allow.isEmpty && raw.deny.isEmpty) {
            throw UsageError("--secure says which broker side the security flags apply to, and none was given",
                             hint: "add --curve-server, --plain-server, --allow or --deny")
        }
    }
}

extension SecurityMechanism {
    /// "CURVE", "PLAIN" or "NULL".
    var name: String {
        switch self {
        case .null: "NULL"
        case .curveServer, .curveClient: "CURVE"
        case .plainServer, .plainClient: "PLAIN"
        }
    }
}

extension SecuritySettings {
    /// The options of a secured socket: its mechanism's, and a ZAP domain when the ZAP handler
    /// checks it (a NULL socket asks the handler only when it has a domain).
    var socketSettings: [SocketOptionSetting] {
        var settings: [SocketOptionSetting] = []
        switch mechanism {
        case .null: break
        case let .curveServer(keys):
            settings = [.zswift(.curveServer, true), .zswift(.curveSecretKey, keys.secretKey.text)]
        case let .curveClient(server, own):
            settings = [.zswift(.curveServerKey, server.text), .zswift(.curvePublicKey, own.publicKey.text),
                        .zswift(.curveSecretKey, own.secretKey.text)]
        case .plainServer:
            settings = [.zswift(.plainServer, true)]
        case let .plainClient(user, password):
            settings = [.zswift(.plainUsername, user), .zswift(.plainPassword, password)]
        }
        if policy != nil { settings.append(.zswift(.zapDomain, securedDomain)) }
        return settings
    }
}

extension SecuritySettings {
    /// What the ZAP handler checks, or nil when nothing needs one. A CURVE or PLAIN server always
    /// gets one, so that each client's user id is known and -v can say who came in.
    mutating func accessPolicy(_ raw: RawArguments, legacyZMTP: Bool) throws(UsageError) -> AccessPolicy? {
        let server = switch mechanism { case .curveServer, .plainServer: true; default: false }
        guard server || !raw.allow.isEmpty || !raw.deny.isEmpty else { return nil }
        if legacyZMTP && mechanism == .null {
            throw UsageError("--\(raw.allow.isEmpty ? "deny" : "allow") needs a ZAP domain on the socket, and that refuses the ZMTP 1.0/2.0 peers --legacy-zmtp lets in",
                             hint: "drop --legacy-zmtp, or the address list")
        }
        var policy = AccessPolicy()
        policy.domain = securedDomain
        for text in raw.allow { policy.allow.append(try AddressRange.parse(text, flag: "allow")) }
        for text in raw.deny { policy.deny.append(try AddressRange.parse(text, flag: "deny")) }
        if !raw.curveAllow.isEmpty {
            let keys = try CurveAllowList.keys(raw.curveAllow)
            warnings += keys.warnings
            policy.allowedCurveKeys = keys.value
        } else if case .curveServer = mechanism {
            verboseNotes.append("the CURVE server accepts any client key (--curve-allow KEY|@DIR restricts it)")
        }
        if let file = raw.plainUsers {
            let users = try PlainUsers.load(file)
            warnings += users.warnings
            policy.plainUsers = users.value
        } else if mechanism == .plainServer {
            verboseNotes.append("the PLAIN server accepts any user name and password (--plain-users @FILE restricts it)")
        }
        return policy
    }
}

extension SecuritySettings {
    /// What to check when a handshake at a connect endpoint cannot succeed, naming the flag.
    func hint(for failure: FatalHandshake) -> String? {
        switch (failure.cause, mechanism) {
        case (.repeatedFailures, .curveClient):
            return "check \(clientSource): it must be the server's public key (a zswift server prints it when it starts; keygen --cert NAME writes it to NAME)"
        case (.repeatedFailures, .null):
            return "the server refuses this peer (its --allow or --deny, or its ZAP handler?), or wants CURVE (--curve-server-key) or PLAIN (--plain-user)"
        case (.repeatedFailures, .plainClient):
            return "check \(clientSource) and that the server is a PLAIN server"
        case (.failure(.authentication), .curveClient):
            return "the server does not accept this client's key: add its public key (-v prints it; --curve-secret-key keeps one) to the server's --curve-allow"
        case (.failure(.authentication), .plainClient):
            return "check \(clientSource): the server refused this user name or password"
        case (.failure(.authentication), _):
            return "the server refused this peer (its --allow or --deny, or its ZAP handler)"
        case (.failure(.protocolError(.mechanismMismatch)), _):
            return "this side uses \(mechanism.name)\(clientSource.hasPrefix("ZSWIFT_") ? " (\(clientSource) is set)" : ""): a CURVE server needs --curve-server-key KEY, a PLAIN server --plain-user USER:PASS, a NULL server neither"
        case let (.failure(.protocolError(.cryptographic)), .curveServer(keys)):
            return "the client's --curve-server-key is not this server's public key, '\(keys.publicKey.text)'"
        case (.failure(.protocolError(.cryptographic)), _):
            return "check the CURVE keys: \(clientSource.isEmpty ? "--curve-server-key" : clientSource) must be the server's public key"
        default:
            return failure.status == .security ? "both sides must use the same mechanism and keys" : nil
        }
    }
}

extension SecuritySettings {
    /// What the endpoints make of the flags: libzmq runs no security handshake over inproc://;
    /// --allow and --deny filter by IP address, and a peer over ipc:// has none, so every one is
    /// refused by a non-empty --allow (a usage error when no endpoint has addresses at all) and
    /// none is by --deny.
    mutating func checkEndpoints(_ endpoints: [Endpoint]) throws(UsageError) {
        if !isEmpty, let inproc = endpoints.first(where: { $0.address.hasPrefix("inproc://") }) {
            warnings.append("\(inproc.address): libzmq runs no security handshake over inproc, so the security flags do nothing there")
        }
        guard let policy, !(policy.allow.isEmpty && policy.deny.isEmpty),
              let ipc = endpoints.first(where: { $0.address.hasPrefix("ipc://") }) else { return }
        let list = policy.allow.isEmpty ? "--deny" : "--allow"
        if !policy.allow.isEmpty && endpoints.allSatisfy({ $0.address.hasPrefix("ipc://") }) {
            throw UsageError("--allow lets in peers by IP address, and peers at \(ipc.address) have none: it would refuse every one",
                             hint: "use a tcp endpoint, or guard the ipc path with file permissions instead")
        }
        warnings.append("\(ipc.address): peers there have no IP address, so \(list) \(list == "--allow" ? "refuses every one of them" : "never matches them")")
    }
}
