// Exact vectors for the frame codecs in Codecs.swift and JSONFrames.swift: hex, base64 (RFC 4648),
// C-style quoted strings, JSON strings and frames, and the strict UTF-8 check.
import Testing
@testable import ZswiftCore

// MARK: - Drivers

func encoded(_ input: [UInt8], _ encode: (UnsafeRawBufferPointer, ByteBuffer) -> Void) -> String {
    let out = ByteBuffer(capacity: 16)
    input.withUnsafeBytes { encode($0, out) }
    return String(decoding: out.bytes(0, out.count), as: UTF8.self)
}

func decoded(_ text: [UInt8], _ decode: (UnsafeRawBufferPointer, ByteBuffer) throws(FramingError) -> Void) throws(FramingError) -> [UInt8] {
    let out = ByteBuffer(capacity: 16)
    try text.withBytes { (raw) throws(FramingError) in try decode(raw, out) }
    return Array(out.bytes(0, out.count))
}

func decodedQuoted(_ text: String) throws(FramingError) -> (bytes: [UInt8], end: Int) {
    let out = ByteBuffer(capacity: 16)
    let end = try bytes(text).withBytes { (raw) throws(FramingError) in try Quoted.decode(raw, from: 0, into: out) }
    return (Array(out.bytes(0, out.count)), end)
}

func jsonMessage(_ text: String) throws(FramingError) -> [[UInt8]] {
    let scratch = ByteBuffer(capacity: 16)
    var ends: [Int] = []
    try bytes(text).withBytes { (raw) throws(FramingError) in
        var parser = JSONFrameParser(raw)
        try parser.parseMessage(into: scratch, ends: &ends)
    }
    var start = 0
    return ends.map { end in defer { start = end }; return Array(scratch.bytes(start, end)) }
}

func isUTF8(_ b: [UInt8]) -> Bool { b.withUnsafeBytes { UTF8Check.isValid($0) } }

// MARK: - Hex

@Test func hexEncodesLowercaseTwoDigitsPerByte() {
    #expect(encoded([], Hex.encode) == "")
    #expect(encoded([0x00, 0x01, 0x7F, 0x80, 0xAB, 0xFF], Hex.encode) == "00017f80abff")
    #expect(encoded(Array(0...255), Hex.encode).count == 512)
}

@Test func hexDecodesEitherCase() throws {
    #expect(try decoded(bytes(""), Hex.decode) == [])
    #expect(try decoded(bytes("00ff"), Hex.decode) == [0x00, 0xFF])
    #expect(try decoded(bytes("DeAdBeEf"), Hex.decode) == [0xDE, 0xAD, 0xBE, 0xEF])
    let all: [UInt8] = Array(0...255)
    #expect(try decoded(bytes(encoded(all, Hex.encode)), Hex.decode) == all)
}

@Test func hexWithAnOddNumberOfDigitsOrABadDigitIsRefused() {
    let odd = #expect(throws: FramingError.self) { try decoded(bytes("abc"), Hex.decode) }
    #expect(odd?.reason == "odd number of hex digits (3)")
    let bad = #expect(throws: FramingError.self) { try decoded(bytes("0g"), Hex.decode) }
    #expect(bad?.reason == "'g' is not a hex digit")
    let first = #expect(throws: FramingError.self) { try decoded(bytes("x0"), Hex.decode) }
    #expect(first?.reason == "'x' is not a hex digit")
    let unprintable = #expect(throws: FramingError.self) { try decoded([0x30, 0x01], Hex.decode) }
    #expect(unprintable?.reason == "'\\x01' is not a hex digit")
}

// MARK: - Base64 (RFC 4648 section 10)

let rfc4648: [(String, String)] = [
    ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy"),
]

@Test(arguments: rfc4648)
func base64MatchesTheRFC4648Vectors(_ plain: String, _ encoding: String) throws {
    #expect(encoded(bytes(plain), Base64.encode) == encoding)
    #expect(try decoded(bytes(encoding), Base64.decode) == bytes(plain))
    let unpadded = String(encoding.prefix { $0 != "=" })
    #expect(try decoded(bytes(unpadded), Base64.decode) == bytes(plain), "without padding: \(unpadded)")
}

