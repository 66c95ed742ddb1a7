// What a monitor event's number means, typed: a file descriptor, an errno, a ZMTP/ZAP protocol
// error code or a ZAP status code, depending on the event's kind (zmq_socket_monitor(3)). This
// names what libzmq reports; the words for it belong to the caller.
import CZMQ

/// A ZMTP or ZAP protocol error from a failed handshake. The corresponding C constants are
/// `ZMQ_PROTOCOL_ERROR_*`.
public struct ProtocolError: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let zmtpUnspecified = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_UNSPECIFIED))
    public static let zmtpInvalidMetadata = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_INVALID_METADATA))
    /// A message that does not decrypt: under CURVE, a wrong key on one side.
    public static let cryptographic = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_CRYPTOGRAPHIC))
    /// One side uses a security mechanism the other does not.
    public static let mechanismMismatch = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH))
    public static let zapUnspecified = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZAP_UNSPECIFIED))
    public static let zapInvalidMetadata = ProtocolError(rawValue: UInt32(ZMQ_PROTOCOL_ERROR_ZAP_INVALID_METADATA))

    /// A violation of ZMTP itself (an unexpected or malformed command, invalid metadata).
    public var isZMTP: Bool { (ProtocolError.zmtpUnspecified.rawValue...ProtocolError.zmtpInvalidMetadata.rawValue).contains(rawValue) }

    /// A ZAP handler's reply that libzmq could not use.
    public var isZAP: Bool { (ProtocolError.zapUnspecified.rawValue...ProtocolError.zapInvalidMetadata.rawValue).contains(rawValue) }

    /// Whether it concerns security: any ZAP failure, a cryptographic error, a mechanism mismatch.
    public var isSecurity: Bool {
        rawValue & 0xF000_0000 == ProtocolError.zapUnspecified.rawValue || self == .cryptographic || self == .mechanismMismatch
    }
}

/// Why a ZMTP handshake failed, as a monitor event reports it.
public enum HandshakeFailure: Hashable, Sendable {
    /// `HANDSHAKE_FAILED_NO_DETAIL`: the errno libzmq gave (0 for none), such as EPIPE when the
    /// peer closed the connection, or EAGAIN for libzmq's handshake timeout.
    case noDetail(errno: Int32)
    /// `HANDSHAKE_FAILED_PROTOCOL`: the peer broke ZMTP, or a security layer failed.
    case protocolError(ProtocolError)
    /// `HANDSHAKE_FAILED_AUTH`: the ZAP handler's status code (300 retry, 400 denied, 500 error).
    case authentication(status: UInt32)

    /// Whether security refused the handshake (a denial, a wrong key, a mechanism mismatch).
    public var isSecurity: Bool {
        switch self {
        case .authentication: true
        case let .protocolError(error): error.isSecurity
        case .noDetail: false
        }
    }
}

extension MonitorEvent {
    /// The handshake failure this event reports; nil for the other kinds.
    public var handshakeFailure: HandshakeFailure? {
        switch kind {
        case .handshakeFailedNoDetail: .noDetail(errno: Int32(bitPattern: value))
        case .handshakeFailedProtocol: .protocolError(ProtocolError(rawValue: value))
        case .handshakeFailedAuth: .authentication(status: value)
        default: nil
        }
    }

    /// The file descriptor this event is about: the connection's (connected, accepted,
    /// disconnected, closed) or the listener's (listening); nil for the other kinds.
    public var fileDescriptor: Int32? {
        switch kind {
        case .connected, .accepted, .disconnected, .closed, .listening: Int32(bitPattern: value)
        default: nil
        }
    }

    /// The errno of a failure (bind, accept, close, a handshake with no detail, a delayed
    /// connect); nil for the other kinds.
    public var errorNumber: Int32? {
        switch kind {
        case .bindFailed, .acceptFailed, .closeFailed, .handshakeFailedNoDetail, .connectDelayed: Int32(bitPattern: value)
        default: nil
        }
    }
}
