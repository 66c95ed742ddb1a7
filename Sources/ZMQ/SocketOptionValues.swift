// What libzmq takes as a socket option's value, as data in the option table, so that a caller can
// refuse a value before any socket exists instead of learning it from EINVAL. It describes what
// libzmq 4.3.4 does (OptionTests hold every row to the library); saying so to a user is the caller's.

/// The values libzmq 4.3.4's `zmq_setsockopt` takes for an option, so that a caller can refuse
/// one before any socket exists (OptionTests hold every row of the table to the library).
/// Boolean options take 0 or 1.
public enum SocketOptionValues: Equatable, Sendable {
    /// Any value of the option's kind.
    case any
    /// Whole numbers in this range.
    case integers(ClosedRange<Int64>)
    /// Byte strings of these lengths (an empty one is passed as NULL, which clears a text option).
    case lengths(ClosedRange<Int>)
    /// 1 to 255 bytes, not starting with a zero byte: libzmq takes such a routing id but reserves
    /// it for the ids it makes itself (zmq_setsockopt(3), ZMQ_ROUTING_ID).
    case routingID
    /// A CURVE key: 32 bytes, or 40 characters of Z85 text that `zmq_z85_decode` decodes.
    case curveKey

    /// From `minimum` up to the largest `int`.
    static func atLeast(_ minimum: Int64) -> Self { .integers(minimum...Int64(Int32.max)) }

    /// Whether `zmq_setsockopt` takes `value` for an option of `kind`, given as the bytes it is passed.
    public func accept(_ value: [UInt8], kind: SocketOptionKind) -> Bool {
        switch (self, kind) {
        case let (.integers(range), .int32):
            value.count == 4 && range.contains(Int64(value.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        case let (.integers(range), .int64):
            value.count == 8 && range.contains(value.withUnsafeBytes { $0.loadUnaligned(as: Int64.self) })
        case let (.lengths(range), _):
            range.contains(value.count)
        case (.routingID, _):
            (1...255).contains(value.count) && value.first != 0
        case (.curveKey, _):
            value.count == 32 || SocketOptionValues.isZ85Key(value)
        default:
            true
        }
    }

    /// Whether `text` is 40 characters of Z85 that decode to a 32-byte key (the alphabet, and no
    /// group of five above 0xFFFFFFFF). The corresponding C function is `zmq_z85_decode`.
    static func isZ85Key(_ text: [UInt8]) -> Bool {
        text.count == 40 && Z85.decode(text) != nil
    }
}
