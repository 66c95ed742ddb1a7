// ZMTP 3.x commands (RFC 23 section "Commands"): the frame around them, and the READY command's
// metadata, encoded and decoded as pure values. Decoding takes any bytes: a truncated or lying
// frame is `.incomplete` or nil, never a trap.

/// One ZMTP 3.x command: its name and body.
struct ZMTPCommand: Equatable, Sendable {
    var name: String
    var body: [UInt8]

    /// Flags of a command frame: 0x04 (short, 1-byte size) or 0x06 (long, 8-byte size).
    static let shortFlags: UInt8 = 0x04, longFlags: UInt8 = 0x06

    /// The largest command we read (a READY with a 255-byte identity and a few properties fits easily).
    static let sizeLimit = 1 << 16

    enum Decoded: Equatable, Sendable {
        case command(ZMTPCommand, consumed: Int)
        case incomplete
        /// Not a command frame (a message frame, or a size past the limit).
        case invalid
    }

    /// The command at the start of `bytes`.
    static func decode(_ bytes: [UInt8]) -> Decoded {
        guard let flags = bytes.first else { return .incomplete }
        let header: Int, size: Int
        switch flags {
        case shortFlags:
            guard bytes.count >= 2 else { return .incomplete }
            (header, size) = (2, Int(bytes[1]))
        case longFlags:
            guard bytes.count >= 9 else { return .incomplete }
            let wide = bytes[1..<9].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard wide <= UInt64(sizeLimit) else { return .invalid }
            (header, size) = (9, Int(wide))
        default:
            return .invalid
        }
        guard bytes.count >= header + size else { return .incomplete }
        let frame = bytes[header..<(header + size)]
        guard let nameSize = frame.first.map(Int.init), nameSize <= frame.count - 1 else { return .invalid }
        let name = String(decoding: frame.dropFirst().prefix(nameSize), as: UTF8.self)
        return .command(ZMTPCommand(name: name, body: Array(frame.dropFirst(1 + nameSize))), consumed: header + size)
    }

    /// The command as a frame on the wire.
    func encoded() -> [UInt8] {
        let payload = [UInt8(name.utf8.count)] + Array(name.utf8) + body
        if payload.count <= 255 { return [ZMTPCommand.shortFlags, UInt8(payload.count)] + payload }
        let size = UInt64(payload.count)
        return [ZMTPCommand.longFlags] + (0..<8).map { UInt8(truncatingIfNeeded: size >> (56 - 8 * $0)) } + payload
    }
}

/// A metadata property of READY (RFC 23): a name and a value of any bytes.
struct ZMTPProperty: Equatable, Sendable {
    var name: String
    var value: [UInt8]
}

extension ZMTPCommand {
    /// READY with `properties` (Socket-Type first, as libzmq sends it).
    static func ready(_ properties: [ZMTPProperty]) -> ZMTPCommand {
        var body: [UInt8] = []
        for p in properties {
            body += [UInt8(p.name.utf8.count)] + Array(p.name.utf8)
            let n = UInt32(p.value.count)
            body += [UInt8(n >> 24), UInt8(truncatingIfNeeded: n >> 16), UInt8(truncatingIfNeeded: n >> 8), UInt8(truncatingIfNeeded: n)]
            body += p.value
        }
        return ZMTPCommand(name: "READY", body: body)
    }

    /// The properties of a READY body; nil when the body does not parse.
    static func properties(_ body: [UInt8]) -> [ZMTPProperty]? {
        var properties: [ZMTPProperty] = []
        var i = 0
        while i < body.count {
            let nameSize = Int(body[i])
            guard body.count - i >= 1 + nameSize + 4 else { return nil }
            let name = String(decoding: body[(i + 1)..<(i + 1 + nameSize)], as: UTF8.self)
            i += 1 + nameSize
            let size = body[i..<(i + 4)].reduce(0) { $0 << 8 | Int($1) }
            i += 4
            guard body.count - i >= size else { return nil }
            properties.append(ZMTPProperty(name: name, value: Array(body[i..<(i + size)])))
            i += size
        }
        return properties
    }
}
