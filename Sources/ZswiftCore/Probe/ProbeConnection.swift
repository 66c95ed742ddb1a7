// One short TCP or ipc connection of probe's own, with plain socket(2)/connect(2)/poll(2): libzmq
// hides the peer's greeting, so probe speaks the first bytes of ZMTP itself. Every wait has a
// deadline; closing sets SO_LINGER off so nothing is left half-open.
import Glibc

/// A connected stream socket to the endpoint under probe.
final class ProbeConnection {
    /// Why a connection could not be made.
    enum Failure: Error, Equatable {
        case refused(String)
        case unreachable(String)
        case timedOut
    }

    private let fd: Int32

    private init(fd: Int32) { self.fd = fd }
    deinit { close() }

    private var closed = false
    /// Closes at once (SO_LINGER on with 0 s: no FIN_WAIT, nothing left for the peer to wait on).
    func close() {
        guard !closed else { return }
        closed = true
        var off = linger(l_onoff: 1, l_linger: 0)
        _ = setsockopt(fd, SOL_SOCKET, SO_LINGER, &off, socklen_t(MemoryLayout<linger>.size))
        _ = Glibc.close(fd)
    }

    /// Connects to `target` within `deadline`, trying each address a host name resolves to.
    static func open(_ target: ProbeTarget, deadline: Deadline) throws(Failure) -> ProbeConnection {
        switch target {
        case let .ipc(path):
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in
                for (i, byte) in path.utf8.prefix(raw.count - 1).enumerated() { raw[i] = byte }
            }
            return try withUnsafeBytes(of: &address) { (raw) throws(Failure) in
                try attempt(family: AF_UNIX, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self),
                            socklen_t(MemoryLayout<sockaddr_un>.size), deadline: deadline)
            }
        case let .tcp(host, port):
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(host, String(port), &hints, &list)
            guard rc == 0, list != nil else { throw .unreachable("unknown host '\(host)': " + String(cString: gai_strerror(rc))) }
            defer { freeaddrinfo(list) }
            var last = Failure.unreachable("no address for '\(host)'")
            var entry = list
            while let info = entry?.pointee {
                do { return try attempt(family: info.ai_family, info.ai_addr, info.ai_addrlen, deadline: deadline) } catch { last = error }
                if last == .timedOut { break }
                entry = info.ai_next
            }
            throw last
        }
    }

    /// A non-blocking connect to one address, waited for with poll(2).
    private static func attempt(family: Int32, _ address: UnsafePointer<sockaddr>, _ length: socklen_t,
                                deadline: Deadline) throws(Failure) -> ProbeConnection {
        let fd = socket(family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(String(cString: strerror(errno))) }
        let connection = ProbeConnection(fd: fd)
        if connect(fd, address, length) == 0 { return connection }
        guard errno == EINPROGRESS || errno == EAGAIN else { throw failure(errno) }
        guard connection.wait(for: Int16(POLLOUT), deadline: deadline) else { throw .timedOut }
        var error: Int32 = 0
        var size = socklen_t(MemoryLayout<Int32>.size)
        _ = getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size)
        guard error == 0 else { throw failure(error) }
        return connection
    }

    private static func failure(_ code: Int32) -> Failure {
        let reason = String(cString: strerror(code))
        return code == ECONNREFUSED || code == ENOENT ? .refused(reason) : .unreachable(reason)
    }

    /// Whether `events` came before `deadline` (signals only shorten a wait, never end it early).
    private func wait(for events: Int16, deadline: Deadline) -> Bool {
        while true {
            var item = pollfd(fd: fd, events: events, revents: 0)
            let left = deadline.remaining()
            let rc = poll(&item, 1, Int32(clamping: left))
            if rc > 0 { return true }
            if rc < 0 && errno == EINTR { continue }
            if rc == 0 && left > 0 { continue }
            return false
        }
    }

    /// Writes all of `bytes` (a few dozen: the socket buffer takes them at once); false on failure.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n > 0 { sent += n; continue }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN, wait(for: Int16(POLLOUT), deadline: Deadline(after: .ms(1000))) { continue }
            return false
        }
        return true
    }

    /// What the peer sends next, appended to `buffer`, waiting until `deadline`: `.data` when
    /// bytes came, `.closed` at end of stream (or a reset), `.timedOut` when nothing came.
    enum Read: Equatable { case data, closed, timedOut }

    func read(into buffer: inout [UInt8], deadline: Deadline) -> Read {
        guard wait(for: Int16(POLLIN), deadline: deadline) else { return .timedOut }
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 { buffer += chunk[..<n]; return .data }
            if n < 0 && errno == EINTR { continue }
            if n < 0 && errno == EAGAIN { return wait(for: Int16(POLLIN), deadline: deadline) ? read(into: &buffer, deadline: deadline) : .timedOut }
            return .closed
        }
    }
}

/// Where probe connects: a tcp host and port, or an ipc path.
enum ProbeTarget: Equatable, Sendable {
    case tcp(host: String, port: Int)
    case ipc(String)

    /// The command that would say whether a TLS server listens here.
    var tlsCheck: String {
        switch self {
        case let .tcp(host, port): "openssl s_client -connect \(host.contains(":") ? "[\(host)]" : host):\(port) would say"
        case let .ipc(path): "openssl s_client -unix \(path) would say"
        }
    }

    /// The target of a connect endpoint (tcp://HOST:PORT, tcp://[V6]:PORT, ipc://PATH); nil for
    /// transports probe does not speak.
    init?(_ endpoint: Endpoint) {
        let address = endpoint.address
        if address.hasPrefix("ipc://") { self = .ipc(String(address.dropFirst(6))); return }
        guard address.hasPrefix("tcp://") else { return nil }
        var hostPort = address.dropFirst(6)
        if let semi = hostPort.lastIndex(of: ";") { hostPort = hostPort[hostPort.index(after: semi)...] }
        guard let colon = hostPort.lastIndex(of: ":"), let port = Int(hostPort[hostPort.index(after: colon)...]) else { return nil }
        var host = hostPort[..<colon]
        if host.hasPrefix("["), host.hasSuffix("]") { host = host.dropFirst().dropLast() }
        self = .tcp(host: String(host), port: port)
    }
}
