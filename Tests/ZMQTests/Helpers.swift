// Shared helpers for the ZMQ wrapper tests: unique inproc endpoints, connected socket pairs, and
// receives bounded by a poll timeout so no test can block for ever. No assertions live here.
import Glibc
import Synchronization
import ZMQ

private let endpointCounter = Atomic<Int>(0)

/// A fresh `inproc://` endpoint, unique within the test process (each test also has its own context).
func uniqueEndpoint(_ label: String = #function) -> String {
    let n = endpointCounter.wrappingAdd(1, ordering: .relaxed).newValue
    let clean = String(label.unicodeScalars.filter { $0.properties.isAlphabetic || ("0"..."9").contains($0) })
    return "inproc://zmqtests-\(clean)-\(n)"
}

/// The upper bound on any single wait in these tests.
let patience = 5_000  // milliseconds

/// A socket with linger 0, so that dropping it never holds up context termination.
func makeSocket(_ context: Context, _ type: SocketType) throws -> Socket {
    let socket = try Socket(context, type: type)
    try socket.set(.linger, 0)
    return socket
}

/// Two sockets of one context: `bound` bound to a unique inproc endpoint, `connected` connected to it.
struct SocketPair {
    let context: Context
    let bound: Socket
    let connected: Socket
    let endpoint: String
}

func inprocPair(_ boundType: SocketType, _ connectedType: SocketType, label: String = #function) throws -> SocketPair {
    let context = Context()
    let endpoint = uniqueEndpoint(label)
    let bound = try makeSocket(context, boundType)
    try bound.bind(endpoint)
    let connected = try makeSocket(context, connectedType)
    try connected.connect(endpoint)
    return SocketPair(context: context, bound: bound, connected: connected, endpoint: endpoint)
}

/// The same over TCP on the loopback interface, on a port the kernel picks.
func tcpPair(_ boundType: SocketType, _ connectedType: SocketType) throws -> SocketPair {
    let context = Context()
    let bound = try makeSocket(context, boundType)
    try bound.bind("tcp://127.0.0.1:*")
    let endpoint = bound.lastEndpoint
    let connected = try makeSocket(context, connectedType)
    try connected.connect(endpoint)
    return SocketPair(context: context, bound: bound, connected: connected, endpoint: endpoint)
}

/// A TCP endpoint on 127.0.0.1 where connections are refused, and the port is kept from anyone
/// else: a plain socket bound to a kernel-chosen port but not listening. Close `fd` when done.
func refusingTCPEndpoint() -> (endpoint: String, fd: Int32) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    precondition(fd >= 0, "socket(2) failed")
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let rc = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
            bind(fd, pointer, length) == 0 ? getsockname(fd, pointer, &length) : -1
        }
    }
    precondition(rc == 0, "bind(2)/getsockname(2) failed")
    return ("tcp://127.0.0.1:\(UInt16(bigEndian: address.sin_port))", fd)
}

/// Tries `attempt` (a receive that does not block) until it succeeds or `timeout` milliseconds
/// have passed, waiting for `socket` to be readable in between. Returns whether it succeeded.
func retryUntilReceived(_ socket: Socket, timeout: Int, _ attempt: () throws -> Bool) throws -> Bool {
    if try attempt() { return true }
    var poller = Poller()
    poller.add(socket, .readable)
    let deadline = ContinuousClock.now + .milliseconds(timeout)
    while ContinuousClock.now < deadline {
        let left = deadline - ContinuousClock.now
        let ms = max(1, Int(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
        _ = try poller.poll(timeout: ms)
        if try attempt() { return true }
    }
    return false
}

/// Waits up to `timeout` milliseconds for `socket` to be readable, then receives one frame without
/// blocking. Returns false if nothing arrived in time.
func receive(_ socket: Socket, into message: inout Message, timeout: Int = patience) throws -> Bool {
    try retryUntilReceived(socket, timeout: timeout) { try socket.receive(&message, dontWait: true) }
}

/// The same for one whole message into a MultipartMessage.
func receive(_ socket: Socket, into message: inout MultipartMessage, timeout: Int = patience) throws -> Bool {
    try retryUntilReceived(socket, timeout: timeout) { try socket.receive(&message, dontWait: true) }
}

/// Receives one whole (possibly multipart) message as its frames, or nil if it did not arrive in time.
func receiveFrames(_ socket: Socket, timeout: Int = patience) throws -> [[UInt8]]? {
    var message = Message()
    guard try receive(socket, into: &message, timeout: timeout) else { return nil }
    var frames = [message.array]
    while message.hasMore {
        // The rest of a multipart message is already queued: libzmq delivers all frames or none.
        guard try socket.receive(&message, dontWait: true) else { return nil }
        frames.append(message.array)
    }
    return frames
}

/// Sends the frames of one multipart message, blocking (inproc peers are already connected).
func sendFrames(_ socket: Socket, _ frames: [[UInt8]]) throws {
    let sent = try socket.send(frames)
    precondition(sent, "a blocking send reported would-block")
}

/// A pipe as (read end, write end); the caller closes both.
func makePipe() -> (read: Int32, write: Int32) {
    var fds: [Int32] = [-1, -1]
    let rc = pipe(&fds)
    precondition(rc == 0, "pipe(2) failed")
    return (fds[0], fds[1])
}

extension Array where Element == UInt8 {
    /// `count` bytes in a repeating 0...255 pattern, so misplaced bytes show.
    static func pattern(count: Int) -> [UInt8] { (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 >> 8) } }
}
