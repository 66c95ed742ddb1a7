// Z85 and CURVE keys: libzmq's known vectors (zmq_z85_encode(3), zmq_curve(7)), round trips, and
// what decoding refuses.
import Testing
import ZMQ

@Test func z85EncodesTheManPageExampleAsHelloWorld() {
    #expect(Z85.encode([0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B]) == "HelloWorld")
}

@Test func z85DecodesHelloWorldBackToItsEightBytes() {
    #expect(Z85.decode("HelloWorld") == [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B])
}

@Test func z85RoundTripsEveryByteValue() {
    let bytes = (0...255).map(UInt8.init)
    let text = Z85.encode(bytes)
    #expect(text.utf8.count == 320)
    #expect(Z85.decode(text) == bytes)
}

@Test func z85EncodesNothingAsNothingButDecodesNothingAsNoZ85AsLibzmqDoes() {
    #expect(Z85.encode([]) == "")
    #expect(Z85.decode("") == nil)  // zmq_z85_decode wants at least one group of five
}

@Test(arguments: ["Hello", "HelloWorl", "Hello World", "Hell\u{7F}", "%%%%%", "Hello\u{0}orld"])
func z85RefusesTextThatIsNotZ85(_ text: String) {
    // wrong lengths, a character outside the alphabet, a group above 0xFFFFFFFF, a NUL
    let valid = text == "Hello"
    #expect((Z85.decode(text) != nil) == valid, "\(text)")
}

@Test func aCurveSecretKeyGivesThePublicKeyOfTheManPagePair() throws {
    // zmq_curve(7)'s test keys
    let client = try CurveKeyPair(secretKey: "D:)Q[IlAW!ahhC2ac:9*A}h:p?([4%wOTJ%JR%cs")
    #expect(client.publicKey == "Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID")
    let server = try CurveKeyPair(secretKey: "JTKVSB%%)wK0E.X)V>+}o?pNmC{O&4W4b!Ni{Lh6")
    #expect(server.publicKey == "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7")
}

@Test func aGeneratedCurveKeyPairIsZ85AndItsSecretGivesItsPublicKey() throws {
    guard Library.has("curve") else { return }
    let pair = try CurveKeyPair.generate()
    #expect(pair.publicKey.utf8.count == 40 && pair.secretKey.utf8.count == 40)
    #expect(Z85.decode(pair.publicKey)?.count == 32 && Z85.decode(pair.secretKey)?.count == 32)
    #expect(try CurveKeyPair(secretKey: pair.secretKey) == pair)
    #expect(try CurveKeyPair.generate() != pair)
}

@Test func aSecretKeyThatIsNotFortyCharactersOfZ85IsAnInvalidArgument() {
    #expect(throws: ZMQError.invalidArgument) { try CurveKeyPair(secretKey: "HelloWorld") }
    #expect(throws: ZMQError.invalidArgument) { try CurveKeyPair(secretKey: String(repeating: "\u{7F}", count: 40)) }
}

@Test func generatedKeysAreTakenByTheCurveSocketOptions() throws {
    guard Library.has("curve") else { return }
    let server = try CurveKeyPair.generate()
    let socket = try makeSocket(Context(), .rep)
    try socket.set(.curveSecretKey, server.secretKey)
    try socket.set(.curvePublicKey, server.publicKey)
    #expect(try socket.get(.curvePublicKey) == server.publicKey)
}
