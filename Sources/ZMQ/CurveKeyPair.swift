// CURVE key pairs as the curve_* socket options take them: 40 characters of Z85 text each.
// libzmq makes them (with libsodium); a build without CURVE says so with `.notSupported`.
import CZMQ

/// A CURVE public and secret key, each 40 characters of Z85 text (32 bytes).
public struct CurveKeyPair: Equatable, Hashable, Sendable {
    public let publicKey: String
    public let secretKey: String

    /// A new random key pair. The corresponding C function is `zmq_curve_keypair`.
    public static func generate() throws(ZMQError) -> CurveKeyPair {
        var publicKey = [CChar](repeating: 0, count: 41)
        var secretKey = [CChar](repeating: 0, count: 41)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else { throw ZMQError.last }
        return CurveKeyPair(publicKey: text(publicKey), secretKey: text(secretKey))
    }

    /// The pair of `secretKey` (Z85 text): its public key is derived from it. Throws
    /// `.invalidArgument` when `secretKey` is not 40 characters of Z85.
    /// The corresponding C function is `zmq_curve_public`.
    public init(secretKey: String) throws(ZMQError) {
        let secret = Array(secretKey.utf8)
        guard secret.count == 40, Z85.decode(secret) != nil else { throw ZMQError.invalidArgument }
        var publicKey = [CChar](repeating: 0, count: 41)
        let secretText = secret.map { CChar(bitPattern: $0) } + [0]
        guard zmq_curve_public(&publicKey, secretText) == 0 else { throw ZMQError.last }
        self.init(publicKey: CurveKeyPair.text(publicKey), secretKey: secretKey)
    }

    private init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    private static func text(_ key: [CChar]) -> String {
        String(decoding: key.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
