// A whole message of any number of frames, received into storage that is reused: one growing
// byte buffer and the frame boundaries, so a receive loop allocates nothing per message once the
// buffer has grown. The last frame is not copied: it stays in the libzmq message it arrived in.
import CZMQ

/// One received message with all its frames, reused across receives (`Socket.receive(_:dontWait:)`).
/// The frames' bytes are valid until the next receive into it.
public struct MultipartMessage: ~Copyable {
    /// The frame received last: once a receive returns, the message's last frame.
    var last = Message()
    /// The bytes of every frame but the last, back to back.
    private var storage: UnsafeMutableRawPointer
    private var capacity: Int
    private var used = 0
    /// Where each frame but the last ends in `storage`.
    private var ends: [Int] = []
    /// The frames as pointers, rebuilt by each receive.
    public private(set) var frames: [UnsafeRawBufferPointer] = []

    /// An empty message whose buffer starts at `capacity` bytes and grows as frames need.
    public init(capacity: Int = 256) {
        self.capacity = max(capacity, 16)
        storage = .allocate(byteCount: self.capacity, alignment: 1)
    }

    deinit { storage.deallocate() }

    /// How many frames the message has (0 before the first receive, or after one that found nothing).
    public var count: Int { frames.count }

    /// Frame `index`'s bytes.
    public subscript(index: Int) -> UnsafeRawBufferPointer { frames[index] }

    /// The size of all frames together.
    public var byteCount: Int { used + last.count }

    /// The frames' bytes copied out, for callers off the hot path.
    public var arrays: [[UInt8]] { frames.map { Array($0) } }

    /// A metadata property of the message: "Peer-Address", "Socket-Type", "Routing-Id", "User-Id".
    /// The corresponding C function is `zmq_msg_gets`.
    public func property(_ name: String) -> String? { last.property(name) }

    /// A metadata property's bytes as they are (see `Message.propertyBytes`).
    public func propertyBytes(_ name: String) -> [UInt8]? { last.propertyBytes(name) }

    // MARK: - Receiving

    /// Receives one whole message from `socket`; see `Socket.receive(_:dontWait:)`.
    mutating func receive(from socket: Socket, dontWait: Bool) throws(ZMQError) -> Bool {
        used = 0
        ends.removeAll(keepingCapacity: true)
        frames.removeAll(keepingCapacity: true)
        guard try socket.receive(&last, dontWait: dontWait) else { return false }
        while last.hasMore {
            keep(last.bytes)
            // the rest is there already (libzmq delivers a message whole): a signal cannot hold it up
            while true {
                do { _ = try socket.receive(&last); break } catch {
                    if error != .interrupted { throw error }
                }
            }
        }
        var start = 0
        for end in ends {
            frames.append(UnsafeRawBufferPointer(start: storage + start, count: end - start))
            start = end
        }
        frames.append(last.bytes)
        return true
    }

    /// Copies a frame that is not the last into the buffer, growing it when it is full.
    private mutating func keep(_ bytes: UnsafeRawBufferPointer) {
        if used + bytes.count > capacity {
            var grown = capacity * 2
            while grown < used + bytes.count { grown *= 2 }
            let bigger = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: 1)
            bigger.copyMemory(from: storage, byteCount: used)
            storage.deallocate()
            storage = bigger
            capacity = grown
        }
        if let base = bytes.baseAddress, bytes.count > 0 { (storage + used).copyMemory(from: base, byteCount: bytes.count) }
        used += bytes.count
        ends.append(used)
    }
}
