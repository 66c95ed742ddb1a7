// A libzmq context: the owner of I/O threads. Sockets hold a strong reference to it, so it
// cannot be terminated while a socket still lives (rust-zmq's rule).
import CZMQ
import Synchronization

/// A ZeroMQ context. The corresponding C type is `void *` from `zmq_ctx_new`.
public final class Context: @unchecked Sendable {
    public let handle: UnsafeMutableRawPointer
    private let terminated = Atomic<Bool>(false)

    public init() {
        guard let handle = zmq_ctx_new() else {
            fatalError("zmq_ctx_new failed: \(ZMQError.last)")  // only out of memory or fds
        }
        self.handle = handle
    }

    /// Number of background I/O threads; set before creating sockets. The corresponding C function is `zmq_ctx_set`.
    public func set(_ option: Int32, _ value: Int32) throws(ZMQError) {
        _ = try retryingInterrupts { zmq_ctx_set(handle, option, value) }
    }

    /// The most sockets the context may open (ZMQ_MAX_SOCKETS, 1023 by default); set before
    /// creating sockets.
    public func setMaxSockets(_ count: Int32) throws(ZMQError) {
        try set(ZMQ_MAX_SOCKETS, count)
    }

    /// Terminates the context: blocks until every socket is closed and its linger period is over.
    /// The corresponding C function is `zmq_ctx_term`.
    /// Only the first call does anything, whichever thread makes it.
    public func terminate() {
        if terminated.exchange(true, ordering: .acquiringAndReleasing) { return }
        while zmq_ctx_term(handle) != 0 && ZMQError.last == .interrupted {}
    }

    /// Makes every blocking call on this context's sockets return `.terminated`. The corresponding C function is `zmq_ctx_shutdown`.
    public func shutdown() { _ = zmq_ctx_shutdown(handle) }

    deinit { terminate() }
}

/// Facts about the linked libzmq.
public enum Library {
    /// The libzmq version as (major, minor, patch). The corresponding C function is `zmq_version`.
    public static var version: (major: Int, minor: Int, patch: Int) {
        var major: Int32 = 0, minor: Int32 = 0, patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return (Int(major), Int(minor), Int(patch))
    }

    /// Whether libzmq was built with a capability ("ipc", "curve", "WS", ...). The corresponding C function is `zmq_has`.
    public static func has(_ capability: String) -> Bool { zmq_has(capability) != 0 }
}
