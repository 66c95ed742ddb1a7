// Endpoints as cli.md defines them: -b/-c and the positional rule, the :PORT and HOST:PORT
// shorthands, and the checks libzmq does not make (it binds tcp://127.0.0.1:99999 to some other
// port, and "connects" to hosts that do not exist). Name resolution happens later, at run time.

/// Where a socket binds or connects, in libzmq's form.
struct Endpoint: Equatable, Sendable, CustomStringConvertible {
    enum Role: String, Sendable { case bind, connect }
    let role: Role
    /// The address handed to libzmq: "tcp://*:5555", "ipc:///tmp/x".
    let address: String
    /// The host of a tcp or ws endpoint when it is a name to resolve before connecting.
    let hostToResolve: String?
    /// Whether the address uses an IPv6 literal (libzmq then needs ZMQ_IPV6).
    let usesIPv6: Bool

    var description: String { address }

    static let transports = ["tcp", "ipc", "inproc", "ws", "wss", "pgm", "epgm", "norm", "tipc", "vmci"]
    static let ipcPathLimit = 107  // sun_path holds 108 bytes with the terminating NUL

    /// Parses `text` given with -b (`.bind`), -c (`.connect`) or positionally (nil).
    static func parse(_ text: String, role given: Role?) throws(UsageError) -> Endpoint {
        guard !text.isEmpty else {
            throw UsageError("\(given.map { $0 == .bind ? "-b" : "-c" } ?? "endpoint"): an empty endpoint", hint: hintForms)
        }
        guard let schemeEnd = text.firstRange(of: "://") else {
            return try shorthand(text, role: given)
        }
        let scheme = String(text[..<schemeEnd.lowerBound]).lowercased()
        let rest = String(text[schemeEnd.upperBound...])
        guard transports.contains(scheme) else {
            let near = NearMiss.suggestion(for: scheme, among: transports)
            throw UsageError("unknown transport '\(scheme)' in \(text)",
                             hint: near.map { "did you mean \($0)://?" } ?? "transports: " + transports.joined(separator: ", "))
        }
        switch scheme {
        case "tcp", "ws", "wss":
            return try network(scheme, rest, whole: text, role: given)
        case "ipc", "inproc":
            return try local(scheme, rest, whole: text, role: try explicitRole(given, text))
        default:
            let role = try explicitRole(given, text)
            guard !rest.isEmpty else { throw UsageError("\(text) names no address") }
            return Endpoint(role: role, address: "\(scheme)://\(rest)", hostToResolve: nil, usesIPv6: false)
        }
    }

    /// tcp://, ws:// and wss://: [SOURCE;]HOST:PORT, and a path after it for ws. Positionally, the
    /// host and port say whether it binds; a connect needs a host.
    private static func network(_ scheme: String, _ rest: String, whole text: String, role given: Role?) throws(UsageError) -> Endpoint {
        var hostPort = rest
        var path = ""
        if scheme != "tcp", let slash = rest.firstIndex(of: "/") {
            hostPort = String(rest[..<slash])
            path = String(rest[slash...])
        }
        // tcp://source:port;host:port connects from a chosen source address
        var source = ""
        if let semi = hostPort.lastIndex(of: ";") {
            source = String(hostPort[...semi])
            hostPort = String(hostPort[hostPort.index(after: semi)...])
        }
        let (host, port) = try splitHostPort(hostPort, whole: text)
        let role = given ?? impliedRole(host: host, port: port)
        try checkPort(port, role: role, whole: text)
        var h = host
        if role == .bind && h.isEmpty { h = "*" }
        if role == .connect {
            guard !h.isEmpty, h != "*" else {
                throw UsageError("cannot connect to \(text): it names no host",
                                 hint: "give the host to connect to (tcp://127.0.0.1:\(port)), or bind with -b")
            }
        }
        let address = "\(scheme)://\(source)\(h):\(port)\(path)"
        return Endpoint(role: role, address: address, hostToResolve: role == .connect && needsResolution(h) ? bareHost(h) : nil,
                        usesIPv6: h.hasPrefix("["))
    }

