// The one switch over output formats and the one over input formats: code that moves messages
// is written once, generic over the encoder or decoder, and specialised per format here.

/// Code that runs with a concrete encoder type, so its loop is specialised per format.
protocol EncoderUser {
    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit)
}

/// Code that runs with a concrete decoder type.
protocol DecoderUser {
    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit)
}

private struct EncoderCapture: EncoderUser {
    let store: (any MessageEncoder) -> Void
    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit) { store(encoder) }
}

extension Framing {
    /// The encoder for this framing as an existential, for loops that are not the throughput path.
    /// `diagnostics` is where line format says a message is ambiguous (nil: not stdout, say nothing).
    func makeEncoder(diagnostics: Diagnostics?) -> any MessageEncoder {
        var chosen: (any MessageEncoder)?
        try? withEncoder(diagnostics: diagnostics, EncoderCapture { chosen = $0 })
        return chosen!
    }

    /// Calls `user` with the encoder for this framing: the one switch over output formats.
    func withEncoder(diagnostics: Diagnostics?, _ user: some EncoderUser) throws(Exit) {
        switch format {
        case .line:
            var e = LineEncoder(delimiter: delimiter, separator: separator, diagnostics: diagnostics)
            try user.use(&e)
        case .raw:
            var e = RawEncoder()
            try user.use(&e)
        case .quoted, .hex, .base64:
            var e = TextEncoder(format: format)
            try user.use(&e)
        case .json:
            var e = JSONEncoder()
            try user.use(&e)
        case .zmtp:
            var e = ZMTPEncoder()
            try user.use(&e)
        }
    }

    /// Calls `user` with the decoder for this framing: the one switch over input formats.
    func withDecoder(sizeLimit: Int64?, _ user: some DecoderUser) throws(Exit) {
        switch format {
        case .line:
            var d = LineDecoder(delimiter: delimiter, separator: separator)
            try user.use(&d)
        case .raw:
            var d = RawDecoder()
            try user.use(&d)
        case .quoted, .hex, .base64, .json:
            var d = TextDecoder(format: format)
            try user.use(&d)
        case .zmtp:
            var d = ZMTPDecoder()
            if let sizeLimit { d.sizeLimit = UInt64(sizeLimit) }
            try user.use(&d)
        }
    }
}
