// What the kernel knows about a connection's fd: who is at the other end (getpeername, or the
// process behind a unix socket) and how many bytes still wait to leave. The tracker never asks:
// ConnectionMonitor hands it peerAddress, and delivery at exit asks queuedBytes.
import Glibc

enum PeerSocket {
    /// "127.0.0.1:43210", "[::1]:43210" or "process 1234" for a connected socket fd; nil when it
    /// is gone.
    static func peerAddress(_ fd: Int32) -> String? {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let rc = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getpeername(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        var host = [CChar](repeating: 0, count: 64)
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin_addr
                    inet_ntop(AF_INET, &addr, &host, 64)
                    return string(host) + ":" + String(UInt16(bigEndian: sin.pointee.sin_port))
                }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { sin in
                    var addr = sin.pointee.sin6_addr
                    inet_ntop(AF_INET6, &addr, &host, 64)
                    return "[" + string(host) + "]:" + String(UInt16(bigEndian: sin.pointee.sin6_port))
                }
            }
        case AF_UNIX:
            // struct ucred (pid, uid, gid); Glibc hides it behind _GNU_SOURCE
            var credentials: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
            var size = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
            if getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &credentials, &size) == 0 && credentials.pid > 0 {
                return "process \(credentials.pid)"
            }
            return "a local process"
        default:
            return nil
        }
    }

    /// Bytes this process has queued in the kernel on `fds` and not yet seen acknowledged
    /// (`ioctl(SIOCOUTQ)`; zmq-facts: libzmq can lose its last batch at close while these are full).
    static func queuedBytes(_ fds: [Int32]) -> Int {
        var total = 0
        for fd in fds {
            var queued: Int32 = 0
            if ioctl(fd, UInt(TIOCOUTQ), &queued) == 0 { total += Int(queued) }
        }
        return total
    }

    /// Whether the peer of `fd` has closed its end (poll(2) says POLLHUP, POLLRDHUP or POLLERR):
    /// a queue that emptied then may have been thrown away, not read.
    static func peerHungUp(_ fd: Int32) -> Bool {
        let rdhup: Int16 = 0x2000  // POLLRDHUP, which Glibc hides behind _GNU_SOURCE
        var p = pollfd(fd: fd, events: rdhup, revents: 0)
        guard poll(&p, 1, 0) == 1 else { return false }
        return p.revents & (Int16(POLLHUP | POLLERR) | rdhup) != 0
    }

    private static func string(_ chars: [CChar]) -> String {
        String(decoding: chars.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
