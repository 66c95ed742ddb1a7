// Output framing: received frames become bytes on stdout, one frame at a time as they arrive
// (no message is gathered first). The one switch over output formats, which picks the encoder,
// is Framing.withEncoder in FramingDispatch.swift.
import Glibc

/// Writes messages to stdout in one format.
protocol MessageEncoder {
    /// Writes frame `index` of the current message; `more` tells whether frames follow.
    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit)
}

/// `line` and `-0`: frames joined by the separator, each message ends with the delimiter. Bytes are
/// written as they are; a message that contains the delimiter is ambiguous, which is said once.
struct LineEncoder: MessageEncoder {
    let delimiter: UInt8
    let separator: [UInt8]
    let diagnostics: Diagnostics?
    private var message = 0
    /// Once an ambiguity has been reported, frames are no longer scanned for it.
    private var scanning = true
    private var scanningSeparator = true

    init(delimiter: UInt8, separator: [UInt8]?, diagnostics: Diagnostics?) {
        self.delimiter = delimiter
        self.separator = separator ?? [9]
        self.diagnostics = diagnostics
    }

    @inline(__always)
    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        if index == 0 { message += 1 }
        if index > 0 { separator.withUnsafeBytes { out.buffer.append($0) } }
        if scanning, let diagnostics, let base = bytes.baseAddress,
           memchr(base, Int32(delimiter), bytes.count) != nil {
            scanning = false
            let name = delimiter == 10 ? "a newline" : "a NUL byte"
            let n = message
            diagnostics.warnOnce("delimiter", "message \(n) contains \(name), so line output cannot show where it ends; --out quoted, json or zmtp keep every message exact")
        }
        // in a message of several frames, a frame holding the separator hides where frames end
        if scanningSeparator, let diagnostics, more || index > 0, LineEncoder.contains(bytes, separator) {
            scanningSeparator = false
            let name = separator == [9] ? "a TAB, the separator" : "the separator"
            diagnostics.warnOnce("separator", "message \(message) has a frame that contains \(name), so line output cannot show where its frames end; -S picks another separator, and --out quoted, json or zmtp keep every frame exact")
        }
        try out.append(bytes, then: more ? nil : delimiter)
    }
}

extension LineEncoder {
    /// Whether `bytes` contain `needle` (memchr for its first byte, then a compare).
    static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var from = 0
        while let at = bytes.firstIndex(of: first, from: from) {
            if at + needle.count > bytes.count { return false }
            if needle.indices.allSatisfy({ bytes[at + $0] == needle[$0] }) { return true }
            from = at + 1
        }
        return false
    }
}

/// `raw`: frame bytes as they are, nothing added.
struct RawEncoder: MessageEncoder {
    @inline(__always)
    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        try out.append(bytes)
    }
}

/// `quoted`, `hex`, `base64`: frames encoded and separated by a space, one message per line.
struct TextEncoder: MessageEncoder {
    let format: Format

    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        if index > 0 { out.buffer.append(32) }
        switch format {
        case .hex: Hex.encode(bytes, into: out.buffer)
        case .base64: Base64.encode(bytes, into: out.buffer)
        default: Quoted.encode(bytes, into: out.buffer)
        }
        if !more { out.buffer.append(10) }
        try out.flushIfFull()
    }
}

/// `json`: each message an array of frames on its own line.
struct JSONEncoder: MessageEncoder {
    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        out.buffer.append(index == 0 ? UInt8(ascii: "[") : UInt8(ascii: ","))
        JSONText.encodeFrame(bytes, into: out.buffer)
        if !more { out.buffer.append("]\n") }
        try out.flushIfFull()
    }
}

/// `zmtp`: ZMTP/3 frame encoding — flags (MORE 0x01, LONG 0x02), size (1 or 8 bytes, big-endian), body.
struct ZMTPEncoder: MessageEncoder {
    @inline(__always)
    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        ZMTPEncoder.header(count: bytes.count, more: more, into: out.buffer)
        try out.append(bytes)
    }

    static func header(count: Int, more: Bool, into buffer: ByteBuffer) {
        let long = count > 255
        buffer.append((more ? 1 : 0) | (long ? 2 : 0))
        if long {
            var size = UInt64(count).bigEndian
            withUnsafeBytes(of: &size) { buffer.append($0) }
        } else {
            buffer.append(UInt8(count))
        }
    }
}