@Test func base64UsesTheStandardAlphabetIncludingPlusAndSlash() throws {
    #expect(encoded([0xFB, 0xFF, 0xBF], Base64.encode) == "+/+/")
    #expect(try decoded(bytes("+/+/"), Base64.decode) == [0xFB, 0xFF, 0xBF])
    let all: [UInt8] = Array(0...255)
    #expect(try decoded(bytes(encoded(all, Base64.encode)), Base64.decode) == all)
}

@Test func base64WithABadCharacterOrLengthIsRefused() {
    let bad = #expect(throws: FramingError.self) { try decoded(bytes("Zm9v!A=="), Base64.decode) }
    #expect(bad?.reason == "'!' is not a base64 character")
    let urlSafe = #expect(throws: FramingError.self) { try decoded(bytes("-_8="), Base64.decode) }
    #expect(urlSafe?.reason == "'-' is not a base64 character")
    let inner = #expect(throws: FramingError.self) { try decoded(bytes("Zg==Zg=="), Base64.decode) }
    #expect(inner?.reason == "'=' is not a base64 character")
    let one = #expect(throws: FramingError.self) { try decoded(bytes("Zm9vY"), Base64.decode) }
    #expect(one?.reason == "bad base64 length (5 characters)")
    let pads = #expect(throws: FramingError.self) { try decoded(bytes("Zg==="), Base64.decode) }
    #expect(pads?.reason.hasPrefix("bad base64 length") == true)
}

@Test func base64DecodingIsLenientAboutPaddingAndTrailingBits() throws {
    // Recorded behaviour: a missing or short pad and non-zero leftover bits are accepted.
    #expect(try decoded(bytes("Zg="), Base64.decode) == bytes("f"))
    #expect(try decoded(bytes("Zh=="), Base64.decode) == bytes("f"))
}

// MARK: - Quoted

@Test func quotedEscapesQuotesBackslashesAndControlsExactly() {
    #expect(encoded(bytes(""), Quoted.encode) == "\"\"")
    #expect(encoded(bytes("a\"b\\c"), Quoted.encode) == "\"a\\\"b\\\\c\"")
    #expect(encoded([7, 8, 9, 10, 11, 12, 13], Quoted.encode) == "\"\\a\\b\\t\\n\\v\\f\\r\"")
    #expect(encoded([0, 1, 0x1B, 0x1F, 0x7F], Quoted.encode) == "\"\\x00\\x01\\x1b\\x1f\\x7f\"")
    #expect(encoded(bytes(" ~'?"), Quoted.encode) == "\" ~'?\"")
}

@Test func quotedKeepsValidUTF8AndEscapesEveryHighByteOfInvalidUTF8() {
    #expect(encoded(bytes("héllo €𝄞"), Quoted.encode) == "\"héllo €𝄞\"")
    // one bad byte makes the whole frame's high bytes \xHH, so the text shown is never a guess
    #expect(encoded([0xC3, 0xA9, 0xFF], Quoted.encode) == "\"\\xc3\\xa9\\xff\"")
    #expect(encoded([0x80], Quoted.encode) == "\"\\x80\"")
}

@Test func quotedDecodesEveryEscape() throws {
    #expect(try decodedQuoted("\"\\\"\\\\\\'\\?\"").bytes == bytes("\"\\'?"))
    #expect(try decodedQuoted("\"\\a\\b\\t\\n\\v\\f\\r\\e\"").bytes == [7, 8, 9, 10, 11, 12, 13, 27])
    #expect(try decodedQuoted("\"\\x00\\xfF\\x41\"").bytes == [0, 0xFF, 0x41])
    #expect(try decodedQuoted("\"\\x001\"").bytes == [0, 0x31], "\\x takes exactly two digits")
    #expect(try decodedQuoted("\"\\0\\377\\101\\08\"").bytes == [0, 0xFF, 0x41, 0, 0x38])
    #expect(try decodedQuoted("\"é\"").bytes == bytes("é"))
}

@Test func quotedDecodingReturnsTheOffsetPastTheClosingQuote() throws {
    #expect(try decodedQuoted("\"ab\" \"c\"").end == 4)
    #expect(try decodedQuoted("\"\"").end == 2)
}

