// Certificates in czmq's ZPL text: what zswift writes reads back exactly (odd metadata too), the
// reader takes what czmq and pyzmq write (comments, CRLF, unquoted values, missing metadata) and
// refuses what is no certificate with its line, and pyzmq's zmq.auth and zswift read each other's.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

func parsed(_ text: String) throws(CertificateError) -> Certificate { try Certificate(parsing: Array(text.utf8)) }

func serverCertificate(metadata: [Certificate.Entry] = []) -> Certificate {
    Certificate(publicKey: CurveKey(z85: serverPublic, kind: .public)!,
                secretKey: CurveKey(z85: serverSecret, kind: .secret)!, metadata: metadata)
}

// MARK: - Round trips

@Test func aSecretCertificateReadsBackWithBothKeysAndItsMetadata() throws {
    let certificate = serverCertificate(metadata: [.init(name: "created-by", value: "zswift"), .init(name: "name", value: "server")])
    #expect(try parsed(certificate.text(secret: true, stamp: "now")) == certificate)
}

@Test func aPublicCertificateHoldsNoSecretKeyAndReadsBackWithoutOne() throws {
    let certificate = serverCertificate(metadata: [.init(name: "name", value: "server")])
    let text = certificate.text(secret: false, stamp: "now")
    #expect(!text.contains(serverSecret) && !text.contains("secret-key"))
    let back = try parsed(text)
    #expect(back.publicKey.text == serverPublic && back.secretKey == nil && back.metadata == certificate.metadata)
}

@Test(arguments: [
    "", " leading and trailing spaces ", "a # not a comment", "x = y", "it's", "say \"hi\"", "tab\there",
    "héllo wörld ✓", "@$-_.&+/", "#", "'", "\"", "   ",
])
func oddMetadataValuesReadBackExactly(value: String) throws {
    #expect(Certificate.check(name: "odd", value: value) == nil)
    let certificate = serverCertificate(metadata: [.init(name: "odd", value: value), .init(name: "after", value: "x")])
    #expect(try parsed(certificate.text(secret: true, stamp: "now")).metadata == certificate.metadata)
}

@Test(arguments: [
    ("", "empty"), ("has space", "letters, digits"), ("a/b", "letters, digits"), ("ünï", "letters, digits"),
    ("public-key", "read as a key"), ("secret-key-backup", "read as a key"),
])
func metadataNamesThatCannotBeWrittenBackAreRefusedWithAReason(name: String, says: String) {
    #expect(Certificate.check(name: name, value: "v")?.contains(says) == true, "\(name)")
}

@Test(arguments: [("two\nlines", "control character"), ("cr\r", "control character"), ("both ' and \"", "both ' and \""),
                  (String(repeating: "v", count: 1020), "longer than 1024")])
func metadataValuesThatCannotBeWrittenBackAreRefusedWithAReason(value: String, says: String) {
    #expect(Certificate.check(name: "n", value: value)?.contains(says) == true)
}

// MARK: - What czmq and pyzmq write

@Test func aPyzmqSecretCertificateReadsWithUnquotedMetadataCutAtAComment() throws {
    let text = """
        #   ****  Generated on 2024-05-01 10:00:00.000000 by pyzmq  ****
        #   ZeroMQ CURVE **Secret** Certificate

        metadata
            name = py thing
            x = a # b
        curve
            public-key = "\(serverPublic)"
            secret-key = "\(serverSecret)"

        """
    let certificate = try parsed(text)
    #expect(certificate.keys?.secretKey.text == serverSecret && certificate.publicKey.text == serverPublic)
    #expect(certificate.metadata == [.init(name: "name", value: "py thing"), .init(name: "x", value: "a")])
}

@Test func commentsBlankLinesCRLFAndTrailingSpacesAreIgnoredAndSingleQuotesWork() throws {
    let text = "# a comment\r\n\r\nmetadata   \r\n    # indented comment\r\n    owner = 'Ops \"team\"'  # why\r\ncurve # keys\r\n    public-key = '\(serverPublic)'\t\r\n"
    let certificate = try parsed(text)
    #expect(certificate.publicKey.text == serverPublic && certificate.secretKey == nil)
    #expect(certificate.metadata == [.init(name: "owner", value: "Ops \"team\"")])
}

@Test func aCertificateWithoutAMetadataSectionOrWithOtherSectionsStillReads() throws {
    let certificate = try parsed("extra\n    thing = 1\n        deeper = 2\ncurve\n    public-key = \"\(serverPublic)\"\n")
    #expect(certificate.publicKey.text == serverPublic && certificate.metadata.isEmpty)
}

