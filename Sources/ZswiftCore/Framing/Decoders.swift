// Input framing: bytes from stdin become messages. Each decoder looks at the start of the
// unread input and either takes one whole record (and sets the frames of its message) or asks
// for more. Frames point into the input (line, raw, zmtp: no copy) or into the decoder's scratch.
import Glibc

/// Turns input bytes into messages, one record at a time.
protocol MessageDecoder {
    /// Decodes the record at the start of `input`. Returns the number of bytes it took, with
    /// `frames` set to the message (empty: a record that holds no message, such as a blank line in
    /// json), or nil when the record is incomplete; at end of input, nil means nothing is left.
    mutating func decode(_ input: UnsafeRawBufferPointer, atEnd: Bool,
                         frames: inout [UnsafeRawBufferPointer]) throws(FramingError) -> Int?
}

/// Finds the next record ending in `delimiter`; at end of input the rest is the last record.
@inline(__always)
private func nextRecord(_ input: UnsafeRawBufferPointer, delimiter: UInt8, atEnd: Bool) -> (record: UnsafeRawBufferPointer, taken: Int)? {
    if let end = input.firstIndex(of: delimiter) {
        return (UnsafeRawBufferPointer(rebasing: input[0..<end]), end + 1)
    }
    if atEnd && input.count > 0 { return (input, input.count) }
    return nil
}

/// `line` and `-0`: a record per delimiter, split into frames at the separator if one is given.
struct LineDecoder: MessageDecoder {
    let delimiter: UInt8
    let separator: [UInt8]?

    mutating func decode(_ input: UnsafeRawBufferPointer, atEnd: Bool,
                         frames: inout [UnsafeRawBufferPointer]) throws(FramingError) -> Int? {
        guard let (record, taken) = nextRecord(input, delimiter: delimiter, atEnd: atEnd) else { return nil }
        frames.removeAll(keepingCapacity: true)
        guard let separator else {
            frames.append(record)
            return taken
        }
        LineDecoder.split(record, at: separator, into: &frames)
        return taken
    }

    /// Appends the pieces of `record` between occurrences of `separator` to `frames`.
    static func split(_ record: UnsafeRawBufferPointer, at separator: [UInt8], into frames: inout [UnsafeRawBufferPointer]) {
        var start = 0
        var i = 0
        let first = separator[0]
        while let hit = record.firstIndex(of: first, from: i) {
            if hit + separator.count <= record.count,
               separator.withUnsafeBytes({ memcmp(record.baseAddress! + hit, $0.baseAddress!, separator.count) == 0 }) {
                frames.append(UnsafeRawBufferPointer(rebasing: record[start..<hit]))
                start = hit + separator.count
                i = start
            } else {
                i = hit + 1
            }
        }
        frames.append(UnsafeRawBufferPointer(rebasing: record[start...]))
    }
}

/// `raw`: all of the input is one message, sent at end of input (an empty input is one empty frame).
struct RawDecoder: MessageDecoder {
    private var done = false

    mutating func decode(_ input: UnsafeRawBufferPointer, atEnd: Bool,
                         frames: inout [UnsafeRawBufferPointer]) throws(FramingError) -> Int? {
        guard atEnd, !done else { return nil }
        done = true
        frames.removeAll(keepingCapacity: true)
        frames.append(input)
        return input.count
    }
}

/// `quoted`, `hex`, `base64`, `json`: one message per line, decoded into scratch space.
struct TextDecoder: MessageDecoder {
    let format: Format
    private let scratch = ByteBuffer(capacity: 4096)
    private var ends: [Int] = []

    init(format: Format) { self.format = format }

    mutating func decode(_ input: UnsafeRawBufferPointer, atEnd: Bool,
                         frames: inout [UnsafeRawBufferPointer]) throws(FramingError) -> Int? {
        guard case (var line, let taken)? = nextRecord(input, delimiter: 10, atEnd: atEnd) else { return nil }
        if line.last == 13 { line = UnsafeRawBufferPointer(rebasing: line.dropLast()) }  // tolerate CRLF files
        scratch.count = 0
        ends.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        switch format {
        case .hex, .base64:
            // frames are separated by exactly one space; an empty line is one empty frame
            var start = 0
            while true {
                let end = line.firstIndex(of: 32, from: start) ?? line.count
                let word = UnsafeRawBufferPointer(rebasing: line[start..<end])
                do {
                    if format == .hex { try Hex.decode(word, into: scratch) } else { try Base64.decode(word, into: scratch) }
                } catch {
                    throw FramingError("frame \(ends.count + 1): \(error.reason)")
                }
                ends.append(scratch.count)
                if end == line.count { break }
                start = end + 1
            }
        case .quoted:
            var i = 0
            while true {
                while i < line.count, line[i] == 32 || line[i] == 9 { i += 1 }
                if i == line.count { break }
                guard line[i] == UInt8(ascii: "\"") else {
                    throw FramingError("frame \(ends.count + 1): a frame is a \"quoted string\", not '\(Printable.character(line[i]))...'")
                }
                do { i = try Quoted.decode(line, from: i, into: scratch) } catch {
                    throw FramingError("frame \(ends.count + 1): \(error.reason)")
                }
                ends.append(scratch.count)
            }
        case .json:
            if line.allSatisfy({ $0 == 32 || $0 == 9 }) { return taken }  // a blank line holds no message
            var parser = JSONFrameParser(line)
            try parser.parseMessage(into: scratch, ends: &ends)
        default:
            preconditionFailure("TextDecoder does not decode \(format)")
        }
        var start = 0
        for end in ends {
            frames.append(scratch.bytes(start, end))
            start = end
        }
        return taken
    }
}

