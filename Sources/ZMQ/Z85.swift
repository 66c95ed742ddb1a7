// Z85, ZeroMQ's text form of binary keys (RFC 32/Z85): four bytes become five printable
// characters. libzmq's own encoder and decoder do the work, so the results are libzmq's.
import CZMQ

/// The Z85 encoding (https://rfc.zeromq.org/spec/32/).
public enum Z85 {
    /// The Z85 text of `bytes`, whose count must be a multiple of 4 (a programmer error otherwise:
    /// Z85 has no padding). The corresponding C function is `zmq_z85_encode`.
    public static func encode(_ bytes: [UInt8]) -> String {
        precondition(bytes.count % 4 == 0, "Z85 encodes a multiple of 4 bytes, not \(bytes.count)")
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        let encoded = bytes.withUnsafeBufferPointer { zmq_z85_encode(&text, $0.baseAddress, bytes.count) }
        precondition(encoded != nil, "zmq_z85_encode refused \(bytes.count) bytes")
        return String(decoding: text.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The bytes `text` stands for, or nil when it is not Z85: a length that is not a multiple of
    /// 5 (or none: libzmq decodes at least one group), a character outside the alphabet, or a
    /// group of five above 0xFFFFFFFF.
    /// The corresponding C function is `zmq_z85_decode`.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }

    /// The bytes the Z85 text `text` (given as its bytes) stands for, or nil when it is not Z85.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        guard text.count % 5 == 0, !text.contains(0) else { return nil }
        var bytes = [UInt8](repeating: 0, count: text.count / 5 * 4)
        let string = text.map { CChar(bitPattern: $0) } + [0]
        guard zmq_z85_decode(&bytes, string) != nil else { return nil }
        return bytes
    }
}
