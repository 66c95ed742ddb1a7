// The socket types of stable libzmq (no draft types: Debian's build has none).
import CZMQ

/// A ZeroMQ socket type. The corresponding C constants are `ZMQ_PAIR` ... `ZMQ_STREAM`.
public struct SocketType: RawRepresentable, Hashable, Sendable, CustomStringConvertible, CaseIterable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }

    public static let pair = SocketType(rawValue: ZMQ_PAIR)
    public static let pub = SocketType(rawValue: ZMQ_PUB)
    public static let sub = SocketType(rawValue: ZMQ_SUB)
    public static let req = SocketType(rawValue: ZMQ_REQ)
    public static let rep = SocketType(rawValue: ZMQ_REP)
    public static let dealer = SocketType(rawValue: ZMQ_DEALER)
    public static let router = SocketType(rawValue: ZMQ_ROUTER)
    public static let pull = SocketType(rawValue: ZMQ_PULL)
    public static let push = SocketType(rawValue: ZMQ_PUSH)
    public static let xpub = SocketType(rawValue: ZMQ_XPUB)
    public static let xsub = SocketType(rawValue: ZMQ_XSUB)
    public static let stream = SocketType(rawValue: ZMQ_STREAM)

    public static let allCases: [SocketType] = [.pair, .pub, .sub, .req, .rep, .dealer, .router, .pull, .push, .xpub, .xsub, .stream]

    /// The socket types a ZMTP 3 peer of this type may be (RFC 28, 29, 30, 31).
    public var compatiblePeers: [SocketType] {
        switch self {
        case .pair: [.pair]
        case .pub, .xpub: [.sub, .xsub]
        case .sub, .xsub: [.pub, .xpub]
        case .req: [.rep, .router]
        case .rep: [.req, .dealer]
        case .dealer: [.rep, .dealer, .router]
        case .router: [.req, .dealer, .router]
        case .pull: [.push]
        case .push: [.pull]
        default: []
        }
    }

    /// The name ZMTP uses for this type in the handshake ("PUSH", "ROUTER", ...).
    public var description: String {
        switch self {
        case .pair: "PAIR"
        case .pub: "PUB"
        case .sub: "SUB"
        case .req: "REQ"
        case .rep: "REP"
        case .dealer: "DEALER"
        case .router: "ROUTER"
        case .pull: "PULL"
        case .push: "PUSH"
        case .xpub: "XPUB"
        case .xsub: "XSUB"
        case .stream: "STREAM"
        default: "type \(rawValue)"
        }
    }
}
