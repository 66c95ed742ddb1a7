// The ZAP handler with real libzmq sockets in one context, over tcp://127.0.0.1 (libzmq runs no
// security handshake over inproc): CURVE allow-lists, PLAIN users, NULL with a ZAP domain and
// --deny, the decisions the main thread reads, and stopping before the context ends. Every wait is
// a poll with a bound; nothing sleeps to synchronise.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// Polls `socket` until `attempt` gives a value or `timeout` milliseconds pass.
private func awaitValue<T>(on socket: Socket, timeout: Int = 5000, _ attempt: () throws -> T?) throws -> T? {
    var poller = Poller()
    poller.add(socket, .readable)
    let deadline = ContinuousClock.now + .milliseconds(timeout)
    while true {
        if let value = try attempt() { return value }
        let left = deadline - ContinuousClock.now
        if left <= .zero { return nil }
        _ = try poller.poll(timeout: max(1, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000)))
    }
}

/// The first event of `kind` from `monitor` within the bound.
private func awaitEvent(_ kind: MonitorEvent.Kind, from monitor: Monitor) throws -> MonitorEvent? {
    try awaitValue(on: monitor.socket) { () throws -> MonitorEvent? in
        while let event = try monitor.receive(dontWait: true) {
            if event.kind == kind { return event }
        }
        return nil
    }
}

/// One frame from `socket` and its "User-Id" property, within the bound.
private func receive(_ socket: Socket) throws -> (bytes: [UInt8], userID: String?)? {
    try awaitValue(on: socket) { () throws -> ([UInt8], String?)? in
        var message = Message()
        guard try socket.receive(&message, dontWait: true) else { return nil }
        return (message.array, message.property("User-Id"))
    }
}

/// The next decision `handler` reports, within the bound.
private func decision(from handler: ZAPHandler) throws -> ZAPDecision? {
    try awaitValue(on: handler.decisions) { handler.nextDecision() }
}

private func socket(_ context: Context, _ type: SocketType) throws -> Socket {
    let socket = try Socket(context, type: type)
    try socket.set(.linger, 0)
    return socket
}

/// A CURVE REP server bound on loopback, and its keys.
private func curveServer(_ context: Context) throws -> (Socket, CurveKeys) {
    let keys = try CurveKeys.generate()
    let server = try socket(context, .rep)
    try server.set(.curveServer, true)
    try server.set(.curveSecretKey, keys.secretKey.text)
    try server.bind("tcp://127.0.0.1:*")
    return (server, keys)
}

/// A CURVE REQ client of `server` with keys of its own.
private func curveClient(_ context: Context, of server: Socket, serverKey: CurveKey, keys: CurveKeys) throws -> (Socket, Monitor) {
    let client = try socket(context, .req)
    try client.set(.curveServerKey, serverKey.text)
    try client.set(.curvePublicKey, keys.publicKey.text)
    try client.set(.curveSecretKey, keys.secretKey.text)
    let monitor = try Monitor(client, events: [.handshakeSucceeded, .handshakeFailed])
    try client.connect(server.lastEndpoint)
    return (client, monitor)
}

// MARK: - CURVE

@Test(.enabled(if: Library.has("curve")))
func anAllowedCurveClientCompletesARequestAndItsKeyIsTheMessagesUserID() throws {
    let context = Context()
    let clientKeys = try CurveKeys.generate()
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy(allowedCurveKeys: [clientKeys.publicKey]))
    defer { handler.stop() }
    let (server, serverKeys) = try curveServer(context)
    let (client, _) = try curveClient(context, of: server, serverKey: serverKeys.publicKey, keys: clientKeys)
    #expect(try client.send(bytes("hello")))
    let request = try #require(try receive(server))
    #expect(request.bytes == bytes("hello") && request.userID == clientKeys.publicKey.text)
    #expect(try server.send(bytes("world")))
    #expect(try receive(client)?.bytes == bytes("world"))

    let decision = try #require(try decision(from: handler))
    #expect(decision.allowed && decision.mechanism == "CURVE" && decision.userID == clientKeys.publicKey.text)
    #expect(decision.address == "127.0.0.1" && decision.reason == "its key is in --curve-allow")
    #expect(handler.nextDecision() == nil)
}

@Test(.enabled(if: Library.has("curve")))
func aCurveClientWhoseKeyIsNotAllowedIsRefusedWith400() throws {
    let context = Context()
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy(allowedCurveKeys: [try CurveKeys.generate().publicKey]))
    defer { handler.stop() }
    let (server, serverKeys) = try curveServer(context)
    let clientKeys = try CurveKeys.generate()
    let (_, monitor) = try curveClient(context, of: server, serverKey: serverKeys.publicKey, keys: clientKeys)
    let failed = try #require(try awaitEvent(.handshakeFailedAuth, from: monitor))
    #expect(failed.value == 400)
    let decision = try #require(try decision(from: handler))
    #expect(!decision.allowed && decision.statusCode == "400")
    #expect(decision.reason == "its key \(clientKeys.publicKey.text) is not in --curve-allow")
}

// MARK: - PLAIN