/// `zmtp`: ZMTP/3 frames — a flags byte (MORE 0x01, LONG 0x02), a 1- or 8-byte big-endian size, the body.
struct ZMTPDecoder: MessageDecoder {
    /// Frames claiming more than this are refused rather than buffered.
    var sizeLimit: UInt64 = 1 << 40

    mutating func decode(_ input: UnsafeRawBufferPointer, atEnd: Bool,
                         frames: inout [UnsafeRawBufferPointer]) throws(FramingError) -> Int? {
        frames.removeAll(keepingCapacity: true)
        var i = 0
        while true {
            guard i < input.count else {
                if atEnd && i > 0 { throw FramingError("truncated zmtp message: it ends after a frame flagged MORE") }
                return nil
            }
            let flags = input[i]
            guard flags & ~0x03 == 0 else {
                throw FramingError(flags & 0x04 != 0 ? "zmtp command frames are not messages (flags 0x\(String(flags, radix: 16)))"
                                                     : "bad zmtp flags byte 0x\(String(flags, radix: 16))")
            }
            let long = flags & 0x02 != 0
            let headerSize = long ? 9 : 2
            guard i + headerSize <= input.count else {
                if atEnd { throw FramingError("truncated zmtp frame header") }
                return nil
            }
            var size: UInt64 = 0
            if long {
                for k in 1...8 { size = size << 8 | UInt64(input[i + k]) }
            } else {
                size = UInt64(input[i + 1])
            }
            guard size <= sizeLimit else { throw FramingError("zmtp frame claims \(size) bytes, over the \(sizeLimit)-byte limit") }
            let bodyStart = i + headerSize
            guard size <= UInt64(input.count - bodyStart) else {
                if atEnd { throw FramingError("truncated zmtp frame: \(size) bytes announced, \(input.count - bodyStart) present") }
                return nil
            }
            frames.append(UnsafeRawBufferPointer(rebasing: input[bodyStart..<(bodyStart + Int(size))]))
            i = bodyStart + Int(size)
            if flags & 0x01 == 0 { return i }
        }
    }
}

/// Decoding a single frame typed on the command line (--data) in an input format.
enum FrameText {
    static func decode(_ text: [UInt8], format: Format) throws(FramingError) -> [UInt8] {
        let out = ByteBuffer(capacity: text.count + 1)
        try text.withBytes { (raw) throws(FramingError) in
            switch format {
            case .line, .raw, .zmtp: out.append(raw)
            case .hex: try Hex.decode(raw, into: out)
            case .base64: try Base64.decode(raw, into: out)
            case .quoted:
                if raw.first == UInt8(ascii: "\"") {
                    let end = try Quoted.decode(raw, from: 0, into: out)
                    guard end == raw.count else { throw FramingError("text after the closing quote") }
                } else {
                    // bare text: escapes are decoded as if it were quoted
                    let quoted = ByteBuffer(capacity: raw.count + 2)
                    quoted.append(UInt8(ascii: "\""))
                    var escaped = false
                    if raw.last == UInt8(ascii: "\\") && !raw.reversed().prefix(while: { $0 == UInt8(ascii: "\\") }).count.isMultiple(of: 2) {
                        throw FramingError("it ends in a lone backslash (write \\\\ for a backslash)")
                    }
                    for b in raw {
                        if b == UInt8(ascii: "\"") && !escaped { quoted.append(UInt8(ascii: "\\")) }
                        quoted.append(b)
                        escaped = b == UInt8(ascii: "\\") && !escaped
                    }
                    quoted.append(UInt8(ascii: "\""))
                    _ = try Quoted.decode(quoted.bytes(0, quoted.count), from: 0, into: out)
                }
            case .json:
                var ends: [Int] = []
                var parser = JSONFrameParser(raw)
                try parser.parseMessage(into: out, ends: &ends)
                guard ends.count == 1 else { throw FramingError("--data is one frame; give each frame its own --data") }
            }
        }
        return Array(out.bytes(0, out.count))
    }
}
