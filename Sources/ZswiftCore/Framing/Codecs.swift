// Text encodings of frame bytes, both ways: hex, base64, C-style quoted strings, JSON strings,
// and the UTF-8 check that decides between a JSON string and {"base64": ...}. Decoders append to
// a ByteBuffer and throw a reason; the caller adds the record number.

/// Why an input record could not be decoded.
struct FramingError: Error, Equatable, Sendable {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

enum Hex {
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Bytes as lower-case hex text (for messages on stderr).
    static func string(_ bytes: UnsafeRawBufferPointer) -> String {
        let out = ByteBuffer(capacity: bytes.count * 2 + 1)
        encode(bytes, into: out)
        return String(decoding: out.bytes(0, out.count), as: UTF8.self)
    }

    static func encode(_ bytes: UnsafeRawBufferPointer, into out: ByteBuffer) {
        out.reserve(bytes.count * 2)
        var p = out.base + out.count
        for b in bytes {
            p.storeBytes(of: digits[Int(b >> 4)], as: UInt8.self)
            (p + 1).storeBytes(of: digits[Int(b & 15)], as: UInt8.self)
            p += 2
        }
        out.count += bytes.count * 2
    }

    @inline(__always)
    static func value(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 97...102: c - 87
        case 65...70: c - 55
        default: nil
        }
    }

    static func decode(_ text: UnsafeRawBufferPointer, into out: ByteBuffer) throws(FramingError) {
        guard text.count % 2 == 0 else { throw FramingError("odd number of hex digits (\(text.count))") }
        out.reserve(text.count / 2)
        var i = 0
        while i < text.count {
            guard let hi = value(text[i]), let lo = value(text[i + 1]) else {
                let bad = value(text[i]) == nil ? text[i] : text[i + 1]
                throw FramingError("'\(Printable.character(bad))' is not a hex digit")
            }
            out.append(hi << 4 | lo)
            i += 2
        }
    }
}

enum Base64 {
    static let alphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let reverse: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = UInt8(i) }
        return table
    }()

    static func encode(_ bytes: UnsafeRawBufferPointer, into out: ByteBuffer) {
        out.reserve((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int((n >> UInt32(shift)) & 63)]) }
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let n = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest == 2 ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
    }

    /// Decodes standard base64; padding is optional.
    static func decode(_ text: UnsafeRawBufferPointer, into out: ByteBuffer) throws(FramingError) {
        var end = text.count
        while end > 0 && text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        guard text.count - end <= 2, end % 4 != 1 else { throw FramingError("bad base64 length (\(text.count) characters)") }
        var n: UInt32 = 0
        var bits = 0
        for i in 0..<end {
            let v = reverse[Int(text[i])]
            guard v != 0xFF else { throw FramingError("'\(Printable.character(text[i]))' is not a base64 character") }
            n = n << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: n >> UInt32(bits)))
            }
        }
    }
}

enum Printable {
    /// A byte as it may be shown in an error message.
    static func character(_ b: UInt8) -> String {
        (32..<127).contains(b) ? String(UnicodeScalar(b))
            : "\\x" + String(UnicodeScalar(Hex.digits[Int(b >> 4)])) + String(UnicodeScalar(Hex.digits[Int(b & 15)]))
    }
}

enum UTF8Check {
    /// Whether `bytes` is well-formed UTF-8 (no overlong forms, no surrogates, nothing past U+10FFFF).
    static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            var need = 0
            var lower: UInt8 = 0x80, upper: UInt8 = 0xBF
            switch b {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return false
            }
            guard i + need < n else { return false }
            let c = bytes[i + 1]
            guard c >= lower && c <= upper else { return false }
            for k in stride(from: 2, through: need, by: 1) where bytes[i + k] & 0xC0 != 0x80 { return false }
            i += need + 1
        }
        return true
    }
}