/// A handler that knows alice:secret, a PLAIN REP server, and a REQ client with `user`:`password`
/// whose monitor watches its handshake.
private func plainPair(_ context: Context, _ user: String, _ password: String) throws -> (ZAPHandler, Socket, Socket, Monitor) {
    let users = try PlainUsers(parsing: bytes("alice:secret\n"), file: "users")
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy(plainUsers: users))
    let server = try socket(context, .rep)
    try server.set(.plainServer, true)
    try server.bind("tcp://127.0.0.1:*")
    let client = try socket(context, .req)
    try client.set(.plainUsername, user)
    try client.set(.plainPassword, password)
    let monitor = try Monitor(client, events: [.handshakeSucceeded, .handshakeFailed])
    try client.connect(server.lastEndpoint)
    return (handler, server, client, monitor)
}

@Test func aPlainUserWithTheRightPasswordComesInAsThatUser() throws {
    let (handler, server, client, _) = try plainPair(Context(), "alice", "secret")
    defer { handler.stop() }
    #expect(try client.send(bytes("hi")))
    let request = try #require(try receive(server))
    #expect(request.bytes == bytes("hi") && request.userID == "alice")
    let decision = try #require(try decision(from: handler))
    #expect(decision.allowed && decision.userID == "alice" && decision.mechanism == "PLAIN")
}

@Test func aPlainUserWithTheWrongPasswordIsRefused() throws {
    let (handler, server, _, monitor) = try plainPair(Context(), "alice", "guess")
    defer { handler.stop() }
    defer { server.close() }  // kept open until the end (an unused socket would be released at once)
    #expect(try awaitEvent(.handshakeFailedAuth, from: monitor)?.value == 400)
    let decision = try #require(try decision(from: handler))
    #expect(!decision.allowed && decision.reason == "wrong password for PLAIN user 'alice'")
}

// MARK: - NULL and addresses

@Test func aNullPeerFromADeniedAddressIsRefusedWhenTheSocketHasAZAPDomain() throws {
    let context = Context()
    let deny = [try AddressRange.parse("127.0.0.1", flag: "deny")]
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy(deny: deny))
    defer { handler.stop() }
    let server = try socket(context, .pull)
    try server.set(.zapDomain, "global")
    let serverMonitor = try Monitor(server, events: [.handshakeSucceeded, .handshakeFailed])
    try server.bind("tcp://127.0.0.1:*")
    let client = try socket(context, .push)
    try client.connect(server.lastEndpoint)
    #expect(try awaitEvent(.handshakeFailedAuth, from: serverMonitor)?.value == 400)
    let decision = try #require(try decision(from: handler))
    #expect(!decision.allowed && decision.mechanism == "NULL" && decision.domain == "global")
    #expect(decision.reason == "address 127.0.0.1 is in --deny 127.0.0.1")
}

// MARK: - Decisions, stopping, a second handler

@Test func decisionsTheMainThreadDoesNotTakeAreDroppedAndCounted() throws {
    let context = Context()
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy(), queueLimit: 1)
    defer { handler.stop() }
    let server = try socket(context, .pull)
    try server.set(.zapDomain, "global")
    try server.bind("tcp://127.0.0.1:*")
    let total = 12
    var clients: [(Socket, Monitor)] = []
    for _ in 0..<total {
        let client = try socket(context, .push)
        let monitor = try Monitor(client, events: [.handshakeSucceeded])
        try client.connect(server.lastEndpoint)
        clients.append((client, monitor))
    }
    for (_, monitor) in clients { #expect(try awaitEvent(.handshakeSucceeded, from: monitor) != nil) }
    // the handler queues each decision after its reply: wait until all are taken or counted
    var taken = 0
    let settled = try awaitValue(on: handler.decisions) { () -> Bool? in
        while handler.nextDecision() != nil { taken += 1 }
        return taken + handler.droppedDecisions == total ? true : nil
    }
    #expect(settled == true && handler.droppedDecisions > 0, "taken \(taken), dropped \(handler.droppedDecisions)")
}

@Test func aSecondHandlerInOneContextIsRefusedWithAClearError() throws {
    let context = Context()
    let first = try ZAPHandler.start(context: context, policy: AccessPolicy())
    defer { first.stop() }
    #expect {
        _ = try ZAPHandler.start(context: context, policy: AccessPolicy())
    } throws: { error in
        guard case let .failed(status, message, hint) = error as? Exit else { return false }
        return status == .failure && message.contains("inproc://zeromq.zap.01 is already bound") && hint != nil
    }
}

@Test func aStoppedHandlerLetsTheContextTerminatePromptly() throws {
    let context = Context()
    let handler = try ZAPHandler.start(context: context, policy: AccessPolicy())
    let started = ContinuousClock.now
    handler.stop()
    handler.stop()
    #expect(handler.nextDecision() == nil && handler.decisions.isClosed)
    let terminator = ContextTerminator.start(context)
    defer { terminator.close() }
    #expect(terminator.isFinished(waitingUpTo: 2000))
    #expect(ContinuousClock.now - started < .seconds(1))
}

@Test func anotherHandlerCanBindOnceTheFirstHasStopped() throws {
    let context = Context()
    try ZAPHandler.start(context: context, policy: AccessPolicy()).stop()
    try ZAPHandler.start(context: context, policy: AccessPolicy()).stop()
}
