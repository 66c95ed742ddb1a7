// A move-only libzmq message, reused across receives (rust-zmq's model). The zmq_msg_t lives on the
// heap so it never moves while libzmq may hold its address.
import CZMQ
import Glibc

/// A ZeroMQ message frame. The corresponding C type is `zmq_msg_t`.
public struct Message: ~Copyable {
    @usableFromInline let raw: UnsafeMutablePointer<zmq_msg_t>

    /// An empty message. The corresponding C function is `zmq_msg_init`.
    public init() {
        raw = .allocate(capacity: 1)
        zmq_msg_init(raw)
    }

    /// A message holding a copy of `bytes`. The corresponding C function is `zmq_msg_init_size`.
    public init(copying bytes: UnsafeRawBufferPointer) {
        raw = .allocate(capacity: 1)
        Message.fill(raw, bytes)
    }

    /// A message of `count` zero bytes (for a payload whose content does not matter, or is
    /// written in place). The corresponding C function is `zmq_msg_init_size`.
    public init(zeros count: Int) {
        raw = .allocate(capacity: 1)
        guard zmq_msg_init_size(raw, count) == 0 else { fatalError("zmq_msg_init_size: \(ZMQError.last)") }
        if count > 0 { memset(zmq_msg_data(raw), 0, count) }
    }

    /// A message holding a copy of `bytes`.
    public init(_ bytes: [UInt8]) {
        raw = .allocate(capacity: 1)
        bytes.withUnsafeBytes { Message.fill(raw, $0) }
    }

    private static func fill(_ raw: UnsafeMutablePointer<zmq_msg_t>, _ bytes: UnsafeRawBufferPointer) {
        guard zmq_msg_init_size(raw, bytes.count) == 0 else { fatalError("zmq_msg_init_size: \(ZMQError.last)") }
        if bytes.count > 0 { zmq_msg_data(raw).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count) }
    }

    deinit {
        zmq_msg_close(raw)
        raw.deallocate()
    }

    /// The frame's size in bytes. The corresponding C function is `zmq_msg_size`.
    @inlinable public var count: Int { zmq_msg_size(raw) }

    /// The frame's bytes, valid until the message is next received into, sent or dropped.
    /// The corresponding C function is `zmq_msg_data`.
    @inlinable public var bytes: UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: zmq_msg_data(raw), count: zmq_msg_size(raw))
    }

    /// The frame's bytes, writable in place.
    @inlinable public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: zmq_msg_data(raw), count: zmq_msg_size(raw))
    }

    /// A copy of the frame's bytes.
    public var array: [UInt8] { Array(bytes) }

    /// Whether more frames of the same message follow. The corresponding C function is `zmq_msg_more`.
    @inlinable public var hasMore: Bool { zmq_msg_more(raw) != 0 }

    /// A metadata property of a received message: "Peer-Address", "Socket-Type", "Routing-Id", "User-Id".
    /// The corresponding C function is `zmq_msg_gets`.
    public func property(_ name: String) -> String? {
        guard let value = zmq_msg_gets(raw, name) else { return nil }
        return String(cString: value)
    }

    /// A metadata property's bytes as they are (up to the first NUL: libzmq hands out C strings),
    /// for values that need not be UTF-8, such as a routing id.
    public func propertyBytes(_ name: String) -> [UInt8]? {
        guard let value = zmq_msg_gets(raw, name) else { return nil }
        return Array(UnsafeRawBufferPointer(start: value, count: strlen(value)))
    }

    /// Replaces the content with `other`'s. libzmq shares the data of frames over 33 bytes between
    /// the two instead of copying it, so do not write through `mutableBytes` of either afterwards.
    /// The corresponding C function is `zmq_msg_copy`.
    public mutating func copy(from other: borrowing Message) {
        zmq_msg_copy(raw, other.raw)
    }
}
