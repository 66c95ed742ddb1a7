// "Is my key right?": a CURVE handshake with the server key given, done by libzmq (our own ZMTP
// speaks only the greeting), watched through the socket monitor and judged by the connection
// tracker that judges every client's handshakes: a wrong key shows only there, as the server
// dropping the connection again and again (HANDSHAKE_FAILED_NO_DETAIL on our side).
import ZMQ

enum CurveKeyCheck {
    /// Whether a CURVE client with `serverKey` completes a handshake with `address` within
    /// `timeout` ms; nil with a reason when no answer came. `peer` is the server's socket type
    /// when known (its READY is encrypted, so usually it is not): a DEALER fits REP, ROUTER, DEALER.
    static func run(_ address: String, serverKey: CurveKey, peer: SocketType?, timeout: Int) -> (Bool?, String?) {
        let context = Context()
        defer { context.terminate() }
        do {
            let socket = try Socket(context, type: peer?.compatiblePeers.first ?? .dealer)
            defer { socket.close() }
            let own = try CurveKeys.generate()
            try socket.set(.linger, 0)
            try socket.set(.curveServerKey, serverKey.text)
            try socket.set(.curvePublicKey, own.publicKey.text)
            try socket.set(.curveSecretKey, own.secretKey.text)
            if address.hasPrefix("tcp://[") { try socket.set(.ipv6, true) }
            let monitor = try Monitor(socket)
            defer { monitor.stop() }
            try socket.connect(address)
            return wait(monitor, type: socket.type, deadline: Deadline(after: .ms(timeout)))
        } catch {
            return (nil, "libzmq: \(error)")
        }
    }

    /// The verdict of the monitor's events, as ConnectionTracker reads them for a CURVE client:
    /// a handshake that succeeds, or one that cannot (dropped three times in a row, a
    /// cryptographic error, an authentication refusal). A socket type that does not fit is found
    /// only after the key worked.
    private static func wait(_ monitor: Monitor, type: SocketType, deadline: Deadline) -> (Bool?, String?) {
        var tracker = ConnectionTracker(.init(type: type, mechanism: .curve, acceptsLegacy: false, refusesLegacy: false),
                                        peerName: { _ in nil })
        var poller = Poller()
        _ = poller.add(monitor.socket, .readable)
        while !deadline.hasPassed {
            _ = try? poller.poll(timeout: deadline.remaining(cap: 100))
            while let event = try? monitor.receive() { _ = tracker.handle(event, at: Clock.now()) }
            if tracker.everReady { return (true, nil) }
            guard let fatal = tracker.fatalHandshake else { continue }
            if fatal.cause == .failure(.protocolError(.zmtpInvalidMetadata)) {
                return (true, "the key works; the server's socket type does not fit a \(type)")
            }
            return (false, fatal.reason)
        }
        return (nil, "no CURVE handshake completed within the timeout")
    }
}
