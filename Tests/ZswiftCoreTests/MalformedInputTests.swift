// Malformed input records in each decoding format: each throws a FramingError with a reason that
// says what is wrong, and the messages before the bad record have already been produced.
import Testing
@testable import ZswiftCore

/// Decodes `input` whole and one byte at a time; both must produce `before` and then fail with a
/// reason starting with `reason`.
func expectFailure(_ input: [UInt8], _ format: Format, before: [Frames], reason: String,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
    for (mode, pieces) in [("whole", nil), ("byte at a time", { 1 })] as [(String, (() -> Int)?)] {
        let result = try decode(input, framing: framing(format), pieces: pieces)
        let resultSame = result.messages == before
        #expect(resultSame, "\(format) \(mode): \(firstDifference(result.messages, before))", sourceLocation: sourceLocation)
        #expect(result.error?.reason.hasPrefix(reason) == true,
                "\(format) \(mode): reason \(result.error?.reason.debugDescription ?? "none"), want \(reason.debugDescription)",
                sourceLocation: sourceLocation)
    }
}

@Test func badHexStopsDecodingWithTheFrameAndTheDigit() throws {
    try expectFailure(bytes("6869 00\n00 0g 11\n41\n"), .hex, before: [[bytes("hi"), [0]]], reason: "frame 2: 'g' is not a hex digit")
    try expectFailure(bytes("abc\n"), .hex, before: [], reason: "frame 1: odd number of hex digits (3)")
}

@Test func badBase64StopsDecodingWithTheFrameAndTheCharacter() throws {
    try expectFailure(bytes("Zm9v\nZm9v Zm9v!A==\n"), .base64, before: [[bytes("foo")]], reason: "frame 2: '!' is not a base64 character")
    try expectFailure(bytes("Zm9vY\n"), .base64, before: [], reason: "frame 1: bad base64 length")
}

@Test func anUnterminatedQuotedStringStopsDecoding() throws {
    try expectFailure(bytes("\"ok\"\n\"a\" \"unterminated\n\"never\"\n"), .quoted, before: [[bytes("ok")]], reason: "frame 2: unterminated quoted string")
    try expectFailure(bytes("\"ok\"\n\"a\\q\"\n"), .quoted, before: [[bytes("ok")]], reason: "frame 1: unknown escape \\q")
    try expectFailure(bytes("bare words\n"), .quoted, before: [], reason: "frame 1: a frame is a \"quoted string\", not 'b...'")
    // the last record, without a newline, is checked too
    try expectFailure(bytes("\"ok\"\n\"open"), .quoted, before: [[bytes("ok")]], reason: "frame 1: unterminated quoted string")
}

@Test(arguments: [
    ("[\"a\"", "unterminated array"),
    ("{\"b64\": \"Zg==\"}", "unknown key \"b64\""),
    ("[\"\\ud83d\"]", "lone surrogate"),
    ("[]", "empty array"),
    ("[\"a\"]]", "unexpected ']' after the message"),
    ("{\"base64\": \"Zm9\u{1}\"}", "control character"),
    ("null", "a frame is a JSON string"),
])
func badJSONStopsDecodingWithAReason(_ record: String, _ reason: String) throws {
    try expectFailure(bytes("[\"first\",\"\"]\n" + record + "\n[\"after\"]\n"), .json, before: [[bytes("first"), []]], reason: reason)
}

@Test func aTruncatedZmtpFrameAtTheEndIsAnError() throws {
    let good: [UInt8] = [0x01, 1, 0x61, 0x00, 0]  // ["a", ""]
    try expectFailure(good + [0x00, 5, 0x62, 0x63], .zmtp, before: [[bytes("a"), []]], reason: "truncated zmtp frame: 5 bytes announced, 2 present")
    try expectFailure(good + [0x02, 0, 0, 0], .zmtp, before: [[bytes("a"), []]], reason: "truncated zmtp frame header")
    try expectFailure(good + [0x00], .zmtp, before: [[bytes("a"), []]], reason: "truncated zmtp frame header")
    try expectFailure(good + [0x01, 1, 0x62], .zmtp, before: [[bytes("a"), []]], reason: "truncated zmtp message: it ends after a frame flagged MORE")
}

@Test func zmtpFlagsWithTheCommandBitOrUnknownBitsAreRefused() throws {
    let good: [UInt8] = [0x00, 1, 0x61]
    try expectFailure(good + [0x04, 5] + bytes("READY"), .zmtp, before: [[bytes("a")]], reason: "zmtp command frames are not messages (flags 0x4)")
    try expectFailure(good + [0x06, 0, 0, 0, 0, 0, 0, 0, 0], .zmtp, before: [[bytes("a")]], reason: "zmtp command frames are not messages (flags 0x6)")
    try expectFailure(good + [0x08, 0], .zmtp, before: [[bytes("a")]], reason: "bad zmtp flags byte 0x8")
    try expectFailure(good + [0x01, 1, 0x62, 0x80, 0], .zmtp, before: [[bytes("a")]], reason: "bad zmtp flags byte 0x80")
}

@Test func aZmtpFrameOverTheSizeLimitIsRefusedBeforeItsBodyArrives() throws {
    // 8-byte size 2^41: refused from the header alone, without waiting for (or buffering) the body
    let header: [UInt8] = [0x02, 0, 0, 0x02, 0, 0, 0, 0, 0]
    let result = try decode(header, framing: framing(.zmtp), pieces: { 1 })
    #expect(result.error?.reason == "zmtp frame claims 2199023255552 bytes, over the 1099511627776-byte limit")
    // --max-msg-size lowers the limit
    let small = try decode([0x00, 11] + [UInt8](repeating: 1, count: 11), framing: framing(.zmtp), sizeLimit: 10)
    #expect(small.error?.reason == "zmtp frame claims 11 bytes, over the 10-byte limit")
    let fits = try decode([0x00, 10] + [UInt8](repeating: 1, count: 10), framing: framing(.zmtp), sizeLimit: 10)
    #expect(fits.error == nil && fits.messages.count == 1)
}

@Test func anIncompleteRecordIsNotAnErrorUntilTheEnd() throws {
    // the decoder asks for more instead of failing while bytes may still come
    var decoder = ZMTPDecoder()
    var frames: [UnsafeRawBufferPointer] = []
    let partial: [UInt8] = [0x01, 3, 0x61]
    let taken = try partial.withBytes { (raw) throws(FramingError) in try decoder.decode(raw, atEnd: false, frames: &frames) }
    #expect(taken == nil)
    var text = TextDecoder(format: .hex)
    let open: [UInt8] = bytes("0g")
    let none = try open.withBytes { (raw) throws(FramingError) in try text.decode(raw, atEnd: false, frames: &frames) }
    #expect(none == nil, "a bad hex record is only judged once its line is complete")
}
