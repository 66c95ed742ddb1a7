// The probe of one endpoint: connect, send the first 11 bytes of a ZMTP 3.1 greeting, and read
// what comes back, within one deadline. A ZMTP 3 peer answers with its greeting; under NULL we
// complete our greeting and read its READY (libzmq sends it without waiting for ours), then close
// without answering it, so the peer never attaches a pipe and no queued message of its is taken.

/// Describes endpoints by speaking the first bytes of ZMTP.
struct Prober {
    /// The bound on each endpoint's probe (connect, greeting and handshake together).
    var timeout: Int

    /// How long a silent peer is given before we send a line end to coax a text protocol.
    private var nudgeAfter: Int { min(timeout / 2, 1000) }

    /// The description of `endpoint`.
    func describe(_ endpoint: Endpoint) -> ProbeResult {
        var result = ProbeResult(endpoint: endpoint.address, kind: .unreachable)
        guard let target = ProbeTarget(endpoint) else {
            result.note = "probe speaks tcp and ipc only"
            return result
        }
        let start = Clock.nanoseconds()
        let deadline = Deadline(after: .ms(timeout))
        let connection: ProbeConnection
        do { connection = try ProbeConnection.open(target, deadline: deadline) } catch {
            switch error {
            case let .refused(reason): (result.kind, result.note) = (.refused, reason)
            case let .unreachable(reason): result.note = reason
            case .timedOut: result.note = "no answer to the connection within \(timeout) ms"
            }
            return result
        }
        defer { connection.close() }
        result.connectMilliseconds = Prober.milliseconds(since: start)
        connection.send(ZMTPGreeting.opening)
        var bytes: [UInt8] = []
        var closed = false
        let opening = readOpening(connection, &bytes, deadline: deadline, closed: &closed)
        describe(opening, bytes, into: &result)
        if closed && bytes.isEmpty {
            // something listens and hung up on the greeting without a word: no ZMTP peer does
            // that (it sends its own greeting first); a TLS server does, on a record it cannot read
            result.kind = .other
            result.note = "it closed the connection on a ZMTP greeting without a word: not a ZMTP peer (a TLS server does this; \(target.tlsCheck))"
        }
        if case let .greeting(greeting) = opening {
            let greeted = Prober.milliseconds(since: start)
            handshake(greeting, connection, &bytes, deadline: deadline, into: &result)
            // under CURVE and PLAIN our part ends with the greeting: the rest was a wait for HELLO
            result.handshakeMilliseconds = greeting.mechanism == "NULL" ? Prober.milliseconds(since: start) : greeted
        } else if result.kind == .zmtp {
            result.handshakeMilliseconds = Prober.milliseconds(since: start)
        }
        return result
    }

    /// Reads until the first bytes say what the peer is, the peer closes, or `deadline`; a peer
    /// silent for half the time gets "\r\n" (HTTP and text servers answer a line, ZMTP never waits).
    private func readOpening(_ connection: ProbeConnection, _ bytes: inout [UInt8], deadline: Deadline,
                             closed: inout Bool) -> ZMTPOpening {
        let nudge = Deadline(after: .ms(nudgeAfter))
        var nudged = false
        while true {
            let soon = nudged ? deadline : (nudge.at ?? 0) < (deadline.at ?? 0) ? nudge : deadline
            switch connection.read(into: &bytes, deadline: soon) {
            case .closed:
                closed = true
                return bytes.isEmpty ? .incomplete : ZMTPGreeting.classify(bytes)
            case .timedOut:
                if deadline.hasPassed || nudged { return ZMTPGreeting.classify(bytes) }
                nudged = true
                if bytes.isEmpty { connection.send(Array("\r\n".utf8)) }
            case .data:
                let opening = ZMTPGreeting.classify(bytes)
                if opening == .incomplete { continue }
                // a ZMTP 2.0 peer (JeroMQ 0.3) sends its identity only after ours: what came is all
                if opening == .notZMTP, !bytes.contains(10), bytes.count < 256, !deadline.hasPassed { continue }
                return opening
            }
        }
    }

    /// Fills in what the opening says.
    private func describe(_ opening: ZMTPOpening, _ bytes: [UInt8], into result: inout ProbeResult) {
        switch opening {
        case let .greeting(g):
            result.kind = .zmtp
            (result.zmtp, result.mechanism, result.asServer) = (g.version, g.mechanism, g.asServer)
        case let .zmtp20(type, identity):
            result.kind = .zmtp
            (result.zmtp, result.socketType, result.identity) = ("2.0", type, identity.flatMap { $0.isEmpty ? nil : $0 })
        case .zmtp10:
            (result.kind, result.zmtp) = (.zmtp, "1.0")
        case .incomplete where bytes.isEmpty:
            result.kind = .silent
        case .incomplete, .notZMTP:
            result.kind = PeerKind.of(bytes)
            result.banner = PeerKind.banner(bytes)
            if result.kind == .silent { result.kind = .other }
        }
    }

    /// ZMTP 3: under NULL, our greeting's rest and the peer's READY; under CURVE or PLAIN, our
    /// greeting with the same mechanism, and whether the peer speaks first (a client sends HELLO).
    private func handshake(_ greeting: ZMTPGreeting, _ connection: ProbeConnection, _ bytes: inout [UInt8],
                           deadline: Deadline, into result: inout ProbeResult) {
        var rest = Array(bytes.dropFirst(ZMTPGreeting.size))
        connection.send(Array(ZMTPGreeting.encode(mechanism: greeting.mechanism).dropFirst(ZMTPGreeting.opening.count)))
        let secure = greeting.mechanism != "NULL"
        let wait = secure ? Deadline(after: .ms(min(300, deadline.remaining()))) : deadline
        guard let command = readCommand(connection, &rest, deadline: wait) else {
            if secure && !greeting.asServer { (result.asServer, result.asServerInferred) = (true, true) }
            if !secure { result.note = "no READY from the peer within the timeout" }
            return
        }
        switch command.name {
        case "READY":
            let properties = ZMTPCommand.properties(command.body) ?? []
            result.metadata = properties
            result.socketType = properties.first { $0.name.lowercased() == "socket-type" }.map { String(decoding: $0.value, as: UTF8.self) }
            result.identity = properties.first { $0.name.lowercased() == "identity" }.flatMap { $0.value.isEmpty ? nil : $0.value }
        case "HELLO":
            (result.asServer, result.asServerInferred) = (false, true)
        case "ERROR":
            let reason = command.body.first.map { Array(command.body.dropFirst().prefix(Int($0))) } ?? []
            result.note = "the peer sent ERROR: " + String(decoding: reason, as: UTF8.self)
        default:
            result.note = "the peer sent \(command.name)"
        }
    }

    /// The next command the peer sends, or nil when it sends none before `deadline`.
    private func readCommand(_ connection: ProbeConnection, _ bytes: inout [UInt8], deadline: Deadline) -> ZMTPCommand? {
        while true {
            switch ZMTPCommand.decode(bytes) {
            case let .command(command, _): return command
            case .invalid: return nil
            case .incomplete:
                guard connection.read(into: &bytes, deadline: deadline) == .data else { return nil }
            }
        }
    }

    static func milliseconds(since start: Int) -> Double {
        Double((Clock.nanoseconds() - start) / 1000) / 1000
    }
}
