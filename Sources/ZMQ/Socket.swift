// A libzmq socket: endpoints, typed options, and sending/receiving with "would block" as a value.
// Blocking calls surface `.interrupted` so the caller can look at its signal flag; nothing here
// knows about the command line.
import CZMQ

/// Flags for a send. The corresponding C constants are `ZMQ_DONTWAIT` and `ZMQ_SNDMORE`.
public struct SendFlags: OptionSet, Sendable {
    public let rawValue: Int32
    @inlinable public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let dontWait = SendFlags(rawValue: ZMQ_DONTWAIT)
    public static let more = SendFlags(rawValue: ZMQ_SNDMORE)
}

/// A ZeroMQ socket. It keeps its context alive; `close()` (or deinit) releases it.
public final class Socket {
    @usableFromInline let raw: UnsafeMutableRawPointer
    public let context: Context
    public let type: SocketType
    public private(set) var isClosed = false
    /// The monitor now attached (libzmq allows one per socket; a newer one replaces it).
    var currentMonitor: ObjectIdentifier?

    /// Creates a socket of the given type. The corresponding C function is `zmq_socket`.
    public init(_ context: Context, type: SocketType) throws(ZMQError) {
        guard let raw = zmq_socket(context.handle, type.rawValue) else { throw ZMQError.last }
        self.raw = raw
        self.context = context
        self.type = type
    }

    /// The C handle, for calls this wrapper does not cover.
    public var handle: UnsafeMutableRawPointer { raw }

    /// Closes the socket; pending messages are kept for the linger period. The corresponding C function is `zmq_close`.
    public func close() {
        if isClosed { return }
        isClosed = true
        _ = zmq_close(raw)
    }

    deinit { close() }

    // MARK: - Endpoints

    /// The corresponding C function is `zmq_bind`.
    public func bind(_ endpoint: String) throws(ZMQError) {
        precondition(!isClosed, "socket used after close()")
        _ = try retryingInterrupts { zmq_bind(raw, endpoint) }
    }

    /// The corresponding C function is `zmq_connect`.
    public func connect(_ endpoint: String) throws(ZMQError) {
        precondition(!isClosed, "socket used after close()")
        _ = try retryingInterrupts { zmq_connect(raw, endpoint) }
    }

    /// The corresponding C function is `zmq_unbind`.
    public func unbind(_ endpoint: String) throws(ZMQError) {
        _ = try retryingInterrupts { zmq_unbind(raw, endpoint) }
    }

    /// The corresponding C function is `zmq_disconnect`.
    public func disconnect(_ endpoint: String) throws(ZMQError) {
        _ = try retryingInterrupts { zmq_disconnect(raw, endpoint) }
    }

    /// The endpoint of the last bind or connect, with wildcards resolved (`tcp://127.0.0.1:41234`).
    public var lastEndpoint: String { (try? get(.lastEndpoint)) ?? "" }

    // MARK: - Options

    /// The corresponding C function is `zmq_setsockopt`.
    public func set<V>(_ option: SocketOption<V>, _ value: V) throws(ZMQError) {
        try value.withOptionBytes { (bytes) throws(ZMQError) in
            try setRaw(option.code, bytes)
        }
    }

    /// The corresponding C function is `zmq_getsockopt`.
    public func get<V>(_ option: SocketOption<V>) throws(ZMQError) -> V {
        precondition(!isClosed, "socket used after close()")
        return try V.read(from: raw, code: option.code)
    }

    /// Sets an option from its raw bytes (for options looked up by name).
    /// An empty value is passed as (NULL, 0), which is how libzmq clears text options.
    public func setRaw(_ code: Int32, _ bytes: UnsafeRawBufferPointer) throws(ZMQError) {
        precondition(!isClosed, "socket used after close()")
        let base = bytes.count == 0 ? nil : bytes.baseAddress
        _ = try retryingInterrupts { zmq_setsockopt(raw, code, base, bytes.count) }
    }

    /// Whether the last frame received is followed by more frames of the same message.
    @inlinable public var hasMore: Bool {
        var value: Int32 = 0
        var size = MemoryLayout<Int32>.size
        return zmq_getsockopt(raw, ZMQ_RCVMORE, &value, &size) == 0 && value != 0
    }

    /// What the socket can do now without blocking (`ZMQ_EVENTS`).
    public var events: PollEvents { PollEvents(rawValue: Int16(truncatingIfNeeded: (try? get(.events)) ?? 0)) }

    // MARK: - Sending and receiving

    /// Sends one frame from `bytes` (libzmq copies them). Returns false when `.dontWait` was given
    /// and the frame cannot be queued now. The corresponding C function is `zmq_send`.
    @inlinable
    public func send(_ bytes: UnsafeRawBufferPointer, flags: SendFlags = []) throws(ZMQError) -> Bool {
        if zmq_send(raw, bytes.baseAddress, bytes.count, flags.rawValue) >= 0 { return true }
        let error = ZMQError.last
        if error == .wouldBlock { return false }
        throw error
    }

    /// Sends one frame from a byte array.
    @inlinable
    public func send(_ bytes: [UInt8], flags: SendFlags = []) throws(ZMQError) -> Bool {
        let result = bytes.withUnsafeBytes { raw in Result { () throws(ZMQError) -> Bool in try send(raw, flags: flags) } }
        return try result.get()
    }

    /// Sends a message, leaving `message` empty. Returns false on "would block" (the message is kept).
    /// The corresponding C function is `zmq_msg_send`.
    @inlinable
    public func send(_ message: inout Message, flags: SendFlags = []) throws(ZMQError) -> Bool {
        if zmq_msg_send(message.raw, raw, flags.rawValue) >= 0 { return true }
        let error = ZMQError.last
        if error == .wouldBlock { return false }
        throw error
    }

    /// Receives one frame into `message`, replacing its content. Returns false when `dontWait` is set and
    /// nothing is waiting. The corresponding C function is `zmq_msg_recv`.
    @inlinable
    public func receive(_ message: inout Message, dontWait: Bool = false) throws(ZMQError) -> Bool {
        if zmq_msg_recv(message.raw, raw, dontWait ? ZMQ_DONTWAIT : 0) >= 0 { return true }
        let error = ZMQError.last
        if error == .wouldBlock { return false }
        throw error
    }
}
