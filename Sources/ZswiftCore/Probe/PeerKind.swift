// What a peer that is not ZMTP looks like, from the first bytes it sent: an HTTP server, TLS,
// SSH, a text protocol (Redis-style "+OK", "-ERR", any printable line), or something else. Pure;
// any bytes give an answer.

/// What answered at an endpoint, as cli.md's `kind` names it.
enum PeerKind: String, Equatable, Sendable {
    case zmtp, http, tls, ssh, text, other, silent, refused, unreachable

    /// The exit status this kind stands for (cli.md, probe): 0 ZMTP, 1 something else answered,
    /// 3 nothing answered.
    var status: ExitStatus {
        switch self {
        case .zmtp: .success
        case .http, .tls, .ssh, .text, .other: .failure
        case .silent, .refused, .unreachable: .timeout
        }
    }

    /// Words for the text report: "an HTTP server".
    var description: String {
        switch self {
        case .zmtp: "a ZMTP peer"
        case .http: "an HTTP server, not ZMTP"
        case .tls: "a TLS server, not ZMTP"
        case .ssh: "an SSH server, not ZMTP"
        case .text: "a text protocol (Redis-style or similar), not ZMTP"
        case .other: "something that is not ZMTP"
        case .silent: "an open port that said nothing"
        case .refused: "nothing listening (connection refused)"
        case .unreachable: "unreachable"
        }
    }

    /// The kind of a peer whose first bytes are `bytes` and are not ZMTP.
    static func of(_ bytes: [UInt8]) -> PeerKind {
        guard !bytes.isEmpty else { return .silent }
        if bytes.starts(with: Array("HTTP/".utf8)) || isRequestLine(bytes) || isHTML(bytes) { return .http }
        if bytes.count >= 2, (0x14...0x17).contains(bytes[0]), bytes[1] == 0x03 { return .tls }
        if bytes.starts(with: Array("SSH-".utf8)) { return .ssh }
        if isText(bytes) { return .text }
        return .other
    }

    /// "GET / HTTP/1.1" and the like: a method, a space, a target, " HTTP/".
    private static func isRequestLine(_ bytes: [UInt8]) -> Bool {
        let line = bytes.prefix { $0 != 13 && $0 != 10 }
        guard let space = line.firstIndex(of: 32), space > 0, line[..<space].allSatisfy({ (65...90).contains($0) }) else { return false }
        return line.count >= 6 && line.suffix(8).starts(with: Array("HTTP/".utf8))
    }

    /// An HTML page with no status line: what an HTTP server answers a request it reads as
    /// HTTP/0.9 (Python's http.server does so for our greeting and line end).
    private static func isHTML(_ bytes: [UInt8]) -> Bool {
        let head = String(decoding: bytes.prefix(9), as: UTF8.self).lowercased()
        return head.hasPrefix("<!doctype") || head.hasPrefix("<html")
    }

    /// Printable ASCII (and TAB, CR, LF) throughout, up to the first line's end.
    private static func isText(_ bytes: [UInt8]) -> Bool {
        let line = bytes.prefix { $0 != 10 }
        return !line.isEmpty && line.allSatisfy { (32...126).contains($0) || $0 == 9 || $0 == 13 }
    }

    /// The first line of `bytes`, shown in the report: printable ASCII, 60 bytes at most.
    static func banner(_ bytes: [UInt8]) -> String? {
        let line = bytes.prefix { $0 != 10 && $0 != 13 }.prefix(60)
        guard !line.isEmpty, line.allSatisfy({ (32...126).contains($0) }) else { return nil }
        return String(decoding: line, as: UTF8.self)
    }
}
