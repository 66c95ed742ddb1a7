// A CURVE key as a value: 32 bytes and the 40 characters of Z85 that stand for them, and why a
// text is not one, in words that never repeat the text (it may be a secret). Pure: where a key
// comes from (the command line, a certificate, the environment) is KeyArgument's business.
import ZMQ

/// A CURVE public or secret key.
struct CurveKey: Hashable, Sendable, CustomStringConvertible {
    enum Kind: Sendable {
        case `public`, secret

        /// "public key" or "secret key".
        var noun: String { self == .public ? "public key" : "secret key" }
    }

    let kind: Kind
    /// The 32 bytes of the key.
    let bytes: [UInt8]
    /// Its 40 characters of Z85.
    let text: String

    /// The characters of a key's Z85 text.
    static let textLength = 40

    /// The key whose Z85 text is `text`, or nil when `text` is not 40 characters of Z85.
    init?(z85 text: String, kind: Kind) {
        guard text.utf8.count == CurveKey.textLength, let bytes = Z85.decode(text) else { return nil }
        self.kind = kind
        self.bytes = bytes
        self.text = text
    }

    /// A public key's text; a secret key's is never shown, so that a secret interpolated into a
    /// message by mistake does not reach any output.
    var description: String { kind == .public ? text : "(a secret key)" }

    /// Why `text` is not a key's Z85 text ("is 39 characters; ..."), or nil when it is one. The
    /// reason names lengths and positions, never characters of `text`.
    static func problem(with text: String) -> String? {
        let bytes = Array(text.utf8)
        if bytes.count != textLength {
            let edge = bytes.first.map(isWhitespace) == true || bytes.last.map(isWhitespace) == true
            return "is \(bytes.count) characters" + (edge ? " (with white space at an end)" : "")
                + "; a CURVE key is \(textLength) characters of Z85"
        }
        if let bad = bytes.firstIndex(where: { !z85Alphabet.contains($0) }) {
            return "has a character that is not Z85 at position \(bad + 1)"
        }
        if Z85.decode(bytes) == nil {
            return "is not valid Z85 (a group of five characters stands for more than 32 bits)"
        }
        return nil
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }

    /// Z85's 85 characters (RFC 32).
    static let z85Alphabet = Set(Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8))
}

/// A secret key and its public key, as a CURVE socket of its own needs them.
struct CurveKeys: Hashable, Sendable {
    let publicKey: CurveKey
    let secretKey: CurveKey

    /// The pair of `secretKey`: its public key derived from it. Throws `.notSupported` when
    /// libzmq was built without CURVE. The corresponding C function is `zmq_curve_public`.
    init(secretKey: CurveKey) throws(ZMQError) {
        precondition(secretKey.kind == .secret, "CurveKeys(secretKey:) takes a secret key")
        let pair = try CurveKeyPair(secretKey: secretKey.text)
        guard let derived = CurveKey(z85: pair.publicKey, kind: .public) else {
            preconditionFailure("zmq_curve_public made a key that is not 40 characters of Z85")
        }
        self.init(publicKey: derived, secretKey: secretKey)
    }

    init(publicKey: CurveKey, secretKey: CurveKey) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }

    /// A new random pair (zmq_curve_keypair).
    static func generate() throws(ZMQError) -> CurveKeys {
        let pair = try CurveKeyPair.generate()
        guard let publicKey = CurveKey(z85: pair.publicKey, kind: .public),
              let secretKey = CurveKey(z85: pair.secretKey, kind: .secret) else {
            preconditionFailure("zmq_curve_keypair made a key that is not 40 characters of Z85")
        }
        return CurveKeys(publicKey: publicKey, secretKey: secretKey)
    }
}
