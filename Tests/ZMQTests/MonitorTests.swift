// Monitor: connection and handshake events for a TCP pair on 127.0.0.1, event filtering, stopping,
// and the event kinds' names. Every wait is a poll with a timeout; no test waits more than ~5 s.
import CZMQ  // zmq_curve_keypair and the ZMTP protocol error codes
import Glibc
import Testing
import ZMQ

/// Reads events from `monitor` until one of `kind` arrives or `timeout` milliseconds pass.
/// Everything read on the way is appended to `seen`.
private func awaitEvent(
    _ kind: MonitorEvent.Kind, from monitor: Monitor, seen: inout [MonitorEvent], timeout: Int = patience
) throws -> MonitorEvent? {
    if let event = seen.first(where: { $0.kind == kind }) { return event }
    var poller = Poller()
    poller.add(monitor.socket, .readable)
    let deadline = ContinuousClock.now + .milliseconds(timeout)
    while true {
        while let event = try monitor.receive(dontWait: true) {
            seen.append(event)
            if event.kind == kind { return event }
        }
        let left = deadline - ContinuousClock.now
        if left <= .zero { return nil }
        let ms = max(1, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
        _ = try poller.poll(timeout: ms)
    }
}

/// Like `awaitEvent`, but records a test failure naming the events that did arrive.
private func expectEvent(
    _ kind: MonitorEvent.Kind, from monitor: Monitor, seen: inout [MonitorEvent],
    sourceLocation: SourceLocation = #_sourceLocation
) throws -> MonitorEvent? {
    let event = try awaitEvent(kind, from: monitor, seen: &seen)
    if event == nil {
        Issue.record("no \(kind.name) within \(patience) ms; saw \(seen.map(\.kind.name))", sourceLocation: sourceLocation)
    }
    return event
}

// MARK: - A TCP connection's life

@Test func theBoundSideReportsAcceptedThenHandshakeSucceededThenDisconnected() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    let monitor = try Monitor(server)
    try server.bind("tcp://127.0.0.1:*")
    let endpoint = server.lastEndpoint

    var seen: [MonitorEvent] = []
    let listening = try expectEvent(.listening, from: monitor, seen: &seen)
    #expect(listening?.endpoint == endpoint)

    let client = try makeSocket(context, .push)
    try client.connect(endpoint)

    let accepted = try expectEvent(.accepted, from: monitor, seen: &seen)
    #expect(accepted?.endpoint == endpoint)
    #expect(accepted.map { Int32(bitPattern: $0.value) >= 0 } == true, "accepted carries the new connection's fd")
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)

    client.close()
    _ = try expectEvent(.disconnected, from: monitor, seen: &seen)

    let order = seen.map(\.kind)
    if let a = order.firstIndex(of: .accepted), let h = order.firstIndex(of: .handshakeSucceeded),
       let d = order.firstIndex(of: .disconnected) {
        #expect(a < h && h < d, "order \(seen.map(\.kind.name))")
    }
}

@Test func theConnectingSideReportsConnectedAndHandshakeSucceeded() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    try server.bind("tcp://127.0.0.1:*")
    let endpoint = server.lastEndpoint

    let client = try makeSocket(context, .push)
    let monitor = try Monitor(client)
    try client.connect(endpoint)

    var seen: [MonitorEvent] = []
    let connected = try expectEvent(.connected, from: monitor, seen: &seen)
    #expect(connected?.endpoint == endpoint)
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)
}

@Test func theConnectingSideReportsDisconnectedWhenTheServerGoesAway() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    try server.bind("tcp://127.0.0.1:*")
    let endpoint = server.lastEndpoint
    let client = try makeSocket(context, .push)
    try client.set(.reconnectInterval, 60_000)  // no reconnect noise while the test looks
    let monitor = try Monitor(client)
    try client.connect(endpoint)

    var seen: [MonitorEvent] = []
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)
    server.close()
    let disconnected = try expectEvent(.disconnected, from: monitor, seen: &seen)
    #expect(disconnected?.endpoint == endpoint)
}

@Test func aMessageFlowsWhileTheMonitorWatches() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    let monitor = try Monitor(server)
    try server.bind("tcp://127.0.0.1:*")
    let client = try makeSocket(context, .push)
    try client.connect(server.lastEndpoint)
    #expect(try client.send(Array("watched".utf8)))
    #expect(try receiveFrames(server) == [Array("watched".utf8)])
    var seen: [MonitorEvent] = []
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)
}

@Test func aMonitorReportsOnlyTheEventsAskedFor() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    let monitor = try Monitor(server, events: .handshakeSucceeded)
    try server.bind("tcp://127.0.0.1:*")
    let client = try makeSocket(context, .push)
    try client.connect(server.lastEndpoint)

    var seen: [MonitorEvent] = []
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)
    client.close()
    // Give a disconnected event (not asked for) the chance to show up, bounded, then check.
    _ = try awaitEvent(.disconnected, from: monitor, seen: &seen, timeout: 100)
    #expect(seen.allSatisfy { $0.kind == .handshakeSucceeded }, "saw \(seen.map(\.kind.name))")
}

