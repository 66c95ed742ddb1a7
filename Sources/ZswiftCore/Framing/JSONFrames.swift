// Reading one JSON Lines record of the json format: an array of frames, each a JSON string or
// {"base64": "..."}, or a bare string / object for a one-frame message. Just enough JSON for
// that, strict about the rest so a typo is reported rather than guessed at.
import Glibc


struct JSONFrameParser {
    let text: UnsafeRawBufferPointer
    var i = 0

    init(_ text: UnsafeRawBufferPointer) { self.text = text }

    /// Parses the record, appending each frame's bytes to `scratch` and its end offset to `ends`.
    mutating func parseMessage(into scratch: ByteBuffer, ends: inout [Int]) throws(FramingError) {
        skipSpace()
        guard i < text.count else { throw FramingError("empty JSON record") }
        if text[i] == UInt8(ascii: "[") {
            i += 1
            skipSpace()
            if i < text.count && text[i] == UInt8(ascii: "]") {
                throw FramingError("empty array: a message has at least one frame ([\"\"] is one empty frame)")
            }
            while true {
                try parseFrame(into: scratch)
                ends.append(scratch.count)
                skipSpace()
                guard i < text.count else { throw FramingError("unterminated array") }
                if text[i] == UInt8(ascii: ",") { i += 1; continue }
                if text[i] == UInt8(ascii: "]") { i += 1; break }
                throw FramingError("expected , or ] but found '\(Printable.character(text[i]))'")
            }
        } else {
            try parseFrame(into: scratch)
            ends.append(scratch.count)
        }
        skipSpace()
        if i < text.count { throw FramingError("unexpected '\(Printable.character(text[i]))' after the message") }
    }

    private mutating func skipSpace() {
        while i < text.count, text[i] == 32 || text[i] == 9 || text[i] == 13 || text[i] == 10 { i += 1 }
    }

    private mutating func parseFrame(into scratch: ByteBuffer) throws(FramingError) {
        skipSpace()
        guard i < text.count else { throw FramingError("expected a frame") }
        switch text[i] {
        case UInt8(ascii: "\""):
            try parseString(into: scratch)
        case UInt8(ascii: "{"):
            i += 1
            skipSpace()
            let key = ByteBuffer(capacity: 16)
            guard i < text.count, text[i] == UInt8(ascii: "\"") else { throw FramingError("expected {\"base64\": \"...\"}") }
            try parseString(into: key)
            guard key.count == 6, memcmp(key.base, "base64", 6) == 0 else {
                throw FramingError("unknown key \"\(String(decoding: key.bytes(0, key.count), as: UTF8.self))\": a frame object is {\"base64\": \"...\"}")
            }
            skipSpace()
            guard i < text.count, text[i] == UInt8(ascii: ":") else { throw FramingError("expected : after \"base64\"") }
            i += 1
            skipSpace()
            let encoded = ByteBuffer(capacity: 64)
            guard i < text.count, text[i] == UInt8(ascii: "\"") else { throw FramingError("the base64 value must be a string") }
            try parseString(into: encoded)
            try Base64.decode(encoded.bytes(0, encoded.count), into: scratch)
            skipSpace()
            guard i < text.count, text[i] == UInt8(ascii: "}") else { throw FramingError("expected } after the base64 value") }
            i += 1
        default:
            throw FramingError("a frame is a JSON string or {\"base64\": \"...\"}, not '\(Printable.character(text[i]))...'")
        }
    }

    private mutating func parseString(into out: ByteBuffer) throws(FramingError) {
        i += 1  // the opening quote
        while i < text.count {
            let b = text[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                return
            case UInt8(ascii: "\\"):
                i += 1
                guard i < text.count else { throw FramingError("unterminated string") }
                let e = text[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 1 < text.count, text[i] == UInt8(ascii: "\\"), text[i + 1] == UInt8(ascii: "u") else {
                            throw FramingError("lone surrogate \\u\(String(scalar, radix: 16))")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw FramingError("bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw FramingError("lone surrogate \\u\(String(scalar, radix: 16))")
                    }
                    appendUTF8(scalar, to: out)
                default:
                    throw FramingError("unknown escape \\\(Printable.character(e)) in a JSON string")
                }
            case 0..<32:
                throw FramingError("control character \(Printable.character(b)) inside a JSON string (escape it)")
            default:
                out.append(b)
                i += 1
            }
        }
        throw FramingError("unterminated string")
    }

    private mutating func hex4() throws(FramingError) -> UInt32 {
        guard i + 4 <= text.count else { throw FramingError("\\u needs four hex digits") }
        var v: UInt32 = 0
        for k in 0..<4 {
            guard let d = Hex.value(text[i + k]) else { throw FramingError("\\u needs four hex digits") }
            v = v << 4 | UInt32(d)
        }
        i += 4
        return v
    }

    private func appendUTF8(_ v: UInt32, to out: ByteBuffer) {
        switch v {
        case 0..<0x80: out.append(UInt8(v))
        case 0x80..<0x800:
            out.append(UInt8(0xC0 | v >> 6)); out.append(UInt8(0x80 | v & 0x3F))
        case 0x800..<0x10000:
            out.append(UInt8(0xE0 | v >> 12)); out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        default:
            out.append(UInt8(0xF0 | v >> 18)); out.append(UInt8(0x80 | (v >> 12) & 0x3F))
            out.append(UInt8(0x80 | (v >> 6) & 0x3F)); out.append(UInt8(0x80 | v & 0x3F))
        }
    }
}
