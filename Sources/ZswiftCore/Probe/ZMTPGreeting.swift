// The first bytes of a ZMTP conversation, as pure values: the 64-byte ZMTP 3.x greeting (RFC 23,
// RFC 37), and the shorter openings of ZMTP 2.0 (RFC 15) and 1.0 (RFC 13) peers. No I/O here:
// bytes in, a description out; any bytes at all give an answer, never a trap.

/// What the first bytes a peer sent say about its ZMTP version.
enum ZMTPOpening: Equatable, Sendable {
    /// A ZMTP 3.x greeting, complete.
    case greeting(ZMTPGreeting)
    /// ZMTP 2.0 (RFC 15): signature, revision 0x01, a socket type and an identity frame.
    case zmtp20(socketType: String?, identity: [UInt8]?)
    /// ZMTP 1.0 (RFC 13): an identity frame first, with no signature.
    case zmtp10
    /// More bytes are needed to tell.
    case incomplete
    /// Not ZMTP at all.
    case notZMTP
}

/// A ZMTP 3.x greeting: signature, version, mechanism, as-server, filler.
struct ZMTPGreeting: Equatable, Sendable {
    static let size = 64
    /// The signature and major version we send first: a ZMTP 3 peer answers with its greeting.
    static let opening: [UInt8] = [0xFF, 0, 0, 0, 0, 0, 0, 0, 1, 0x7F, 3]

    var major: UInt8
    var minor: UInt8
    /// "NULL", "PLAIN", "CURVE" (the name without its NUL padding).
    var mechanism: String
    var asServer: Bool

    /// "3.1".
    var version: String { "\(major).\(minor)" }

    /// Our greeting: ZMTP 3.1 with `mechanism`, 64 bytes.
    static func encode(mechanism: String = "NULL", asServer: Bool = false) -> [UInt8] {
        var bytes = opening + [1]
        var name = Array(mechanism.utf8.prefix(20))
        name += [UInt8](repeating: 0, count: 20 - name.count)
        bytes += name + [asServer ? 1 : 0]
        bytes += [UInt8](repeating: 0, count: size - bytes.count)
        return bytes
    }

    /// Whether `bytes` begin with the 10-byte signature (0xFF, 8 bytes, 0x7F: ZMTP 2.0 and later).
    static func hasSignature(_ bytes: some Collection<UInt8>) -> Bool {
        let b = Array(bytes.prefix(10))
        return b.count == 10 && b[0] == 0xFF && b[9] & 1 == 1
    }

    /// What `bytes`, the first a peer sent, say; `.incomplete` while more are needed.
    static func classify(_ bytes: [UInt8]) -> ZMTPOpening {
        guard let first = bytes.first else { return .incomplete }
        guard first == 0xFF else { return looksLikeZMTP10(bytes) ? .zmtp10 : .notZMTP }
        guard bytes.count >= 10 else { return .incomplete }
        guard bytes[9] & 1 == 1 else { return .zmtp10 }  // 0xFF then a 64-bit length: a 1.0 long frame
        guard bytes.count >= 11 else { return .incomplete }
        switch bytes[10] {
        case 0, 1: return zmtp20(bytes)
        default:
            guard bytes.count >= size else { return .incomplete }
            return .greeting(parse(bytes))
        }
    }

    /// A complete 3.x greeting (at least 64 bytes, signature checked by the caller).
    private static func parse(_ bytes: [UInt8]) -> ZMTPGreeting {
        let name = bytes[12..<32].prefix { $0 != 0 }
        return ZMTPGreeting(major: bytes[10], minor: bytes[11], mechanism: String(decoding: name, as: UTF8.self),
                            asServer: bytes[32] != 0)
    }

    /// RFC 15: revision, socket type, then a final short identity frame (flags 0, length, body).
    private static func zmtp20(_ bytes: [UInt8]) -> ZMTPOpening {
        guard bytes.count >= 12 else { return .incomplete }
        let type = legacySocketTypes.indices.contains(Int(bytes[11])) ? legacySocketTypes[Int(bytes[11])] : nil
        guard bytes.count >= 14 else { return .zmtp20(socketType: type, identity: nil) }
        let length = Int(bytes[13])
        guard bytes.count >= 14 + length else { return .zmtp20(socketType: type, identity: nil) }
        return .zmtp20(socketType: type, identity: Array(bytes[14..<(14 + length)]))
    }

    /// RFC 15's socket type numbers.
    static let legacySocketTypes = ["PAIR", "PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PULL", "PUSH"]

    /// RFC 13: a short identity frame first: a length byte (1 to 254, the flags byte included)
    /// and a flags byte of 0 (libzmq 2.x sends 0x01 0x00 for no identity).
    private static func looksLikeZMTP10(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 2 else { return false }
        return (1...0xFE).contains(bytes[0]) && bytes[1] == 0
    }
}
