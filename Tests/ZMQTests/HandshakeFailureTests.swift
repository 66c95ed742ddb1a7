// Typed monitor values: what a handshake-failure event's number means by its kind, which events
// carry an fd, which failures are security's, and the mechanism a socket's options select.
import CZMQ  // the ZMTP protocol error codes
import Glibc
import Testing
import ZMQ

private func event(_ kind: MonitorEvent.Kind, _ value: UInt32) -> MonitorEvent {
    MonitorEvent(kind: kind, value: value, endpoint: "tcp://127.0.0.1:5555")
}

@Test func aHandshakeFailureIsTypedByItsEventKind() {
    #expect(event(.handshakeFailedNoDetail, UInt32(EPIPE)).handshakeFailure == .noDetail(errno: EPIPE))
    #expect(event(.handshakeFailedProtocol, UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC)).handshakeFailure == .protocolError(.cryptographic))
    #expect(event(.handshakeFailedAuth, 400).handshakeFailure == .authentication(status: 400))
    #expect(event(.handshakeSucceeded, 0).handshakeFailure == nil)
    #expect(event(.disconnected, 12).handshakeFailure == nil)
}

@Test func onlyConnectionAndListenerEventsCarryAFileDescriptor() {
    for kind in [MonitorEvent.Kind.connected, .accepted, .disconnected, .closed, .listening] {
        #expect(event(kind, 12).fileDescriptor == 12, "\(kind.name)")
    }
    for kind in [MonitorEvent.Kind.connectRetried, .handshakeSucceeded, .handshakeFailedNoDetail, .acceptFailed, .monitorStopped] {
        #expect(event(kind, 12).fileDescriptor == nil, "\(kind.name)")
    }
    #expect(event(.acceptFailed, UInt32(EMFILE)).errorNumber == EMFILE)
    #expect(event(.connectRetried, 100).errorNumber == nil)
}

@Test func securityFailuresAreADenialAZAPFailureACryptographicErrorOrAMechanismMismatch() {
    #expect(HandshakeFailure.authentication(status: 400).isSecurity)
    #expect(HandshakeFailure.protocolError(.cryptographic).isSecurity)
    #expect(HandshakeFailure.protocolError(.mechanismMismatch).isSecurity)
    #expect(HandshakeFailure.protocolError(ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZAP_BAD_VERSION))).isSecurity)
    #expect(!HandshakeFailure.protocolError(ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_UNEXPECTED_COMMAND))).isSecurity)
    #expect(!HandshakeFailure.noDetail(errno: EPIPE).isSecurity)
    #expect(ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MALFORMED_COMMAND_HELLO)).isZMTP)
    #expect(!ProtocolError.cryptographic.isZMTP && !ProtocolError.cryptographic.isZAP)
    #expect(ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZAP_MALFORMED_REPLY)).isZAP)
}

@Test func aSocketSaysWhichMechanismItsOptionsSelect() throws {
    let context = Context()
    let plain = try makeSocket(context, .rep)
    let curve = try makeSocket(context, .rep)
    defer { plain.close(); curve.close() }
    #expect(try plain.mechanism == .null)
    try plain.set(.plainServer, true)
    try curve.set(.curveServer, true)
    #expect(try plain.mechanism == .plain && plain.mechanism.description == "PLAIN")
    #expect(try curve.mechanism == .curve && curve.mechanism.description == "CURVE")
}