    /// ipc:// and inproc://: a path or a name, passed through; ipc's is held to what sun_path holds.
    private static func local(_ scheme: String, _ rest: String, whole text: String, role: Role) throws(UsageError) -> Endpoint {
        guard !rest.isEmpty else { throw UsageError("\(text) names no \(scheme == "ipc" ? "path" : "name")") }
        if scheme == "ipc" {
            if rest == "*" && role == .connect {
                throw UsageError("cannot connect to ipc://*: * only picks a path when binding")
            }
            if rest.utf8.count > ipcPathLimit {
                throw UsageError("ipc path too long: \(rest.utf8.count) bytes, the limit is \(ipcPathLimit) (\(text))",
                                 hint: "use a shorter path, for example under /tmp")
            }
        }
        return Endpoint(role: role, address: "\(scheme)://\(rest)", hostToResolve: nil, usesIPv6: false)
    }

    /// The role given with -b or -c: an endpoint whose address cannot say it needs one.
    private static func explicitRole(_ given: Role?, _ text: String) throws(UsageError) -> Role {
        guard let given else {
            throw UsageError("\(text) must be given with -b or -c", hint: "-b \(text) to bind it, -c \(text) to connect to it")
        }
        return given
    }

    /// The positional rule: an empty or * host binds, and so does port * (only a bind can pick a port).
    private static func impliedRole(host: String, port: String) -> Role {
        (host.isEmpty || host == "*" || port == "*") ? .bind : .connect
    }

    static let hintForms = "endpoints look like :5555, host:5555, tcp://host:5555, ipc:///tmp/sock, inproc://name"

    /// :PORT and HOST:PORT: tcp://*:PORT when binding, tcp://127.0.0.1:PORT when connecting.
    private static func shorthand(_ text: String, role given: Role?) throws(UsageError) -> Endpoint {
        if text.allSatisfy(\.isNumber) {
            throw UsageError("'\(text)' is not an endpoint", hint: "did you mean :\(text)? (tcp port \(text))")
        }
        guard text.contains(":") else {
            throw UsageError("'\(text)' is not an endpoint: it has no port", hint: hintForms)
        }
        let (host, port) = try splitHostPort(text, whole: text)
        let role = given ?? impliedRole(host: host, port: port)
        let h: String
        switch (role, host) {
        case (.bind, ""): h = "*"
        case (.connect, ""): h = "127.0.0.1"
        case (.connect, "*"):
            throw UsageError("cannot connect to \(text): * is not a host", hint: "bind with -b \(text), or connect to :\(port) for this machine")
        default: h = host
        }
        return try parse("tcp://\(h):\(port)", role: role)
    }

    /// Splits "host:port", "[v6]:port", ":port".
    private static func splitHostPort(_ text: String, whole: String) throws(UsageError) -> (String, String) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                throw UsageError("'\(whole)' is not an endpoint: an IPv6 address needs a port after ]", hint: "for example tcp://[::1]:5555")
            }
            return (String(text[...close]), String(text[text.index(close, offsetBy: 2)...]))
        }
        guard let colon = text.lastIndex(of: ":") else {
            throw UsageError("'\(whole)' has no port", hint: hintForms)
        }
        let host = String(text[..<colon])
        if host.contains(":") {
            throw UsageError("'\(whole)': an IPv6 address must be in brackets", hint: "for example tcp://[::1]:5555")
        }
        return (host, String(text[text.index(after: colon)...]))
    }

    private static func checkPort(_ port: String, role: Role, whole: String) throws(UsageError) {
        if port == "*" || port == "!" {
            guard role == .bind else {
                throw UsageError("cannot connect to \(whole): port * only picks a port when binding", hint: "give the port to connect to")
            }
            return
        }
        guard !port.isEmpty, port.allSatisfy(\.isASCII), port.allSatisfy(\.isNumber), let n = Int(port), (1...65535).contains(n) else {
            throw UsageError("bad port '\(port)' in \(whole): a port is 1 to 65535\(role == .bind ? ", or * for any free one" : "")")
        }
    }

    private static func bareHost(_ host: String) -> String {
        host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
    }

    /// Whether a connect host is a name (not a numeric address) and so worth resolving up front.
    private static func needsResolution(_ host: String) -> Bool {
        if host.hasPrefix("[") { return false }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        let numeric = parts.count == 4 && parts.allSatisfy { part in
            !part.isEmpty && part.count <= 3 && part.allSatisfy { $0.isASCII && $0.isNumber } && (Int(part) ?? 256) <= 255
        }
        return !numeric
    }
}
