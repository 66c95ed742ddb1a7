// probe's two reports of a ProbeResult: a block of text for people, and one JSON object a line
// (cli.md's keys, null where unknown) for scripts and health checks. Pure: results in, text out.

/// How probe reports (--format).
enum ProbeFormat: String, CaseIterable, Sendable { case text, json }

enum ProbeReport {
    static func render(_ result: ProbeResult, as format: ProbeFormat) -> String {
        format == .json ? json(result) + "\n" : text(result)
    }

    // MARK: - Text

    /// A headline ("tcp://...: a REP socket (ZMTP 3.1, NULL)"), then a line per known fact.
    static func text(_ r: ProbeResult) -> String {
        var lines = [r.endpoint + ": " + headline(r)]
        if let ms = r.connectMilliseconds { lines.append("  connect:     \(format(ms)) ms") }
        if let ms = r.handshakeMilliseconds { lines.append("  handshake:   \(format(ms)) ms") }
        if let v = r.zmtp { lines.append("  zmtp:        \(v)") }
        if let m = r.mechanism { lines.append("  mechanism:   \(m)") }
        if let s = r.asServer { lines.append("  as-server:   \(s ? "yes" : "no")\(r.asServerInferred ? " (by its behaviour)" : "")") }
        if let t = r.socketType { lines.append("  socket-type: \(t)") }
        if let id = r.identity { lines.append("  identity:    \(hex(id))\(printable(id).map { " (\($0))" } ?? "")") }
        for p in r.metadata ?? [] { lines.append("  metadata:    \(p.name)=\(printable(p.value) ?? "0x" + hex(p.value))") }
        if let b = r.banner { lines.append("  said:        \(b)") }
        if let k = r.keyAccepted { lines.append("  curve key:   \(k ? "accepted" : "refused")") }
        if let n = r.note { lines.append("  note:        \(n)") }
        if let c = r.suggestedCommand { lines.append("  try:         zswift \(c) \(r.endpoint)") }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func headline(_ r: ProbeResult) -> String {
        guard r.kind == .zmtp else { return r.kind.description }
        // "an XPUB socket": the article goes by how the letters are said
        let what = r.socketType.map { ($0.hasPrefix("X") ? "an " : "a ") + "\($0) socket" } ?? "a ZMTP peer"
        return what + " (ZMTP " + ([r.zmtp, r.mechanism].compactMap { $0 }.joined(separator: ", ")) + ")"
    }

    /// Milliseconds with two decimals.
    static func format(_ ms: Double) -> String {
        let hundredths = Int((ms * 100).rounded())
        let fraction = hundredths % 100
        return "\(hundredths / 100).\(fraction < 10 ? "0" : "")\(fraction)"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef")
        return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
    }

    /// The bytes as text when they are printable ASCII.
    static func printable(_ bytes: [UInt8]) -> String? {
        bytes.allSatisfy({ (32...126).contains($0) }) ? String(decoding: bytes, as: UTF8.self) : nil
    }

    // MARK: - JSON

    /// One object: cli.md's keys in a fixed order, null where unknown.
    static func json(_ r: ProbeResult) -> String {
        var fields: [(String, String)] = [
            ("endpoint", string(r.endpoint)), ("kind", string(r.kind.rawValue)),
            ("zmtp", r.zmtp.map(string) ?? "null"), ("mechanism", r.mechanism.map(string) ?? "null"),
            ("as_server", r.asServer.map { "\($0)" } ?? "null"), ("socket_type", r.socketType.map(string) ?? "null"),
            ("identity", r.identity.map { string(hex($0)) } ?? "null"),
            ("metadata", r.metadata.map(metadata) ?? "null"),
            ("connect_ms", r.connectMilliseconds.map(format) ?? "null"),
            ("handshake_ms", r.handshakeMilliseconds.map(format) ?? "null"),
        ]
        if r.keyAccepted != nil || r.status == .security { fields.append(("key_accepted", r.keyAccepted.map { "\($0)" } ?? "null")) }
        fields.append(("banner", r.banner.map(string) ?? "null"))
        fields.append(("note", r.note.map(string) ?? "null"))
        return "{" + fields.map { string($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
    }

    /// Every READY property: text when it is UTF-8, else {"hex": "..."}.
    private static func metadata(_ properties: [ZMTPProperty]) -> String {
        "{" + properties.map { p in
            string(p.name) + ":" + (String(validating: p.value, as: UTF8.self).map(string) ?? "{\"hex\":\"\(hex(p.value))\"}")
        }.joined(separator: ",") + "}"
    }

    /// A JSON string.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 32: out += "\\u00" + hex([UInt8(scalar.value)])
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
