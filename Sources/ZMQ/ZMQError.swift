// A libzmq failure as a typed, matchable value (modelled on swift-system's Errno).
// It carries only the errno; callers add the context (which endpoint, which option).
import CZMQ
import Glibc

/// An error reported by libzmq, identified by its `errno` value.
public struct ZMQError: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    public let code: Int32

    @inlinable public init(code: Int32) { self.code = code }

    /// The error libzmq reported for the last call on this thread. The corresponding C function is `zmq_errno`.
    @inlinable public static var last: ZMQError { ZMQError(code: zmq_errno()) }

    /// The message libzmq gives for this error. The corresponding C function is `zmq_strerror`.
    public var description: String { String(cString: zmq_strerror(code)) }

    public static var wouldBlock: ZMQError { ZMQError(code: EAGAIN) }
    public static var interrupted: ZMQError { ZMQError(code: EINTR) }
    public static var invalidArgument: ZMQError { ZMQError(code: EINVAL) }
    public static var addressInUse: ZMQError { ZMQError(code: EADDRINUSE) }
    public static var addressNotAvailable: ZMQError { ZMQError(code: EADDRNOTAVAIL) }
    public static var noDevice: ZMQError { ZMQError(code: ENODEV) }
    public static var hostUnreachable: ZMQError { ZMQError(code: EHOSTUNREACH) }
    public static var protocolNotSupported: ZMQError { ZMQError(code: EPROTONOSUPPORT) }
    public static var noCompatibleProtocol: ZMQError { ZMQError(code: ZMQ_HAUSNUMERO + 52) }  // ENOCOMPATPROTO
    public static var terminated: ZMQError { ZMQError(code: ZMQ_HAUSNUMERO + 53) }  // ETERM
    public static var wrongState: ZMQError { ZMQError(code: ZMQ_HAUSNUMERO + 51) }  // EFSM
    public static var notSocket: ZMQError { ZMQError(code: ENOTSOCK) }
    public static var messageTooLarge: ZMQError { ZMQError(code: EMSGSIZE) }
    public static var permissionDenied: ZMQError { ZMQError(code: EACCES) }
    public static var nameTooLong: ZMQError { ZMQError(code: ENAMETOOLONG) }
    /// What libzmq built without a capability (CURVE) says when asked for it.
    public static var notSupported: ZMQError { ZMQError(code: ENOTSUP) }
}

/// Turns libzmq's `-1` into a thrown `ZMQError`, retrying calls that were merely interrupted.
/// Only for calls that never block; blocking calls surface `.interrupted` so callers can check signals.
@inlinable
func retryingInterrupts(_ call: () -> Int32) throws(ZMQError) -> Int32 {
    while true {
        let rc = call()
        if rc >= 0 { return rc }
        let error = ZMQError.last
        if error != .interrupted { throw error }
    }
}
