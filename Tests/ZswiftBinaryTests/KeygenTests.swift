// Black-box: `zswift keygen` prints a labelled pair, and with --cert writes certificates that
// pyzmq's zmq.auth loads with the same keys, with the secret one at mode 0600, never overwriting;
// socket flags are usage errors on it, while help and version work.
import Glibc
import Testing
import TestSupport

/// Loads certificates with pyzmq: one line per path, "PUBLIC SECRET" (SECRET is None for a public one).
func pyzmqLoad(_ paths: [String]) throws -> [String] {
    let script = "import sys, zmq.auth\nfor p in sys.argv[1:]:\n    k = zmq.auth.load_certificate(p); print(k[0].decode(), k[1].decode() if k[1] else None)"
    let r = try run(["python3", "-c", script] + paths, within: 30)
    guard r.status == 0 else { throw SubprocessError("pyzmq: \(r)") }
    return r.out.split(separator: "\n").map(String.init)
}

func permissions(_ path: String) -> mode_t? {
    var info = stat()
    return stat(path, &info) == 0 ? info.st_mode & 0o7777 : nil
}

@Test func keygenPrintsExactlyTwoLabelledLinesPublicFirstAndANewPairEachTime() throws {
    let first = try zswift(["keygen"]), second = try zswift(["keygen"])
    #expect(first.status == 0 && first.stderr.isEmpty, "\(first)")
    let lines = first.out.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.count == 3 && lines[2].isEmpty, "\(first)")
    #expect(lines[0].hasPrefix("public-key: ") && lines[0].count == 52 && lines[1].hasPrefix("secret-key: ") && lines[1].count == 52)
    #expect(first.out != second.out)
    let check = try run(["python3", "-c", "import sys, zmq; print(zmq.curve_public(sys.argv[1].encode()).decode())", String(lines[1].dropFirst(12))])
    #expect(check.out == lines[0].dropFirst(12) + "\n", "\(check)")
}

@Test func keygenCertWritesCertificatesThatPyzmqLoadsWithThePrintedKeyAndNeverPrintsTheSecret() throws {
    let name = Paths.temporaryDirectory() + "/demo.key"
    let r = try zswift(["keygen", "--cert", name, "--meta", "name=demo", "--meta", "owner=Ops team"])
    #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
    let loaded = try pyzmqLoad([name, name + "_secret"])
    let publicKey = String(loaded[0].prefix(40)), secretKey = String(loaded[1].dropFirst(41))
    #expect(loaded == ["\(publicKey) None", "\(publicKey) \(secretKey)"])
    #expect(r.out == "public-key: \(publicKey)\npublic-certificate: \(name)\nsecret-certificate: \(name)_secret\n")
    #expect(!r.out.contains(secretKey) && !r.err.contains(secretKey))
    #expect(permissions(name + "_secret") == 0o600)
    #expect(permissions(name).map { $0 & 0o022 == 0 && $0 & 0o400 != 0 } == true)
    let text = readFile(name + "_secret")
    #expect(text.contains("    name = \"demo\"\n    owner = \"Ops team\"\n") && text.contains("    created-at = \"20"), "\(text)")
}

@Test func keygenRefusesToOverwriteACertificateWithStatusOneAndAHint() throws {
    let dir = Paths.temporaryDirectory()
    _ = try run(["sh", "-c", "echo mine > '\(dir)/demo_secret'"])
    let r = try zswift(["keygen", "--cert", dir + "/demo"])
    #expect(r.status == 1 && r.stdout.isEmpty, "\(r)")
    #expect(r.err == "zswift: error: \(dir)/demo_secret exists: keygen never overwrites a certificate\nhint: remove it first if it is to be replaced, or give another --cert NAME\n")
    #expect(readFile(dir + "/demo_secret") == "mine\n" && permissions(dir + "/demo") == nil)
}

@Test func keygenIntoADirectoryThatDoesNotExistFailsWithStatusOne() throws {
    let r = try zswift(["keygen", "--cert", Paths.temporaryDirectory() + "/no/such/demo"])
    #expect(r.status == 1 && r.err.contains("its directory does not exist") && r.err.contains("hint: "), "\(r)")
}

@Test(arguments: [["--hwm", "5"], ["-b", ":5555"], ["-c", "localhost:5555"], ["-t", "1s"], ["-o", "linger=0"],
                  ["-v"], ["--format", "json"], ["--stats"], ["tcp://127.0.0.1:5555"], ["--meta", "a=b"]])
func socketFlagsAndEndpointsOnKeygenAreUsageErrors(words: [String]) throws {
    let r = try zswift(["keygen"] + words)
    #expect(r.status == 2 && r.stdout.isEmpty, "\(r)")
    #expect(r.err.hasPrefix("zswift: error: ") && r.err.contains("\nhint: ") && r.err.split(separator: "\n").count == 2, "\(r)")
}

@Test func keygenHelpAndVersionWorkAndHelpKeygenEqualsKeygenHelp() throws {
    let help = try zswift(["keygen", "--help"]), short = try zswift(["keygen", "-h"]), version = try zswift(["keygen", "-V"])
    #expect(help.status == 0 && help.out.contains("Usage: zswift keygen [OPTIONS]\n") && help.out.contains("--cert NAME"))
    #expect(short.status == 0 && short.out.contains("--meta KEY=VALUE"))
    #expect(version.status == 0 && version.out.hasPrefix("zswift "))
    #expect(try zswift(["help", "keygen"]).out == help.out)
}

@Test func keygenIntoAClosedPipeEndsQuietly() throws {
    let r = try run(["bash", "-c", "set -o pipefail; '\(Paths.zswift)' keygen | head -c 0"])
    #expect(r.status == 0 && r.stderr.isEmpty, "\(r)")
}

func readFile(_ path: String) -> String {
    (try? run(["cat", path]).out) ?? ""
}