@Test func aConnectionRefusedShowsUpAsRetriesNotAsAnError() throws {
    let context = Context()
    let (endpoint, fd) = refusingTCPEndpoint()
    defer { close(fd) }

    let client = try makeSocket(context, .push)
    try client.set(.reconnectInterval, 10)
    let monitor = try Monitor(client)
    try client.connect(endpoint)  // succeeds: libzmq connects in the background
    var seen: [MonitorEvent] = []
    let retried = try expectEvent(.connectRetried, from: monitor, seen: &seen)
    #expect(retried?.endpoint == endpoint)
    // The value is the next reconnect interval: reconnect_ivl plus a random jitter below it.
    #expect(retried.map { (10..<20).contains($0.value) } == true, "value \(retried?.value ?? 0)")
    #expect(!seen.contains { $0.kind == .connected })
}

// MARK: - Handshake failures (only the monitor tells)

/// A CURVE key pair as Z85 text (public, secret).
private func curveKeyPair() throws -> (public: String, secret: String) {
    var publicKey = [CChar](repeating: 0, count: 41), secretKey = [CChar](repeating: 0, count: 41)
    guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last }
    func text(_ z85: [CChar]) -> String {
        String(decoding: z85.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
    return (text(publicKey), text(secretKey))
}

@Test func aMechanismMismatchIsReportedAsAProtocolFailureOnTheServer() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)  // NULL mechanism
    let monitor = try Monitor(server, events: .handshakeFailed)
    try server.bind("tcp://127.0.0.1:*")
    let client = try makeSocket(context, .push)
    try client.set(.plainUsername, "user")
    try client.set(.plainPassword, "password")
    try client.connect(server.lastEndpoint)

    var seen: [MonitorEvent] = []
    let failed = try expectEvent(.handshakeFailedProtocol, from: monitor, seen: &seen)
    #expect(failed?.value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH))
}

@Test(.enabled(if: Library.has("curve")))
func aCurveClientWithTheWrongServerKeyIsOnlyVisibleThroughTheMonitor() throws {
    let serverKeys = try curveKeyPair(), clientKeys = try curveKeyPair(), wrongKeys = try curveKeyPair()
    let context = Context()
    let server = try makeSocket(context, .pull)
    try server.set(.curveServer, true)
    try server.set(.curveSecretKey, serverKeys.secret)
    let serverMonitor = try Monitor(server, events: .handshakeFailed)
    try server.bind("tcp://127.0.0.1:*")

    let client = try makeSocket(context, .push)
    try client.set(.curveServerKey, wrongKeys.public)
    try client.set(.curvePublicKey, clientKeys.public)
    try client.set(.curveSecretKey, clientKeys.secret)
    let clientMonitor = try Monitor(client, events: .handshakeFailed)
    try client.connect(server.lastEndpoint)
    #expect(try client.send([1], flags: .dontWait))  // queued; no error ever reaches the sender

    var serverSeen: [MonitorEvent] = [], clientSeen: [MonitorEvent] = []
    let serverFailed = try expectEvent(.handshakeFailedProtocol, from: serverMonitor, seen: &serverSeen)
    #expect(serverFailed?.value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC))
    _ = try expectEvent(.handshakeFailedNoDetail, from: clientMonitor, seen: &clientSeen)
}

@Test(.enabled(if: Library.has("curve")))
func aCurveClientWithTheRightServerKeyCompletesTheHandshake() throws {
    let serverKeys = try curveKeyPair(), clientKeys = try curveKeyPair()
    let context = Context()
    let server = try makeSocket(context, .pull)
    try server.set(.curveServer, true)
    try server.set(.curveSecretKey, serverKeys.secret)
    try server.bind("tcp://127.0.0.1:*")

    let client = try makeSocket(context, .push)
    try client.set(.curveServerKey, serverKeys.public)
    try client.set(.curvePublicKey, clientKeys.public)
    try client.set(.curveSecretKey, clientKeys.secret)
    let monitor = try Monitor(client)
    try client.connect(server.lastEndpoint)

    var seen: [MonitorEvent] = []
    _ = try expectEvent(.handshakeSucceeded, from: monitor, seen: &seen)
    #expect(try client.send(Array("secret".utf8)))
    var message = Message()
    try #require(try receive(server, into: &message))
    #expect(message.array == Array("secret".utf8))
    #expect(message.property("User-Id") == nil || message.property("User-Id") == "")  // no ZAP handler
}

// MARK: - Reading and stopping

@Test func aMonitorWithNothingToReportReturnsNilWithoutWaiting() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    let monitor = try Monitor(socket)
    #expect(try monitor.receive(dontWait: true) == nil)
    #expect(try monitor.receive() == nil)  // the default does not wait either
}

