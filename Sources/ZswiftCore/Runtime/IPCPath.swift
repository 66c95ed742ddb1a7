// What is at the path of an ipc endpoint before it is bound. libzmq unlinks whatever is there
// and binds anew (ipc_listener.cpp), which would take over a live server's path in silence or
// delete a user's file: zswift binds only where nothing is, or a socket nobody serves any more.
import Glibc

enum IPCPath {
    /// The filesystem path of an ipc endpoint (not abstract "@name", not "*").
    static func path(of endpoint: Endpoint) -> String? {
        guard endpoint.address.hasPrefix("ipc://") else { return nil }
        let path = String(endpoint.address.dropFirst(6))
        return path == "*" || path.hasPrefix("@") ? nil : path
    }

    /// Throws unless `endpoint` may be bound: its path is free, or holds a stale socket that
    /// libzmq can replace. `reopening`: the path is our own socket's, just closed (Lazy Pirate).
    static func checkBindable(_ endpoint: Endpoint, reopening: Bool) throws(Exit) {
        guard let path = path(of: endpoint) else { return }
        var info = stat()
        guard lstat(path, &info) == 0 else { return }  // nothing there (or not reachable: bind says why)
        let address = endpoint.address
        guard info.st_mode & S_IFMT == S_IFSOCK else {
            throw Exit.runtime("cannot bind \(address): \(path) is \(describe(info.st_mode)), not a socket, and zswift does not replace it",
                               hint: "bind another path, or remove \(path) yourself if it should go")
        }
        if !reopening && somebodyListens(at: path) {
            throw Exit.runtime("address already in use: \(address)", hint: "another process is serving that path; pick another")
        }
        if access(directory(of: path), W_OK) != 0 {
            throw Exit.runtime("cannot bind \(address): a socket nobody serves is left at \(path), and its directory is not writable to replace it",
                               hint: "bind a path in a directory you can write, or have \(path) removed")
        }
    }

    /// "a regular file", "a directory", ... for an lstat mode.
    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFDIR: "a directory"
        case S_IFLNK: "a symbolic link"
        case S_IFIFO: "a named pipe"
        case S_IFCHR, S_IFBLK: "a device"
        default: "a file"
        }
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Whether a process accepts connections on the unix socket at `path`.
    static func somebodyListens(at path: String) -> Bool {
        let fd = Glibc.socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
        }
        let rc = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        return rc == 0
    }
}
