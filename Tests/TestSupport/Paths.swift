// Where the things under test are: the built zswift binary (beside the test bundle, or
// $ZSWIFT_BIN), the pyzmq peer scripts, the JeroMQ peer, and fresh temporary directories for ipc
// endpoints.
import Glibc

public enum Paths {
    /// The zswift binary under test.
    public static let zswift: String = {
        if let bin = getenv("ZSWIFT_BIN") { return String(cString: bin) }
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let exe = n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let dir = exe.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        return dir + "/zswift"
    }()

    /// The package root (this file is Tests/TestSupport/Paths.swift).
    public static let packageRoot: String = {
        let parts = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        return parts.dropLast(3).joined(separator: "/")
    }()

    /// A pyzmq peer script in Tests/peers.
    public static func peer(_ name: String) -> String { packageRoot + "/Tests/peers/" + name }

    /// Debian's JeroMQ 0.3 (libjeromq-java), or $JEROMQ_JAR.
    public static let jeromqJar: String = getenv("JEROMQ_JAR").map { String(cString: $0) } ?? "/usr/share/java/jeromq.jar"

    /// The command that runs the JeroMQ peer (Tests/peers/JeroPeer.java), which
    /// scripts/build-peers.sh compiles into .build/peers (git-ignored).
    public static var jeroPeer: [String] {
        ["java", "-cp", packageRoot + "/.build/peers:" + jeromqJar, "JeroPeer"]
    }

    /// A script in scripts/.
    public static func script(_ name: String) -> String { packageRoot + "/scripts/" + name }

    /// A new empty directory under /tmp, short enough for ipc paths.
    public static func temporaryDirectory() -> String {
        var template = Array("/tmp/zsw.XXXXXX".utf8CString)
        let dir = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        return dir.map { String(cString: $0) } ?? "/tmp"
    }

    /// A unique ipc endpoint.
    public static func ipcEndpoint() -> String { "ipc://" + temporaryDirectory() + "/s" }

    /// A TCP port that was free a moment ago (for peers that cannot report the port they bound).
    public static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