@Test func stoppingAMonitorTwiceIsHarmless() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    let monitor = try Monitor(socket)
    monitor.stop()
    monitor.stop()
    #expect(monitor.socket.isClosed)
    // The watched socket still works.
    try socket.bind(uniqueEndpoint())
}

@Test func stoppingAMonitorAfterItsSocketWasClosedIsHarmless() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    let monitor = try Monitor(socket)
    socket.close()
    monitor.stop()
    #expect(monitor.socket.isClosed)
}

@Test func aSocketCanBeMonitoredAgainAfterStopping() throws {
    let context = Context()
    let server = try makeSocket(context, .pull)
    let first = try Monitor(server)
    first.stop()
    let second = try Monitor(server)
    try server.bind("tcp://127.0.0.1:*")
    var seen: [MonitorEvent] = []
    _ = try expectEvent(.listening, from: second, seen: &seen)
}

@Test func startingASecondMonitorOnASocketStopsTheFirst() throws {
    // libzmq keeps one monitor per socket (zmq_socket_monitor(3)): the first one hears monitor_stopped.
    let context = Context()
    let server = try makeSocket(context, .pull)
    let first = try Monitor(server)
    let second = try Monitor(server)
    var seen: [MonitorEvent] = []
    _ = try expectEvent(.monitorStopped, from: first, seen: &seen)
    try server.bind("tcp://127.0.0.1:*")
    var secondSeen: [MonitorEvent] = []
    _ = try expectEvent(.listening, from: second, seen: &secondSeen)
}

@Test func stoppingAReplacedMonitorLeavesTheNewerOneRunning() throws {
    // Monitor.stop() (Monitor.swift, stop(): `zmq_socket_monitor(watched.handle, nil, 0)`) turns off
    // whatever monitor the socket has now, even one a later Monitor started. Dropping an old
    // Monitor (deinit calls stop) thus silently blinds the new one.
    let context = Context()
    let server = try makeSocket(context, .pull)
    let first = try Monitor(server)
    let second = try Monitor(server)
    first.stop()
    try server.bind("tcp://127.0.0.1:*")

    // Bounded: the bind's listening event, or monitor_stopped if the second monitor was turned off.
    var poller = Poller()
    poller.add(second.socket, .readable)
    var kinds: [MonitorEvent.Kind] = []
    let deadline = ContinuousClock.now + .milliseconds(patience)
    while !kinds.contains(.listening), !kinds.contains(.monitorStopped), ContinuousClock.now < deadline {
        _ = try poller.poll(timeout: 50)
        while let event = try second.receive(dontWait: true) { kinds.append(event.kind) }
    }
    #expect(kinds.contains(.listening), "saw \(kinds.map(\.name))")
    #expect(!kinds.contains(.monitorStopped))

}

// MARK: - Event kinds

@Test func eventKindsHaveSnakeCaseNames() {
    let names: [(MonitorEvent.Kind, String)] = [
        (.connected, "connected"), (.connectDelayed, "connect_delayed"), (.connectRetried, "connect_retried"),
        (.listening, "listening"), (.bindFailed, "bind_failed"), (.accepted, "accepted"),
        (.acceptFailed, "accept_failed"), (.closed, "closed"), (.closeFailed, "close_failed"),
        (.disconnected, "disconnected"), (.monitorStopped, "monitor_stopped"),
        (.handshakeFailedNoDetail, "handshake_failed_no_detail"), (.handshakeSucceeded, "handshake_succeeded"),
        (.handshakeFailedProtocol, "handshake_failed_protocol"), (.handshakeFailedAuth, "handshake_failed_auth"),
    ]
    for (kind, name) in names { #expect(kind.name == name) }
    #expect(Set(names.map(\.0.rawValue)).count == names.count, "each kind has its own bit")
    for (kind, _) in names { #expect(kind.rawValue.nonzeroBitCount == 1, "\(kind.name)") }
}

@Test func anUnknownEventKindIsNamedByItsValue() {
    #expect(MonitorEvent.Kind(rawValue: 0x8000).name == "event_32768")
}

@Test func allEventsIncludesEveryKindAndHandshakeFailedGroupsTheThreeFailures() {
    let kinds: [MonitorEvent.Kind] = [
        .connected, .connectDelayed, .connectRetried, .listening, .bindFailed, .accepted, .acceptFailed,
        .closed, .closeFailed, .disconnected, .monitorStopped, .handshakeFailedNoDetail,
        .handshakeSucceeded, .handshakeFailedProtocol, .handshakeFailedAuth,
    ]
    for kind in kinds { #expect(MonitorEvent.Kind.all.contains(kind), "\(kind.name)") }
    #expect(MonitorEvent.Kind.handshakeFailed == [.handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth])
    #expect(!MonitorEvent.Kind.handshakeFailed.contains(.handshakeSucceeded))
}
