// Shared helpers for the ZswiftCore tests: argv shortcuts, a seeded generator, and drivers that
// run the real encoders into a temp file and the real decoders over bytes (whole or in pieces).
import Glibc
import Testing
@testable import ZswiftCore

// MARK: - Command lines

func argv(_ words: [String]) -> [ArgumentValue] { words.map { ArgumentValue($0) } }

/// Parses `words` (argv without the program name).
func parse(_ words: String...) throws(UsageError) -> Request {
    try Parser.parse(argv(words))
}

/// Parses `words`, which must ask to run a command, and returns what was typed.
func rawArguments(_ words: [String]) throws -> RawArguments {
    guard case let .run(raw) = try Parser.parse(argv(words)) else {
        throw UsageError("test: \(words) did not parse to .run")
    }
    return raw
}

/// Parses and validates `words` into an Invocation.
func invocation(_ words: String...) throws -> Invocation {
    try Invocation(rawArguments(words))
}

/// The usage error that parsing or validating `words` throws, or nil when they are accepted.
func usageError(_ words: String...) -> UsageError? { usageError(words) }

func usageError(_ words: [String]) -> UsageError? {
    do {
        guard case let .run(raw) = try Parser.parse(argv(words)) else { return nil }
        _ = try Invocation(raw)
        return nil
    } catch {
        return error
    }
}

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// Collapses runs of whitespace into one space, so wrapped help text can be searched for phrases.
func flattened(_ text: String) -> String {
    text.split(whereSeparator: { $0 == " " || $0 == "\n" }).joined(separator: " ")
}

// MARK: - A seeded generator (SplitMix64) so every random test reproduces from its seed

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The seeds the property tests run with; `ZSWIFT_TEST_SEED=N` runs only seed N (to reproduce a failure).
let propertySeeds: [UInt64] = {
    if let env = getenv("ZSWIFT_TEST_SEED"), let seed = UInt64(String(cString: env)) { return [seed] }
    return [1, 0xC0FFEE, 20_240_601]
}()

typealias Frames = [[UInt8]]

/// Random multipart messages: 1 to 6 frames, with empty frames, NUL, \r, \n, 0xFF, UTF-8 text and
/// random bytes, sizes up to `maxFrame` (a few frames of exactly the largest size and around 255/256).
struct MessageGenerator {
    var rng: SplitMix64
    var maxFrame: Int
    /// Bytes a frame must not contain (line format: the delimiter and the separator).
    var forbidden: Set<UInt8> = []

    init(seed: UInt64, maxFrame: Int, forbidden: Set<UInt8> = []) {
        rng = SplitMix64(seed: seed)
        self.maxFrame = maxFrame
        self.forbidden = forbidden
    }

    mutating func message() -> Frames {
        (0..<Int.random(in: 1...6, using: &rng)).map { _ in frame() }
    }

    mutating func frame() -> [UInt8] {
        var out: [UInt8]
        switch Int.random(in: 0..<20, using: &rng) {
        case 0: out = []
        case 1: out = [0]
        case 2: out = [13]
        case 3: out = [10]
        case 4: out = [0xFF]
        case 5: out = bytes("line\r\n")
        case 6: out = bytes("héllo wörld — ✓ 𝄞 \"quoted\" \\ tab\there")
        case 7: out = [UInt8](repeating: 0xFF, count: Int.random(in: 1...300, using: &rng))
        case 8: out = randomBytes(count: [255, 256, 257, 32 * 1024 - 1, 32 * 1024, maxFrame].map { min($0, maxFrame) }
                                    .randomElement(using: &rng)!)
        case 9, 10: out = randomBytes(count: Int.random(in: 0...maxFrame, using: &rng))
        case 11, 12: out = randomText(count: Int.random(in: 0...min(maxFrame, 2000), using: &rng))
        default: out = randomBytes(count: Int.random(in: 0...min(maxFrame, 300), using: &rng))
        }
        if !forbidden.isEmpty { out = out.map { forbidden.contains($0) ? UInt8(ascii: "x") : $0 } }
        return out
    }

    /// Bytes biased towards the interesting ones.
    mutating func randomBytes(count: Int) -> [UInt8] {
        let special: [UInt8] = [0, 9, 10, 13, 32, 34, 39, 92, 0x7F, 0x80, 0xC0, 0xED, 0xF4, 0xFF, UInt8(ascii: "="), UInt8(ascii: ",")]
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBytes { raw in
            // eight random bytes per step, then about one byte in eight made special
            var i = 0
            while i < count {
                var word = rng.next()
                withUnsafeBytes(of: &word) { w in
                    for k in 0..<min(8, count - i) { raw[i + k] = w[k] }
                }
                let r = rng.next()
                raw[i + Int(r & 7) % max(1, min(8, count - i))] = special[Int((r >> 8) % UInt64(special.count))]
                i += 8
            }
        }
        return out
    }

    /// Well-formed UTF-8: every ASCII control character, quotes, backslashes, and scalars of every
    /// UTF-8 length (surrogates excluded, U+10FFFF included).
    mutating func randomText(count: Int) -> [UInt8] {
        let pieces = ["a", "Z", " ", "\t", "\n", "\r", "\0", "\"", "\\", "/", "é", "€", "𝄞", "\u{7F}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "{", "[", "]", "\\u0041", "\\x41"]
        var out: [UInt8] = []
        while out.count < count {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: out += bytes(pieces.randomElement(using: &rng)!)
            case 1: out.append(UInt8.random(in: 0...0x1F, using: &rng))
            case 2: out.append(UInt8.random(in: 0x20...0x7F, using: &rng))
            default:
                let ranges: [ClosedRange<UInt32>] = [0x80...0x7FF, 0x800...0xD7FF, 0xE000...0xFFFF, 0x10000...0x10FFFF]
                let scalar = Unicode.Scalar(UInt32.random(in: ranges.randomElement(using: &rng)!, using: &rng))!
                out += bytes(String(Character(scalar)))
            }
        }
        return out
    }
}

// MARK: - Encoding into a temp file

/// An OutputWriter over an unlinked temp file, read back after a flush.
final class CapturedOutput {
    let fd: Int32
    let writer: OutputWriter