@Test func quotedDecodingRefusesBadEscapesAndUnterminatedStrings() {
    for (text, reason) in [
        ("\"abc", "unterminated quoted string"),
        ("\"abc\\", "unterminated quoted string"),
        ("\"abc\\\"", "unterminated quoted string"),
        ("\"\\x4\"", "\\x needs two hex digits"),
        ("\"\\xg0\"", "\\x needs two hex digits"),
        ("\"\\x", "\\x needs two hex digits"),
        ("\"\\400\"", "octal escape \\400 is over \\377"),
        ("\"\\q\"", "unknown escape \\q"),
        ("\"\\u00e9\"", "unknown escape \\u"),
    ] {
        let error = #expect(throws: FramingError.self) { try decodedQuoted(text) }
        #expect(error?.reason == reason, "\(text.debugDescription)")
    }
}

@Test func quotedRoundTripsEveryByte() throws {
    let all: [UInt8] = Array(0...255)
    let text = encoded(all, Quoted.encode)
    #expect(try decodedQuoted(text).bytes == all)
    #expect(!text.utf8.contains(10) && !text.utf8.contains(13) && !text.utf8.contains(0))
}

// MARK: - JSON

@Test func jsonStringsEscapeQuotesBackslashesAndControls() {
    #expect(encoded(bytes("a\"b\\c/"), JSONText.encodeString) == "\"a\\\"b\\\\c/\"")
    #expect(encoded([8, 9, 10, 12, 13], JSONText.encodeString) == "\"\\b\\t\\n\\f\\r\"")
    #expect(encoded([0, 1, 0x0B, 0x1B, 0x1F], JSONText.encodeString) == "\"\\u0000\\u0001\\u000b\\u001b\\u001f\"")
    #expect(encoded([0x7F], JSONText.encodeString) == "\"\u{7F}\"")
    #expect(encoded(bytes("é€𝄞\u{2028}"), JSONText.encodeString) == "\"é€𝄞\u{2028}\"")
}

@Test func aFrameThatIsNotUTF8BecomesABase64Object() {
    #expect(encoded([0xFF, 0x00], JSONText.encodeFrame) == "{\"base64\":\"/wA=\"}")
    #expect(encoded([0xED, 0xA0, 0x80], JSONText.encodeFrame) == "{\"base64\":\"7aCA\"}")
    #expect(encoded(bytes("ok"), JSONText.encodeFrame) == "\"ok\"")
    #expect(encoded([], JSONText.encodeFrame) == "\"\"")
}

@Test func jsonMessagesAreArraysBareStringsOrBase64Objects() throws {
    #expect(try jsonMessage("[\"a\", \"\", {\"base64\": \"/wA=\"}]") == [bytes("a"), [], [0xFF, 0x00]])
    #expect(try jsonMessage("  \"bare\"  ") == [bytes("bare")])
    #expect(try jsonMessage("{ \"base64\" : \"Zm9v\" }") == [bytes("foo")])
    #expect(try jsonMessage("[\"\"]") == [[]])
    #expect(try jsonMessage("[\"\\u00e9\\u20AC\\ud834\\udd1e\\u0000\\/\"]") == [bytes("é€𝄞\0/")])
    #expect(try jsonMessage("[\"\\b\\f\\n\\r\\t\\\"\\\\\"]") == [[8, 12, 10, 13, 9, 34, 92]])
}

@Test func malformedJSONMessagesAreRefusedWithAReason() {
    for (text, reason) in [
        ("", "empty JSON record"),
        ("[]", "empty array"),
        ("[ ]", "empty array"),
        ("[\"a\"", "unterminated array"),
        ("[\"a\",", "expected a frame"),
        ("[\"a\" \"b\"]", "expected , or ]"),
        ("[\"a\"] x", "unexpected 'x' after the message"),
        ("[1]", "a frame is a JSON string or {\"base64\": \"...\"}"),
        ("[\"a\",]", "a frame is a JSON string"),
        ("{\"b64\": \"Zg==\"}", "unknown key \"b64\""),
        ("{}", "expected {\"base64\": \"...\"}"),
        ("{\"base64\" \"Zg==\"}", "expected : after \"base64\""),
        ("{\"base64\": 1}", "the base64 value must be a string"),
        ("{\"base64\": \"Zg==\"", "expected } after the base64 value"),
        ("{\"base64\": \"Z!==\"}", "'!' is not a base64 character"),
        ("[\"\\ud800\"]", "lone surrogate \\ud800"),
        ("[\"\\udc00\"]", "lone surrogate \\udc00"),
        ("[\"\\ud800\\u0041\"]", "bad surrogate pair"),
        ("[\"\\u12\"]", "\\u needs four hex digits"),
        ("[\"\\u12g4\"]", "\\u needs four hex digits"),
        ("[\"\\x41\"]", "unknown escape \\x in a JSON string"),
        ("[\"a\tb\"]", "control character \\x09 inside a JSON string"),
        ("[\"abc", "unterminated string"),
        ("[\"abc\\", "unterminated string"),
    ] {
        let error = #expect(throws: FramingError.self) { try jsonMessage(text) }
        #expect(error?.reason.hasPrefix(reason) == true, "\(text.debugDescription): \(error?.reason ?? "accepted")")
    }
}