enum Quoted {
    /// Writes `bytes` as a C-style quoted string: printable ASCII and well-formed UTF-8 as they
    /// are; \" \\ \a \b \t \n \v \f \r; \xHH (exactly two digits) for every other byte, and for
    /// the bytes of invisible code points that can disguise text in a terminal (C1 controls, bidi
    /// overrides and isolates, line and paragraph separators).
    static func encode(_ bytes: UnsafeRawBufferPointer, into out: ByteBuffer) {
        out.reserve(bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        let valid = UTF8Check.isValid(bytes)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 7: out.append("\\a")
            case 8: out.append("\\b")
            case 9: out.append("\\t")
            case 10: out.append("\\n")
            case 11: out.append("\\v")
            case 12: out.append("\\f")
            case 13: out.append("\\r")
            case 32..<127: out.append(b)
            case 0x80...0xFF where valid && !disguising(bytes, at: i):
                out.append(b)
            default:
                let run = valid && b >= 0x80 ? (b >= 0xE0 ? 3 : 2) : 1  // a disguising code point: all its bytes
                for k in 0..<run {
                    out.append(UInt8(ascii: "\\"))
                    out.append(UInt8(ascii: "x"))
                    out.append(Hex.digits[Int(bytes[i + k] >> 4)])
                    out.append(Hex.digits[Int(bytes[i + k] & 15)])
                }
                i += run
                continue
            }
            i += 1
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Whether well-formed UTF-8 at `i` starts U+0080...U+009F, U+200E/F, U+2028...U+202E or
    /// U+2066...U+2069.
    @inline(__always)
    static func disguising(_ bytes: UnsafeRawBufferPointer, at i: Int) -> Bool {
        let b = bytes[i]
        if b == 0xC2 { return bytes[i + 1] <= 0x9F }
        guard b == 0xE2 else { return false }
        let (c, d) = (bytes[i + 1], bytes[i + 2])
        return (c == 0x80 && (d == 0x8E || d == 0x8F || (0xA8...0xAE).contains(d))) || (c == 0x81 && (0xA6...0xA9).contains(d))
    }

    /// Decodes one quoted string starting at `text[start]` (which must be `"`); returns the offset just past it.
    static func decode(_ text: UnsafeRawBufferPointer, from start: Int, into out: ByteBuffer) throws(FramingError) -> Int {
        var i = start + 1
        while i < text.count {
            let b = text[i]
            if b == UInt8(ascii: "\"") { return i + 1 }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < text.count else { break }
            let e = text[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "?"): out.append(e)
            case UInt8(ascii: "a"): out.append(7)
            case UInt8(ascii: "b"): out.append(8)
            case UInt8(ascii: "t"): out.append(9)
            case UInt8(ascii: "n"): out.append(10)
            case UInt8(ascii: "v"): out.append(11)
            case UInt8(ascii: "f"): out.append(12)
            case UInt8(ascii: "r"): out.append(13)
            case UInt8(ascii: "e"): out.append(27)
            case UInt8(ascii: "x"):
                guard i + 1 < text.count, let hi = Hex.value(text[i]), let lo = Hex.value(text[i + 1]) else {
                    throw FramingError("\\x needs two hex digits")
                }
                out.append(hi << 4 | lo)
                i += 2
            case UInt8(ascii: "0")...UInt8(ascii: "7"):
                var v = UInt32(e - 48)
                var digits = 1
                while digits < 3, i < text.count, (48...55).contains(text[i]) {
                    v = v * 8 + UInt32(text[i] - 48)
                    i += 1
                    digits += 1
                }
                guard v <= 255 else { throw FramingError("octal escape \\\(String(v, radix: 8)) is over \\377") }
                out.append(UInt8(v))
            default:
                throw FramingError("unknown escape \\\(Printable.character(e))")
            }
        }
        throw FramingError("unterminated quoted string")
    }
}

enum JSONText {
    /// Writes a JSON string for well-formed UTF-8 bytes.
    static func encodeString(_ bytes: UnsafeRawBufferPointer, into out: ByteBuffer) {
        out.reserve(bytes.count + 2)
        out.append(UInt8(ascii: "\""))
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out.append("\\\"")
            case UInt8(ascii: "\\"): out.append("\\\\")
            case 8: out.append("\\b")
            case 9: out.append("\\t")
            case 10: out.append("\\n")
            case 12: out.append("\\f")
            case 13: out.append("\\r")
            case 0..<32:
                out.append("\\u00")
                out.append(Hex.digits[Int(b >> 4)])
                out.append(Hex.digits[Int(b & 15)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Writes one frame: a JSON string when it is UTF-8, else {"base64": "..."}.
    static func encodeFrame(_ bytes: UnsafeRawBufferPointer, into out: ByteBuffer) {
        if UTF8Check.isValid(bytes) {
            encodeString(bytes, into: out)
        } else {
            out.append("{\"base64\":\"")
            Base64.encode(bytes, into: out)
            out.append("\"}")
        }
    }
}