    init() {
        var template = Array("/tmp/zswift-coretest.XXXXXX".utf8CString)
        fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        precondition(fd >= 0, "mkstemp failed")
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        writer = OutputWriter(fd: fd)
    }

    deinit { close(fd) }

    /// Flushes the writer and returns every byte written so far.
    func contents() throws -> [UInt8] {
        try writer.flush()
        let size = Int(lseek(fd, 0, SEEK_END))
        var out = [UInt8](repeating: 0, count: size)
        var offset = 0
        while offset < size {
            let n = out.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + offset, size - offset, off_t(offset)) }
            guard n > 0 else { break }
            offset += n
        }
        return Array(out[0..<offset])
    }
}

/// Writes `messages` frame by frame with `encoder` (as the receive loop does) and returns the bytes.
func encode<E: MessageEncoder>(_ messages: [Frames], with encoder: inout E) throws -> [UInt8] {
    let captured = CapturedOutput()
    for message in messages {
        for (index, frame) in message.enumerated() {
            try frame.withUnsafeBytes { try encoder.frame($0, index: index, more: index < message.count - 1, to: captured.writer) }
        }
    }
    return try captured.contents()
}

/// Encodes `messages` with the encoder the one output switch (Framing.withEncoder) picks.
func encode(_ messages: [Frames], framing: Framing) throws -> [UInt8] {
    final class User: EncoderUser {
        let messages: [Frames]
        var result: [UInt8] = []
        var failure: (any Error)?
        init(_ messages: [Frames]) { self.messages = messages }
        func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit) {
            do { result = try ZswiftCoreTests.encode(messages, with: &encoder) } catch { failure = error }
        }
    }
    let user = User(messages)
    try framing.withEncoder(diagnostics: Diagnostics(fd: 2), user)
    if let failure = user.failure { throw failure }
    return user.result
}

func framing(_ format: Format, delimiter: UInt8 = 10, separator: String? = nil) -> Framing {
    Framing(format: format, delimiter: delimiter, separator: separator.map(bytes))
}

// MARK: - Decoding whole or in pieces

/// The messages decoded before decoding ended, and the error that ended it, if any.
struct Decoded {
    var messages: [Frames] = []
    var error: FramingError?
}

/// Decodes `input`, offering the decoder a growing prefix: `pieces` yields how many more bytes
/// arrive each time (nil: all at once), with atEnd false until everything has arrived.
func decode<D: MessageDecoder>(_ input: [UInt8], with decoder: inout D, pieces: (() -> Int)? = nil) -> Decoded {
    var result = Decoded()
    var consumed = 0
    var arrived = pieces == nil ? input.count : 0
    var frames: [UnsafeRawBufferPointer] = []
    var idleCalls = 0
    func drain(atEnd: Bool) throws(FramingError) {
        while true {
            let taken: Int? = try input.withBytes { (all) throws(FramingError) -> Int? in
                let window = UnsafeRawBufferPointer(rebasing: all[consumed..<arrived])
                guard let taken = try decoder.decode(window, atEnd: atEnd, frames: &frames) else { return nil }
                if !frames.isEmpty { result.messages.append(frames.map { Array($0) }) }
                return taken
            }
            guard let taken else { return }
            consumed += taken
            // a decoder that keeps taking nothing would loop for ever: bound it
            idleCalls = taken == 0 ? idleCalls + 1 : 0
            if idleCalls > 2 { throw FramingError("test: the decoder keeps returning 0 bytes taken") }
        }
    }
    do {
        if let pieces {
            while arrived < input.count {
                arrived = min(input.count, arrived + max(1, pieces()))
                try drain(atEnd: false)
            }
        }
        try drain(atEnd: true)
    } catch {
        result.error = error
    }
    return result
}

/// Decodes with the decoder the one input switch (Framing.withDecoder) picks.
func decode(_ input: [UInt8], framing: Framing, sizeLimit: Int64? = nil, pieces: (() -> Int)? = nil) throws -> Decoded {
    final class User: DecoderUser {
        let input: [UInt8]
        let pieces: (() -> Int)?
        var result = Decoded()
        init(_ input: [UInt8], _ pieces: (() -> Int)?) { self.input = input; self.pieces = pieces }
        func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
            result = ZswiftCoreTests.decode(input, with: &decoder, pieces: pieces)
        }
    }
    let user = User(input, pieces)
    try framing.withDecoder(sizeLimit: sizeLimit, user)
    return user.result
}

/// Where two message lists first differ, for a readable failure message.
func firstDifference(_ got: [Frames], _ want: [Frames]) -> String {
    for i in 0..<max(got.count, want.count) {
        guard i < got.count else { return "message \(i): missing (got \(got.count) of \(want.count) messages)" }
        guard i < want.count else { return "message \(i): extra (got \(got.count), want \(want.count))" }
        if got[i] != want[i] {
            let g = got[i], w = want[i]
            if g.count != w.count { return "message \(i): \(g.count) frames, want \(w.count) (sizes \(g.map(\.count)) vs \(w.map(\.count)))" }
            for f in 0..<g.count where g[f] != w[f] {
                let at = zip(g[f], w[f]).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(g[f].count, w[f].count)
                return "message \(i) frame \(f): \(g[f].count) bytes, want \(w[f].count); first difference at byte \(at)"
            }
        }
    }
    return "no difference"
}
