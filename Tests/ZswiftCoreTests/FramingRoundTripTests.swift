// The property test: random multipart messages written by each lossless encoder and read back by
// the matching decoder, whole, in random pieces and one byte at a time, come back byte for byte.
// Also line format (with -S, and -0) for frames that avoid the delimiter and separator.
import Testing
@testable import ZswiftCore

let losslessFormats: [Format] = Format.allCases.filter(\.isLossless)

/// Checks that `messages` survive `framing` whole, in random pieces (1 to 4096 bytes) and, when
/// `byteAtATime`, one byte at a time. Failures name the seed.
func checkRoundTrip(_ messages: [Frames], framing: Framing, seed: UInt64, byteAtATime: Bool,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    let stream = try encode(messages, framing: framing)
    let label = "format \(framing.format) seed \(seed) (rerun with ZSWIFT_TEST_SEED=\(seed)); \(messages.count) messages, \(stream.count) bytes"

    let whole = try decode(stream, framing: framing)
    #expect(whole.error == nil, "whole: \(whole.error?.reason ?? "") — \(label)", sourceLocation: sourceLocation)
    let wholeSame = whole.messages == messages
    #expect(wholeSame, "whole: \(firstDifference(whole.messages, messages)) — \(label)", sourceLocation: sourceLocation)

    var rng = SplitMix64(seed: seed ^ 0xA5A5)
    let pieces = try decode(stream, framing: framing, pieces: { Int.random(in: 1...4096, using: &rng) })
    #expect(pieces.error == nil, "pieces: \(pieces.error?.reason ?? "") — \(label)", sourceLocation: sourceLocation)
    let piecesSame = pieces.messages == messages
    #expect(piecesSame, "pieces: \(firstDifference(pieces.messages, messages)) — \(label)", sourceLocation: sourceLocation)

    if byteAtATime {
        let bytewise = try decode(stream, framing: framing, pieces: { 1 })
        #expect(bytewise.error == nil, "byte at a time: \(bytewise.error?.reason ?? "") — \(label)", sourceLocation: sourceLocation)
        let bytewiseSame = bytewise.messages == messages
        #expect(bytewiseSame, "byte at a time: \(firstDifference(bytewise.messages, messages)) — \(label)", sourceLocation: sourceLocation)
    }
}

// MARK: - Lossless formats

@Test(arguments: losslessFormats, propertySeeds)
func randomMultipartMessagesUpTo100KiBSurviveEveryLosslessFormat(_ format: Format, _ seed: UInt64) throws {
    var generator = MessageGenerator(seed: seed, maxFrame: 100 * 1024)
    let messages = (0..<25).map { _ in generator.message() }
    try checkRoundTrip(messages, framing: framing(format), seed: seed, byteAtATime: false)
}

@Test(arguments: losslessFormats, propertySeeds)
func smallRandomMessagesSurviveEveryLosslessFormatFedOneByteAtATime(_ format: Format, _ seed: UInt64) throws {
    var generator = MessageGenerator(seed: seed &+ 1, maxFrame: 600)
    let messages = (0..<60).map { _ in generator.message() }
    try checkRoundTrip(messages, framing: framing(format), seed: seed &+ 1, byteAtATime: true)
}

@Test(arguments: losslessFormats)
func awkwardMessagesSurviveEveryLosslessFormat(_ format: Format) throws {
    let messages: [Frames] = [
        [[]],
        [[], [], []],
        [[0]],
        [[10]],
        [[13]],
        [[13, 10]],
        [[0xFF]],
        [bytes(" "), bytes("  ")],
        [bytes("\"quoted\""), bytes("back\\slash"), bytes("{\"base64\":\"Zg==\"}")],
        [bytes("é€𝄞"), [0xC3], [0xED, 0xA0, 0x80]],
        [[UInt8](repeating: 0xAB, count: 255), [UInt8](repeating: 0xCD, count: 256)],
        [Array(0...255)],
    ]
    try checkRoundTrip(messages, framing: framing(format), seed: 0, byteAtATime: true)
}

@Test(arguments: losslessFormats)
func framesAroundTheOutputWritersThresholdsSurviveEveryLosslessFormat(_ format: Format) throws {
    // frames of OutputWriter.directThreshold bytes and more skip its buffer; the order must hold
    let messages: [Frames] = [
        [bytes("before")],
        [[UInt8](repeating: 0, count: OutputWriter.directThreshold), [UInt8](repeating: 1, count: OutputWriter.directThreshold - 1), [10]],
        [[UInt8](repeating: 7, count: OutputWriter.flushThreshold + 1)],
        [bytes("after")],
    ]
    try checkRoundTrip(messages, framing: framing(format), seed: 0, byteAtATime: false)
}

@Test func zmtpUsesTheShortFormUpTo255BytesAndTheLongFormAbove() throws {
    let stream = try encode([[bytes("ab"), []], [[UInt8](repeating: 1, count: 256)]], framing: framing(.zmtp))
    #expect(Array(stream.prefix(6)) == [0x01, 2, 0x61, 0x62, 0x00, 0])
    #expect(Array(stream[6..<15]) == [0x02, 0, 0, 0, 0, 0, 0, 1, 0])
    #expect(stream.count == 15 + 256)
}

