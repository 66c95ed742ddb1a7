// "Is my key right?": a CURVE handshake with the server key given, done by libzmq (our own ZMTP
// speaks only the greeting), watched through the socket monitor. A wrong key shows only there:
// the server drops the connection (HANDSHAKE_FAILED_NO_DETAIL on our side, again and again).
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
            let monitor = try Monitor(socket, events: [.handshakeSucceeded, .handshakeFailed])
            defer { monitor.stop() }
            try socket.connect(address)
            return wait(monitor, deadline: Deadline(after: .ms(timeout)))
        } catch {
            return (nil, "libzmq: \(error)")
        }
    }

    /// The verdict of the monitor's events: success, or a failure that means the key (two
    /// dropped handshakes in a row, a cryptographic error, an authentication refusal).
    private static func wait(_ monitor: Monitor, deadline: Deadline) -> (Bool?, String?) {
        var dropped = 0
        var poller = Poller()
        _ = poller.add(monitor.socket, .readable)
        while !deadline.hasPassed {
            _ = try? poller.poll(timeout: deadline.remaining(cap: 100))
            while let event = try? monitor.receive() {
                switch event.handshakeFailure {
                case nil where event.kind == .handshakeSucceeded: return (true, nil)
                case .noDetail?:
                    dropped += 1
                    if dropped >= 2 { return (false, "the server dropped the CURVE handshake \(dropped) times: a wrong server key (or the server refuses this client)") }
                case let .protocolError(error)? where error == .zmtpInvalidMetadata:
                    return (true, "the key works; the server's socket type does not fit a DEALER")
                case let .protocolError(error)?: return (false, "the CURVE handshake failed: protocol error 0x\(String(error.rawValue, radix: 16))")
                case let .authentication(status)?: return (false, "the server refused this client (ZAP status \(status))")
                default: break
                }
            }
        }
        return (nil, "no CURVE handshake completed within the timeout")
    }
}
