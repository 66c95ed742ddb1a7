// Host names in endpoints: connect hosts are resolved up front (libzmq would retry an unknown
// host for ever in silence), bind hosts are resolved to the address libzmq can bind, and events
// on a resolved address are named as the user gave the endpoint.
import Glibc

enum HostLookup {
    /// Resolves connect hosts up front: libzmq would retry an unknown host for ever in silence.
    static func resolveHosts(_ endpoints: [Endpoint]) throws(Exit) {
        for endpoint in endpoints {
            guard let host = endpoint.hostToResolve else { continue }
            if case let .failure(failure) = lookUp(host, family: AF_UNSPEC) {
                throw Exit.runtime("unknown host '\(host)' in \(endpoint.address): \(failure.reason)",
                                   hint: "check the name, or give an IP address")
            }
        }
    }

    struct LookupFailure: Error { let reason: String }

    /// The first address `host` resolves to, in numeric form ("127.0.0.1", "[::1]").
    static func lookUp(_ host: String, family: Int32) -> Result<String, LookupFailure> {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else { return .failure(LookupFailure(reason: String(cString: gai_strerror(rc)))) }
        defer { freeaddrinfo(result) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let named = getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
        guard named == 0 else { return .failure(LookupFailure(reason: String(cString: gai_strerror(named)))) }
        let numeric = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .success(first.pointee.ai_family == AF_INET6 ? "[\(numeric)]" : numeric)
    }

    /// A connect endpoint's address with its host name resolved, as libzmq names it in events.
    static func resolvedAddress(_ endpoint: Endpoint, ipv6: Bool) -> String? {
        guard let host = endpoint.hostToResolve, let range = endpoint.address.firstRange(of: "//" + host + ":"),
              case let .success(numeric) = lookUp(host, family: ipv6 ? AF_UNSPEC : AF_INET) else { return nil }
        return String(endpoint.address[..<range.lowerBound]) + "//" + numeric + ":" + endpoint.address[range.upperBound...]
    }

    /// A tcp or ws bind address with its host name resolved to a numeric address
    /// (tcp://localhost:5555 -> tcp://127.0.0.1:5555), or nil when the host does not resolve.
    static func resolvedBindAddress(_ address: String, ipv6: Bool) -> String? {
        guard let schemeEnd = address.firstRange(of: "://") else { return nil }
        let scheme = String(address[..<schemeEnd.lowerBound])
        guard ["tcp", "ws", "wss"].contains(scheme) else { return nil }
        var hostPort = address[schemeEnd.upperBound...]
        var path = ""
        if scheme != "tcp", let slash = hostPort.firstIndex(of: "/") {
            path = String(hostPort[slash...])
            hostPort = hostPort[..<slash]
        }
        guard !hostPort.hasPrefix("["), !hostPort.contains(";"), let colon = hostPort.lastIndex(of: ":") else { return nil }
        let host = String(hostPort[..<colon])
        guard !host.isEmpty, host != "*", case let .success(numeric) = lookUp(host, family: ipv6 ? AF_UNSPEC : AF_INET) else {
            return nil
        }
        return "\(scheme)://\(numeric)\(hostPort[colon...])\(path)"
    }

}