@Test(arguments: [
    ("", "has no curve section"),
    ("metadata\n    name = \"x\"\n", "has no curve section"),
    ("curve\n", "has no public-key in its curve section"),
    ("public-key = \"\(serverPublic)\"\n", "has no curve section"),
    ("curve\n\tpublic-key = \"\(serverPublic)\"\n", "line 2: expected a name"),
    ("curve\n      public-key = \"\(serverPublic)\"\n", "line 2: indent by 4 spaces"),
    ("curve\n        public-key = \"\(serverPublic)\"\n", "line 2: indented deeper"),
    ("curve\n    public-key = \"\(serverPublic)\n", "line 2: the value has no closing \""),
    ("curve\n    public-key = \"\(serverPublic)\" junk\n", "line 2: something follows"),
    ("curve\n    public-key \"\(serverPublic)\"\n", "line 2: expected = after the name"),
    ("curve\n    /public-key = \"\(serverPublic)\"\n", "cannot begin or end with /"),
    ("curve\n    public-key = \"\(serverPublic.dropLast())\"\n", "public-key that is 39 characters"),
    ("curve\n    public-key = \"\(serverPublic)\"\n    public-key = \"\(clientPublic)\"\n", "has 2 public-key lines"),
    ("curve\n    public-key = \"\(serverPublic)\"\u{0}\n", "line 2: a NUL byte"),
])
func whatIsNotACertificateIsRefusedWithItsReason(text: String, says: String) {
    #expect(throws: CertificateError.self) { try parsed(text) }
    do { _ = try parsed(text) } catch { #expect(error.reason.contains(says), "\(error.reason)") }
}

@Test func zplQuotesAValueInDoubleQuotesElseSingleAndRefusesWhatNeitherCanHold() {
    #expect(ZPL.quoted("plain") == "\"plain\"")
    #expect(ZPL.quoted("say \"hi\"") == "'say \"hi\"'")
    #expect(ZPL.quoted("both ' \"") == nil)
    #expect(ZPL.quoted("line\nbreak") == nil)
}

// MARK: - pyzmq, both ways

@Test func pyzmqLoadsTheCertificatesZswiftWritesWithTheSameKeys() throws {
    let dir = Paths.temporaryDirectory()
    let certificate = serverCertificate(metadata: [.init(name: "odd", value: "a # 'b'")])
    let publicFile = writeFile("server.key", certificate.text(secret: false, stamp: "now"), mode: 0o644, in: dir)
    let secretFile = writeFile("server.key_secret", certificate.text(secret: true, stamp: "now"), in: dir)
    let script = """
        import sys, zmq.auth
        p, s = zmq.auth.load_certificate(sys.argv[1]); print(p.decode(), s)
        p, s = zmq.auth.load_certificate(sys.argv[2]); print(p.decode(), s.decode())
        print(list(zmq.auth.load_certificates(sys.argv[3]).keys())[0].decode())
        """
    let r = try run(["python3", "-c", script, publicFile, secretFile, dir], within: 30)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "\(serverPublic) None\n\(serverPublic) \(serverSecret)\n\(serverPublic)\n", "\(r)")
}

@Test func zswiftReadsTheCertificatesPyzmqWritesAndWarnsThatItsSecretOneIsReadableByOthers() throws {
    let dir = Paths.temporaryDirectory()
    let script = """
        import sys, os, zmq.auth
        os.umask(0o022)
        pub, sec = zmq.auth.create_certificates(sys.argv[1], "py", metadata={"name": "py thing"})
        print(zmq.auth.load_certificate(pub)[0].decode())
        """
    let r = try run(["python3", "-c", script, dir], within: 30)
    #expect(r.status == 0, "\(r)")
    let expected = String(r.out.dropLast())
    #expect(try KeyArgument.publicKey("@\(dir)/py.key", from: .flag("curve-server-key")).value.text == expected)
    let checked = try KeyArgument.secretKey("@\(dir)/py.key_secret", from: flagOrigin)
    #expect(checked.value.publicKey.text == expected)
    #expect(checked.warnings.count == 1 && checked.warnings[0].contains("(mode 0644)"), "\(checked.warnings)")
    let certificate = try Certificate(parsing: CertificateFile.read("\(dir)/py.key_secret").bytes)
    #expect(certificate.metadata == [.init(name: "name", value: "py thing")])
}

// MARK: - Damage

@Test(arguments: propertySeeds)
func randomlyDamagedCertificatesAreReadOrRefusedNeverATrap(seed: UInt64) {
    var rng = SplitMix64(seed: seed)
    let original = Array(serverCertificate(metadata: [.init(name: "name", value: "x 'y'")]).text(secret: true, stamp: "now").utf8)
    let alphabet = Array(" \t\r\n#=\"'/@-_.0aZ".utf8) + [0, 0xC3, 0xFF]
    for _ in 0..<2000 {
        var bytes = original
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: bytes[at] = alphabet.randomElement(using: &rng)!
            case 1: bytes.insert(alphabet.randomElement(using: &rng)!, at: at)
            default: if bytes.count > 1 { bytes.remove(at: at) }
            }
        }
        if let certificate = try? Certificate(parsing: bytes), let secret = certificate.secretKey {
            #expect(certificate.publicKey.text == serverPublic && secret.text == serverSecret)
        }
    }
}
