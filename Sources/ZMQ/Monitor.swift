// Socket-monitor events: libzmq reports connections, handshakes and failures on an inproc PAIR
// socket; this reads them as typed values. What to do with them is the caller's business.
import CZMQ
import Synchronization

/// One event about a socket's connections. The corresponding C function is `zmq_socket_monitor`.
public struct MonitorEvent: Sendable, Equatable {
    /// The event kind, one bit each. The corresponding C constants are `ZMQ_EVENT_*`.
    public struct Kind: OptionSet, Sendable, Hashable {
        public let rawValue: UInt16
        public init(rawValue: UInt16) { self.rawValue = rawValue }
        public static let connected = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECTED))
        public static let connectDelayed = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECT_DELAYED))
        public static let connectRetried = Kind(rawValue: UInt16(ZMQ_EVENT_CONNECT_RETRIED))
        public static let listening = Kind(rawValue: UInt16(ZMQ_EVENT_LISTENING))
        public static let bindFailed = Kind(rawValue: UInt16(ZMQ_EVENT_BIND_FAILED))
        public static let accepted = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPTED))
        public static let acceptFailed = Kind(rawValue: UInt16(ZMQ_EVENT_ACCEPT_FAILED))
        public static let closed = Kind(rawValue: UInt16(ZMQ_EVENT_CLOSED))
        public static let closeFailed = Kind(rawValue: UInt16(ZMQ_EVENT_CLOSE_FAILED))
        public static let disconnected = Kind(rawValue: UInt16(ZMQ_EVENT_DISCONNECTED))
        public static let monitorStopped = Kind(rawValue: UInt16(ZMQ_EVENT_MONITOR_STOPPED))
        public static let handshakeFailedNoDetail = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL))
        public static let handshakeSucceeded = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_SUCCEEDED))
        public static let handshakeFailedProtocol = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL))
        public static let handshakeFailedAuth = Kind(rawValue: UInt16(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH))
        public static let all = Kind(rawValue: UInt16(truncatingIfNeeded: ZMQ_EVENT_ALL))
        public static let handshakeFailed: Kind = [.handshakeFailedNoDetail, .handshakeFailedProtocol, .handshakeFailedAuth]

        /// The snake-case name used in JSON and logs: "connected", "handshake_failed_auth".
        public var name: String {
            switch self {
            case .connected: "connected"
            case .connectDelayed: "connect_delayed"
            case .connectRetried: "connect_retried"
            case .listening: "listening"
            case .bindFailed: "bind_failed"
            case .accepted: "accepted"
            case .acceptFailed: "accept_failed"
            case .closed: "closed"
            case .closeFailed: "close_failed"
            case .disconnected: "disconnected"
            case .monitorStopped: "monitor_stopped"
            case .handshakeFailedNoDetail: "handshake_failed_no_detail"
            case .handshakeSucceeded: "handshake_succeeded"
            case .handshakeFailedProtocol: "handshake_failed_protocol"
            case .handshakeFailedAuth: "handshake_failed_auth"
            default: "event_\(rawValue)"
            }
        }
    }

    public let kind: Kind
    /// The event's value: a file descriptor (connected, accepted, disconnected, closed), an errno
    /// (failures), a ZMTP/ZAP protocol error code (handshake_failed_protocol), a ZAP status code
    /// (handshake_failed_auth) or a reconnect interval (connect_retried).
    public let value: UInt32
    /// The endpoint the event concerns (for accepted connections, the listening endpoint).
    public let endpoint: String

    public init(kind: Kind, value: UInt32, endpoint: String) {
        self.kind = kind
        self.value = value
        self.endpoint = endpoint
    }
}

private let monitorCounter = Atomic<Int>(0)

/// Receives monitor events about one socket.
public final class Monitor {
    public let socket: Socket
    private let watched: Socket
    private var frame = Message()
    private var stopped = false
    /// Whether `stop()` has run (the event socket is closed: nothing may be received any more).
    public var isStopped: Bool { stopped }

    /// Starts monitoring `watched` for `events`. The events queue without limit until read.
    public init(_ watched: Socket, events: MonitorEvent.Kind = .all) throws(ZMQError) {
        self.watched = watched
        let n = monitorCounter.wrappingAdd(1, ordering: .relaxed).newValue
        let endpoint = "inproc://zswift.monitor.\(n)"
        _ = try retryingInterrupts { zmq_socket_monitor(watched.handle, endpoint, Int32(events.rawValue)) }
        socket = try Socket(watched.context, type: .pair)
        try socket.set(.receiveHighWaterMark, 0)  // with libzmq's sndhwm this makes the inproc pipe unbounded
        try socket.set(.linger, 0)
        try socket.connect(endpoint)
        watched.currentMonitor = ObjectIdentifier(self)
    }

    /// The next event, or nil when `dontWait` and none is waiting. Throws `.interrupted` on a signal.
    public func receive(dontWait: Bool = true) throws(ZMQError) -> MonitorEvent? {
        guard try socket.receive(&frame, dontWait: dontWait) else { return nil }
        var kind: UInt16 = 0
        var value: UInt32 = 0
        let head = frame.bytes
        if head.count >= 6 {
            kind = head.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
            value = head.loadUnaligned(fromByteOffset: 2, as: UInt32.self)
        }
        var endpoint = ""
        while frame.hasMore {
            // the rest of the event is there already; a signal must not split it
            while true {
                do { _ = try socket.receive(&frame); break } catch {
                    if error != .interrupted { throw error }
                }
            }
            endpoint = String(decoding: frame.bytes, as: UTF8.self)
        }
        return MonitorEvent(kind: MonitorEvent.Kind(rawValue: kind), value: value, endpoint: endpoint)
    }

    /// Stops monitoring and closes the event socket.
    public func stop() {
        if stopped { return }
        stopped = true
        // a newer Monitor on the same socket replaced this one: switching monitoring off would stop it
        if !watched.isClosed && watched.currentMonitor == ObjectIdentifier(self) {
            _ = zmq_socket_monitor(watched.handle, nil, 0)
            watched.currentMonitor = nil
        }
        socket.close()
    }

    deinit { stop() }
}
