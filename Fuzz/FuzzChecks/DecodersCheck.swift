// Every input decoder under fuzzing, through the one input switch (Framing.withDecoder): arbitrary
// bytes fed whole, whole with end of input at once, and in random pieces must give the same
// messages and the same error; what each format promises is checked; lossless formats round-trip.
#if DEBUG
@testable import ZswiftCore

enum DecodersCheck {
    typealias Message = [[UInt8]]

    static func check(_ data: [UInt8]) throws(InvariantFailure) {
        var fuzz = FuzzBytes(data)
        let mode = fuzz.byte()
        let (framing, sizeLimit) = pickFraming(&fuzz)
        let pieces = fuzz.take(4).map { Int($0 % 64) + 1 }
        if mode & 1 == 0 {
            let input = fuzz.rest()
            try checkDecoding(input, framing, sizeLimit: sizeLimit, pieces: pieces)
            try checkFrameText(input, framing.format)
        } else {
            try checkRoundTrip(messages(&fuzz, avoiding: framing), framing, pieces: pieces)
        }
    }

    /// A format and its variants: line with -0 and with a separator of 1 to 3 bytes (never holding
    /// the delimiter), zmtp with a size limit.
    static func pickFraming(_ fuzz: inout FuzzBytes) -> (Framing, Int64?) {
        let format = Format.allCases[fuzz.below(Format.allCases.count)]
        let variant = fuzz.byte()
        let delimiter: UInt8 = variant & 1 == 0 ? 10 : 0
        var separator: [UInt8]?
        var sizeLimit: Int64?
        if format == .line, variant & 6 != 0 {
            separator = fuzz.take(Int(variant >> 1 & 3)).map { $0 == delimiter ? 9 : $0 }
            if separator!.isEmpty { separator = [9] }
        }
        if format == .zmtp, variant & 2 != 0 {
            sizeLimit = [0, 1, 255, 256, 1 << 40, Int64.max][Int(variant >> 2) % 6]
        }
        return (Framing(format: format, delimiter: delimiter, separator: separator), sizeLimit)
    }

    // MARK: - Decoding arbitrary input

    static func checkDecoding(_ input: [UInt8], _ framing: Framing, sizeLimit: Int64?, pieces: [Int]) throws(InvariantFailure) {
        let label = "\(framing.format) (delimiter \(framing.delimiter), separator \(framing.separator ?? []), limit \(sizeLimit.map(String.init) ?? "none"))"
        let whole = try decode(input, framing, sizeLimit: sizeLimit, feeding: .whole)
        let ended = try decode(input, framing, sizeLimit: sizeLimit, feeding: .wholeAtEnd)
        let inPieces = try decode(input, framing, sizeLimit: sizeLimit, feeding: .pieces(pieces))
        for (name, other) in [("at once with end of input", ended), ("in pieces \(pieces)", inPieces)] {
            try require(other.messages == whole.messages, "\(label): \(name) gives \(other.messages.count) messages, whole \(whole.messages.count)")
            try require(other.error == whole.error, "\(label): \(name) ends with \(other.error?.reason ?? "no error"), whole with \(whole.error?.reason ?? "no error")")
        }
        if whole.error == nil {
            try require(whole.consumed == input.count, "\(label): decoding ended without error after \(whole.consumed) of \(input.count) bytes")
        }
        switch framing.format {
        case .line:
            let records = lines(input.prefix(whole.consumed), framing.delimiter)
            try require(whole.messages.count == records.count, "\(label): \(whole.messages.count) messages from \(records.count) records")
            for (message, record) in zip(whole.messages, records) {
                let separator = framing.separator ?? []
                try require(joined(message, separator) == record, "\(label): frames do not join back into their record")
                if !separator.isEmpty {
                    try require(!message.contains { contains($0, separator) }, "\(label): a frame holds the separator")
                }
            }
        case .raw:
            try require(whole.messages == [[input]], "\(label): raw is not one message of all the input")
        default:
            // lossless: what was decoded is written and read back exactly
            try checkRoundTrip(whole.messages, framing, pieces: pieces)
        }
    }