// MARK: - UTF-8 check

@Test func theUTF8CheckAcceptsWellFormedMultibyteText() {
    for text in ["", "ascii", "é", "€", "𝄞", "\u{7FF}\u{800}\u{FFFF}\u{10000}\u{10FFFF}", "\u{D7FF}\u{E000}", "\0"] {
        #expect(isUTF8(bytes(text)), "\(text.debugDescription)")
    }
}

@Test func theUTF8CheckRefusesOverlongsSurrogatesAndValuesPastU10FFFF() {
    for (name, b) in [
        ("overlong NUL", [0xC0, 0x80]), ("overlong slash", [0xC1, 0xAF]), ("overlong 3-byte", [0xE0, 0x80, 0xAF]),
        ("overlong 4-byte", [0xF0, 0x80, 0x80, 0xAF]), ("surrogate D800", [0xED, 0xA0, 0x80]), ("surrogate DFFF", [0xED, 0xBF, 0xBF]),
        ("U+110000", [0xF4, 0x90, 0x80, 0x80]), ("F5 lead", [0xF5, 0x80, 0x80, 0x80]), ("FF", [0xFF]), ("FE", [0xFE]),
        ("lone continuation", [0x80]), ("truncated 2-byte", [0xC3]), ("truncated 3-byte", [0xE2, 0x82]),
        ("truncated 4-byte", [0xF0, 0x9D, 0x84]), ("bad second continuation", [0xE2, 0x82, 0x41]),
        ("bad third continuation", [0xF0, 0x9D, 0x84, 0xC0]), ("ASCII then bad", [0x41, 0x42, 0xC3, 0x28]),
    ] as [(String, [UInt8])] {
        #expect(!isUTF8(b), "\(name)")
    }
}

@Test func theUTF8CheckAgreesWithTheStandardLibraryOnRandomBytes() {
    var rng = SplitMix64(seed: 0x5EED_0F_07F8)
    let interesting: [UInt8] = [0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2, 0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF]
    var disagreements: [[UInt8]] = []
    for _ in 0..<100_000 {
        let length = Int.random(in: 1...6, using: &rng)
        let sample = (0..<length).map { _ in Bool.random(using: &rng) ? interesting.randomElement(using: &rng)! : UInt8.random(in: 0...255, using: &rng) }
        let standard = String(validating: sample, as: UTF8.self) != nil
        if isUTF8(sample) != standard { disagreements.append(sample) }
    }
    #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5))")
}

@Test func everyTwoByteSequenceIsJudgedLikeTheStandardLibrary() {
    var disagreements = 0
    for a in 0...255 {
        for b in 0...255 {
            let sample: [UInt8] = [UInt8(a), UInt8(b)]
            if isUTF8(sample) != (String(validating: sample, as: UTF8.self) != nil) { disagreements += 1 }
        }
    }
    #expect(disagreements == 0)
}

@Test func quotedShowsInvisibleCodePointsThatCouldDisguiseTextAsEscapes() throws {
    // U+202E RIGHT-TO-LEFT OVERRIDE, U+0085 NEXT LINE, U+2028 LINE SEPARATOR, U+2066 LEFT-TO-RIGHT ISOLATE
    let sneaky = bytes("a\u{202E}b\u{85}c\u{2028}d\u{2066}é")
    let text = encoded(sneaky, Quoted.encode)
    #expect(text == "\"a\\xe2\\x80\\xaeb\\xc2\\x85c\\xe2\\x80\\xa8d\\xe2\\x81\\xa6é\"")
    #expect(try decodedQuoted(text).bytes == sneaky)
}
