// A socket's security mechanism as a typed value, read from ZMQ_MECHANISM. It names what libzmq
// negotiates; what a caller makes of it (which failures to give up on) is the caller's business.
import CZMQ

/// A ZMTP security mechanism. The corresponding C constants are `ZMQ_NULL` ... `ZMQ_GSSAPI`.
public struct Mechanism: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let null = Mechanism(rawValue: ZMQ_NULL)
    public static let plain = Mechanism(rawValue: ZMQ_PLAIN)
    public static let curve = Mechanism(rawValue: ZMQ_CURVE)
    public static let gssapi = Mechanism(rawValue: ZMQ_GSSAPI)

    /// The name ZMTP uses for it in the greeting ("NULL", "CURVE", ...).
    public var description: String {
        switch self {
        case .null: "NULL"
        case .plain: "PLAIN"
        case .curve: "CURVE"
        case .gssapi: "GSSAPI"
        default: "mechanism \(rawValue)"
        }
    }
}

extension Socket {
    /// The security mechanism the socket's options select. The corresponding C option is `ZMQ_MECHANISM`.
    public var mechanism: Mechanism {
        get throws(ZMQError) { Mechanism(rawValue: try get(.mechanism)) }
    }
}
