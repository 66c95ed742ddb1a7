// How zswift writes numbers and messages in its own lines: counts with their noun, byte sizes,
// rates, and a short preview of a message for -vv traces.

enum Words {
    static func format(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(2))"
    }

    /// "1 message", "2 messages".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }
    static func count(_ n: Int, _ noun: String, plural: String) -> String { "\(n) \(n == 1 ? noun : plural)" }

    static func bytes(_ n: Int) -> String {
        if n < 1024 { return count(n, "byte") }
        if n < 1 << 20 { return format(Double(n) / 1024) + " KiB" }
        if n < 1 << 30 { return format(Double(n) / 1048576) + " MiB" }
        return format(Double(n) / 1073741824) + " GiB"
    }

    /// "2 frames, 11 bytes: "hello" "world"" for -vv traces.
    static func describe(_ frames: [UnsafeRawBufferPointer]) -> String {
        let total = frames.reduce(0) { $0 + $1.count }
        let preview = ByteBuffer(capacity: 80)
        for (i, frame) in frames.prefix(4).enumerated() {
            if i > 0 { preview.append(32) }
            Quoted.encode(UnsafeRawBufferPointer(rebasing: frame.prefix(32)), into: preview)
            if frame.count > 32 { preview.append("...") }
        }
        if frames.count > 4 { preview.append(" ...") }
        let shown = String(decoding: preview.bytes(0, preview.count), as: UTF8.self)
        return "\(frames.count) frame\(frames.count == 1 ? "" : "s"), \(total) bytes: \(shown)"
    }

}