    /// The --data decoding of one frame: line, raw and zmtp take it as it is; the others decode,
    /// and what they decode is encoded and decoded again exactly.
    static func checkFrameText(_ input: [UInt8], _ format: Format) throws(InvariantFailure) {
        let frame: [UInt8]
        do { frame = try FrameText.decode(input, format: format) } catch { return }
        switch format {
        case .line, .raw, .zmtp:
            try require(frame == input, "--data in \(format) changed the bytes")
        default:
            try require(frame.count <= input.count, "--data in \(format): \(frame.count) bytes from \(input.count) characters")
            let text = singleFrameText(frame, format)
            let again: [UInt8]
            do { again = try FrameText.decode(text, format: format) } catch {
                throw InvariantFailure(description: "--data in \(format): its own encoding of a frame is refused: \(error.reason)")
            }
            try require(again == frame, "--data in \(format): a frame does not survive encoding and decoding")
        }
    }

    /// One frame as a --data value in `format` (the text encoders' encoding of one frame).
    static func singleFrameText(_ frame: [UInt8], _ format: Format) -> [UInt8] {
        let out = ByteBuffer(capacity: frame.count * 6 + 16)
        frame.withUnsafeBytes { bytes in
            switch format {
            case .hex: Hex.encode(bytes, into: out)
            case .base64: Base64.encode(bytes, into: out)
            case .quoted: Quoted.encode(bytes, into: out)
            default: JSONText.encodeFrame(bytes, into: out)
            }
        }
        return Array(out.bytes(0, out.count))
    }

    // MARK: - Round trips

    /// `messages` written by the format's encoder are read back exactly, however they arrive.
    static func checkRoundTrip(_ messages: [Message], _ framing: Framing, pieces: [Int]) throws(InvariantFailure) {
        let stream = encode(messages, framing)
        let expected = framing.format == .raw ? [[messages.flatMap { $0.flatMap { $0 } }]] : messages
        for feeding in [Feeding.whole, .pieces(pieces)] {
            let decoded = try decode(stream, framing, sizeLimit: nil, feeding: feeding)
            try require(decoded.error == nil, "\(framing.format): its own output is refused (\(feeding)): \(decoded.error?.reason ?? "")")
            try require(decoded.messages == expected, "\(framing.format): \(messages.count) messages written, \(decoded.messages.count) read back differently (\(feeding))")
        }
    }

    /// Messages made from the fuzz bytes: frames of 0 to 300 bytes; for line format none holds the
    /// delimiter or the separator (what line format cannot show), and a message has one frame when
    /// there is no separator; raw gets one message.
    static func messages(_ fuzz: inout FuzzBytes, avoiding framing: Framing) -> [Message] {
        var messages: [Message] = []
        let count = framing.format == .raw ? 1 : fuzz.below(8)
        for _ in 0..<count where !fuzz.isEmpty {
            var message: Message = []
            // line format without -S joins frames with a TAB on output but splits nothing on input
            let frames = framing.format == .line && framing.separator == nil ? 1 : 1 + fuzz.below(4)
            for _ in 0..<frames {
                let size = fuzz.byte()
                var frame = size >= 250 ? [UInt8](repeating: size, count: 250 + Int(size - 250) * 2) : fuzz.take(Int(size) % 64)
                if framing.format == .line {
                    frame = frame.map { $0 == framing.delimiter ? 0x20 : $0 }
                    if let separator = framing.separator, let first = separator.first {
                        frame = frame.map { $0 == first ? (first == 0x21 ? 0x22 : 0x21) : $0 }
                    }
                }
                message.append(frame)
            }
            messages.append(message)
        }
        return messages
    }

    /// The bytes the format's encoder writes for `messages`.
    static func encode(_ messages: [Message], _ framing: Framing) -> [UInt8] {
        let writer = OutputWriter.memory()
        var encoder = framing.makeEncoder(diagnostics: nil)
        for message in messages {
            for (index, frame) in message.enumerated() {
                frame.withUnsafeBytes { try? encoder.frame($0, index: index, more: index < message.count - 1, to: writer) }
            }
        }
        return Array(writer.buffer.bytes(0, writer.buffer.count))
    }

    // MARK: - The decoding loop

