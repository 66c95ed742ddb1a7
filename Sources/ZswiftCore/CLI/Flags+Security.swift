// The security flags' rows of the flag table (Flags.swift holds the rest): CURVE, PLAIN, address
// lists and keygen's. What they mean together is Invocation+Security.swift's business; the ZAP
// handler that enforces the lists is Security/ZAPHandler.swift.
import ZMQ

extension Flag {
    static let security: [Flag] = [
        /// --curve-server
        Flag("curve-server", .security, for: .networked,
             summary: "be a CURVE server: encrypt, and authenticate to clients",
             doc: "Makes the socket a CURVE server (ZMQ_CURVE_SERVER): every connection is encrypted and clients must know the server's public key. The secret key comes from --curve-secret-key (or ZSWIFT_CURVE_SECRET_KEY); without one, zswift makes a new pair for this run and prints its public key on stderr, ready for a client's --curve-server-key. Any client key is accepted unless --curve-allow lists the keys; the client's public key is its user id (see --exec).") { raw, _ throws(UsageError) in raw.curveServer = true },
        /// --curve-secret-key
        Flag("curve-secret-key", value: "KEY|@FILE", .security, for: .networked,
             summary: "this side's CURVE secret key, or @FILE a secret certificate",
             doc: "This side's own CURVE key pair: a secret key in Z85 (the public key is derived from it), or @FILE, a secret certificate (NAME_secret, as zswift keygen --cert or pyzmq's zmq.auth writes it). A server's pair is the one clients know; a client without one gets a new pair for the run. A value of 40 Z85 characters is a key even when it begins with @. The key never appears in any output; a certificate readable by group or others draws a warning. ZSWIFT_CURVE_SECRET_KEY gives the value when the flag is absent, so that ps does not show it.",
             completion: .file) { raw, v throws(UsageError) in raw.curveSecretKey = v.text },
        /// --curve-server-key
        Flag("curve-server-key", value: "KEY|@FILE", .security, for: CommandSet.networked.union(CommandSet(.probe)),
             summary: "be a CURVE client of the server with this public key",
             doc: "Makes the socket a CURVE client of the server whose public key is KEY (Z85), or is in the certificate @FILE (public or secret). A wrong key cannot be told from a refusal by the server: after three failed handshakes in a row the run ends with status 4. ZSWIFT_CURVE_SERVER_KEY gives the value when the flag is absent. probe: checks whether the CURVE server at each endpoint accepts KEY (key_accepted; status 4 when not).",
             completion: .file) { raw, v throws(UsageError) in raw.curveServerKey = v.text },
        /// --curve-allow
        Flag("curve-allow", value: "KEY|@FILE|@DIR", .security, for: .networked,
             summary: "accept only these CURVE client keys (repeatable)",
             doc: "Restricts a CURVE server to the clients whose public keys are listed: a key in Z85, @FILE a certificate, or @DIR every public certificate in a directory (a NAME_secret file there is skipped with a warning). Repeatable. A client whose key is not listed sees its handshake refused (status 4); -v says why on the server. Without --curve-allow, a CURVE server accepts any client key and -v says so.",
             completion: .file, repeatable: true) { raw, v throws(UsageError) in raw.curveAllow.append(v.text) },
        /// --plain-server
        Flag("plain-server", .security, for: .networked,
             summary: "be a PLAIN server: ask clients for a user name and password",
             doc: "Makes the socket a PLAIN server (ZMQ_PLAIN_SERVER): clients send a user name and a password, in clear text (PLAIN does not encrypt: use it on trusted networks or for tests). With --plain-users only the users listed there are accepted; without it any user name and password are, and -v says so. The user name is the client's user id (see --exec).") { raw, _ throws(UsageError) in raw.plainServer = true },
        /// --plain-users
        Flag("plain-users", value: "@FILE", .security, for: .networked,
             summary: "the users a PLAIN server accepts, one USER:PASS a line",
             doc: "The users a PLAIN server accepts (implies --plain-server): FILE holds one USER:PASS per line, the password being everything after the first colon; lines starting with # and blank lines are skipped. A file readable by group or others draws a warning.",
             completion: .file) { raw, v throws(UsageError) in raw.plainUsers = v.text },
        /// --plain-user
        Flag("plain-user", value: "USER:PASS", .security, for: .networked,
             summary: "be a PLAIN client with this user name and password",
             doc: "Makes the socket a PLAIN client that logs in as USER with password PASS (everything after the first colon). ZSWIFT_PLAIN_USER gives the value when the flag is absent, so that ps does not show the password. A server that refuses the credentials ends the run with status 4.") { raw, v throws(UsageError) in raw.plainUser = v.text },
        /// --allow
        Flag("allow", value: "ADDR|CIDR", .security, for: .networked,
             summary: "accept peers only from these addresses (repeatable)",
             doc: "Accepts connections only from peers whose IP address is ADDR or falls in CIDR (10.0.0.0/8, ::1, fe80::/10), whatever the mechanism, NULL included. Repeatable. A refused peer sees its handshake refused (status 4 for a zswift client); -v says so on this side. Checked by zswift's ZAP handler, on the side that authenticates: any NULL socket, a CURVE or PLAIN server.") { raw, v throws(UsageError) in raw.allow.append(v.text) },
        /// --deny
        Flag("deny", value: "ADDR|CIDR", .security, for: .networked,
             summary: "refuse peers from these addresses (repeatable)",
             doc: "Refuses connections from peers whose IP address is ADDR or falls in CIDR; --deny wins over --allow. Repeatable.") { raw, v throws(UsageError) in raw.deny.append(v.text) },
        /// --secure
        Flag("secure", value: "SIDE", .security, for: CommandSet(.broker),
             summary: "the broker side the security flags apply to (default frontend)",
             doc: "Which of the broker's sides the security flags apply to: frontend (the default: clients are secured, workers behind it are not), backend, or both (the same keys and lists on both sides).",
             choices: SecuredSides.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let sides = SecuredSides(rawValue: v.text) else {
                throw UsageError("--secure: unknown side '\(v.text)'", hint: "sides: frontend, backend, both")
            }
            raw.secure = sides
        },
        /// --cert
        Flag("cert", value: "NAME", .security, for: CommandSet(.keygen),
             summary: "write the pair as certificates NAME and NAME_secret",
             doc: "Writes the new pair as two certificate files, in the czmq format that pyzmq's zmq.auth reads and writes, instead of printing it: NAME holds the public key, for peers; NAME_secret holds both keys and is created with mode 0600, so that nobody else can read it at any moment. Neither may exist: keygen never overwrites a file. Prints the public key and the two paths, never the secret key. pyzmq's zmq.auth.load_certificates(DIR) reads the files named *.key, so --cert DIR/NAME.key suits it.",
             completion: .file) { raw, v throws(UsageError) in raw.certificate = try KeygenSettings.certificateName(v.text) },
        /// --meta
        Flag("meta", value: "KEY=VALUE", .security, for: CommandSet(.keygen),
             summary: "add KEY = VALUE to the certificates' metadata (repeatable)",
             doc: "Adds a line to the metadata section of both certificates, after created-by and created-at (a --meta of either name replaces it). KEY is letters, digits and $-_@.&+; VALUE is text on one line, without both kinds of quote. Needs --cert.",
             repeatable: true) { raw, v throws(UsageError) in raw.metadata.append(try KeygenSettings.metadataEntry(v)) },

    ]
}