@Test func textFormatsWriteOneLinePerMessageWithFramesSeparatedByASpace() throws {
    let messages: [Frames] = [[bytes("hi"), [0, 0xFF]], [[]]]
    #expect(String(decoding: try encode(messages, framing: framing(.hex)), as: UTF8.self) == "6869 00ff\n\n")
    #expect(String(decoding: try encode(messages, framing: framing(.base64)), as: UTF8.self) == "aGk= AP8=\n\n")
    #expect(String(decoding: try encode(messages, framing: framing(.quoted)), as: UTF8.self) == "\"hi\" \"\\x00\\xff\"\n\"\"\n")
    #expect(String(decoding: try encode(messages, framing: framing(.json)), as: UTF8.self) == "[\"hi\",{\"base64\":\"AP8=\"}]\n[\"\"]\n")
}

@Test func textDecodersAcceptCRLFLinesAndAFinalLineWithoutNewline() throws {
    let hex = try decode(bytes("6869 00ff\r\n0a"), framing: framing(.hex))
    #expect(hex.error == nil)
    #expect(hex.messages == [[bytes("hi"), [0, 0xFF]], [[10]]])
    let json = try decode(bytes("[\"a\"]\r\n\n   \n\"b\""), framing: framing(.json))
    #expect(json.messages == [[bytes("a")], [bytes("b")]], "blank json lines hold no message")
    let quoted = try decode(bytes("\"a\"\t\"b\"\"c\"\n"), framing: framing(.quoted))
    #expect(quoted.messages == [[bytes("a"), bytes("b"), bytes("c")]])
}

@Test func anEmptyStreamDecodesToNoMessages() throws {
    for format in losslessFormats + [.line] {
        let result = try decode([], framing: framing(format))
        #expect(result.messages.isEmpty && result.error == nil, "\(format)")
    }
}

// MARK: - line and -0

@Test(arguments: propertySeeds, ["\t", "|", "<sep>"])
func lineFormatRoundTripsFramesWithoutNewlineOrSeparatorBytes(_ seed: UInt64, _ separator: String) throws {
    var generator = MessageGenerator(seed: seed, maxFrame: 8 * 1024, forbidden: Set([10, 9] + bytes(separator)))
    let messages = (0..<80).map { _ in generator.message() }
    try checkRoundTrip(messages, framing: framing(.line, separator: separator), seed: seed, byteAtATime: true)
}

@Test(arguments: propertySeeds)
func nulDelimitedLinesRoundTripFramesContainingNewlines(_ seed: UInt64) throws {
    var generator = MessageGenerator(seed: seed, maxFrame: 8 * 1024, forbidden: [0, 9])
    let messages = (0..<80).map { _ in generator.message() }
    #expect(messages.contains { $0.contains { $0.contains(10) } }, "the sample should hold newlines")
    try checkRoundTrip(messages, framing: framing(.line, delimiter: 0, separator: "\t"), seed: seed, byteAtATime: true)
}

@Test(arguments: propertySeeds)
func singleFrameLinesRoundTripWithoutASeparator(_ seed: UInt64) throws {
    var generator = MessageGenerator(seed: seed, maxFrame: 4 * 1024, forbidden: [10])
    let messages = (0..<80).map { _ in [generator.frame()] }
    try checkRoundTrip(messages, framing: framing(.line), seed: seed, byteAtATime: true)
    var nul = MessageGenerator(seed: seed, maxFrame: 4 * 1024, forbidden: [0])
    let nulMessages = (0..<80).map { _ in [nul.frame()] }
    try checkRoundTrip(nulMessages, framing: framing(.line, delimiter: 0), seed: seed, byteAtATime: true)
}

@Test func lineOutputJoinsFramesWithATabByDefaultAndKeepsATrailingCR() throws {
    let out = try encode([[bytes("a"), bytes("b\r")], [[]]], framing: framing(.line))
    #expect(out == bytes("a\tb\r\n\n"))
    let decoded = try decode(out, framing: framing(.line))
    #expect(decoded.messages == [[bytes("a\tb\r")], [[]]], "without -S a line is one frame")
}

@Test func aMultiByteSeparatorSplitsOnlyAtWholeMatches() throws {
    let decoded = try decode(bytes("a::b:c:::d\n::\n"), framing: framing(.line, separator: "::"))
    #expect(decoded.messages == [[bytes("a"), bytes("b:c"), bytes(":d")], [[], []]])
}

@Test func rawFormatIsAllOfTheInputAsOneMessage() throws {
    let input: [UInt8] = [0, 10, 13, 0xFF] + bytes("rest\n")
    #expect(try decode(input, framing: framing(.raw)).messages == [[input]])
    #expect(try decode(input, framing: framing(.raw), pieces: { 1 }).messages == [[input]])
    #expect(try decode([], framing: framing(.raw)).messages == [[[]]], "an empty input is one empty frame")
    #expect(try encode([[bytes("a"), bytes("b")], [bytes("c")]], framing: framing(.raw)) == bytes("abc"))
}

@Test func lineOutputWarnsOnceWhenAMessageContainsTheDelimiter() throws {
    let stderr = CapturedOutput()
    var encoder = LineEncoder(delimiter: 10, separator: nil, diagnostics: Diagnostics(fd: stderr.fd))
    let out = try encode([[bytes("ok")], [bytes("two\nlines")], [bytes("again\n")]], with: &encoder)
    #expect(out == bytes("ok\ntwo\nlines\nagain\n\n"), "bytes are written as they are")
    let warning = String(decoding: try stderr.contents(), as: UTF8.self)
    #expect(warning.hasPrefix("zswift: warning: message 2 contains a newline"))
    #expect(warning.split(separator: "\n").count == 1, "said once: \(warning)")
}