    enum Feeding: CustomStringConvertible {
        /// All the input at once, then end of input (as stdin is read: data first, EOF next).
        case whole
        /// All the input with end of input at once.
        case wholeAtEnd
        /// The input arriving in pieces of these sizes, in turn, then end of input.
        case pieces([Int])

        var description: String {
            switch self {
            case .whole: "whole"
            case .wholeAtEnd: "whole at end"
            case let .pieces(sizes): "in pieces \(sizes)"
            }
        }
    }

    struct Decoded {
        var messages: [Message] = []
        var error: FramingError?
        var consumed = 0
    }

    static func decode(_ input: [UInt8], _ framing: Framing, sizeLimit: Int64?, feeding: Feeding) throws(InvariantFailure) -> Decoded {
        let user = Driver(input: input, feeding: feeding)
        do { try framing.withDecoder(sizeLimit: sizeLimit, user) } catch {
            throw InvariantFailure(description: "\(framing.format): withDecoder failed: \(error)")
        }
        if let failure = user.failure { throw failure }
        return user.result
    }

    /// Runs a decoder as MessageSource does: decode what has arrived until it asks for more, then
    /// let more arrive; checks each call's answer on the way.
    final class Driver: DecoderUser {
        let input: [UInt8]
        let feeding: Feeding
        var result = Decoded()
        var failure: InvariantFailure?

        init(input: [UInt8], feeding: Feeding) {
            self.input = input
            self.feeding = feeding
        }

        func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
            do { try run(&decoder) } catch { failure = error }
        }

        private func run<D: MessageDecoder>(_ decoder: inout D) throws(InvariantFailure) {
            var arrived = 0
            var turn = 0
            switch feeding {
            case .whole:
                arrived = input.count
                guard try drain(&decoder, arrived: arrived, atEnd: false) else { return }
            case .wholeAtEnd:
                arrived = input.count
            case let .pieces(sizes):
                while arrived < input.count {
                    arrived = min(input.count, arrived + sizes[turn % sizes.count])
                    turn += 1
                    guard try drain(&decoder, arrived: arrived, atEnd: false) else { return }
                }
            }
            _ = try drain(&decoder, arrived: arrived, atEnd: true)
        }

        /// Decodes records until the decoder wants more; false when it threw (decoding is over).
        private func drain<D: MessageDecoder>(_ decoder: inout D, arrived: Int, atEnd: Bool) throws(InvariantFailure) -> Bool {
            var frames: [UnsafeRawBufferPointer] = []
            var idle = 0
            while true {
                let outcome: Result<Int?, FramingError> = input.withUnsafeBytes { all in
                    let window = UnsafeRawBufferPointer(rebasing: all[result.consumed..<arrived])
                    let taken: Int?
                    do throws(FramingError) { taken = try decoder.decode(window, atEnd: atEnd, frames: &frames) } catch { return .failure(error) }
                    if let taken {
                        // checked here, while the frames still point at valid memory
                        if taken > window.count || taken < 0 { return .success(-1) }
                        let bytes = frames.reduce(0) { $0 + $1.count }
                        if bytes > taken { return .success(-2) }
                        if !frames.isEmpty { result.messages.append(frames.map { Array($0) }) }
                    }
                    return .success(taken)
                }
                switch outcome {
                case let .failure(error):
                    result.error = error
                    return false
                case .success(nil):
                    return true
                case let .success(taken?):
                    try require(taken != -1, "a decoder took more bytes than it was given")
                    try require(taken != -2, "a decoder's frames hold more bytes than the record it took")
                    result.consumed += taken
                    idle = taken == 0 ? idle + 1 : 0
                    try require(idle < 2, "a decoder keeps taking 0 bytes (it would loop for ever)")
                }
            }
        }
    }

    // MARK: - Line format's oracle

    /// The records of line format: split at the delimiter; the last one may lack it.
    static func lines(_ input: ArraySlice<UInt8>, _ delimiter: UInt8) -> [[UInt8]] {
        var records = input.split(separator: delimiter, omittingEmptySubsequences: false).map { Array($0) }
        if records.last?.isEmpty == true { records.removeLast() }
        return records
    }

    static func joined(_ frames: Message, _ separator: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, frame) in frames.enumerated() {
            if i > 0 { out += separator }
            out += frame
        }
        return out
    }

    static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
#endif
