// Black-box: request-reply — zswift rep in every answering mode against a pyzmq REQ, zswift req
// against pyzmq servers (in order, retries, Lazy Pirate, give-up, Ctrl-C), dealer and router ids.
import Glibc
import Testing
import TestSupport

// MARK: - Helpers for this file

/// Starts a request-reply peer (Tests/peers/rrpeer.py): client, server, mute or late.
private func startRR(_ role: String, _ endpoint: String, _ options: [String] = []) throws -> Process {
    try Process(["python3", Paths.peer("rrpeer.py"), role, endpoint] + options)
}

/// Starts a pyzmq server that binds and waits until it says so.
private func startServer(_ role: String, _ endpoint: String, _ options: [String] = []) throws -> Process {
    let server = try startRR(role, endpoint, options)
    try server.waitForStderr("bound to ", within: 15)
    return server
}

/// Sends `requests` through a pyzmq REQ client and returns its outcome (replies as JSON-hex lines).
private func pyzmqClient(_ endpoint: String, _ requests: [[[UInt8]]], timeout: Double = 10) throws -> Outcome {
    let client = try startRR("client", endpoint, ["--timeout", "\(timeout)"])
    try client.write(requests.map(peerLine).joined())
    client.closeInput()
    return client.wait(within: timeout * Double(requests.count) + 10)
}

private func text(_ s: String) -> [UInt8] { Array(s.utf8) }

private func stop(_ process: Process) {
    process.signal(SIGKILL)
    _ = process.wait(within: 5)
}

// MARK: - rep answering a pyzmq REQ

@Test func repEchoAnswersBinaryMultipartRequestsWithTheSameFrames() throws {
    let (rep, endpoint) = try startBound("rep", ["--echo", "-n", "\(awkwardMessages.count)"])
    let client = try pyzmqClient(endpoint, awkwardMessages)
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == awkwardMessages)
    let r = rep.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out.isEmpty)
}

@Test(arguments: ["json", "zmtp", "hex", "quoted", "base64"])
func execCatCarriesBinaryMultipartRequestsThroughTheFormatUnchanged(format: String) throws {
    // the request goes to the command's stdin in the --out format; its stdout is read in --in
    let (rep, endpoint) = try startBound("rep", ["--exec", "cat", "-f", format, "-n", "\(awkwardMessages.count)"])
    let client = try pyzmqClient(endpoint, awkwardMessages)
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == awkwardMessages)
    let r = rep.wait(within: 10)
    #expect(r.status == 0, "\(r)")
}

@Test func execRunsTheShellCommandOncePerRequest() throws {
    let (rep, endpoint) = try startBound("rep", ["--exec", "tr a-z A-Z", "-n", "2"])
    let client = try pyzmqClient(endpoint, [[text("hello")], [text("mixed Case 42")]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == [[text("HELLO")], [text("MIXED CASE 42")]])
    #expect(rep.wait(within: 10).status == 0)
}

@Test func execSeesTheSequenceNumberFrameCountAndPeerAddressInItsEnvironment() throws {
    let (rep, endpoint) = try startBound("rep", ["--exec", #"echo "$ZSWIFT_SEQ $ZSWIFT_FRAMES $ZSWIFT_PEER_ADDRESS""#, "-n", "2"])
    let client = try pyzmqClient(endpoint, [[text("one")], [text("a"), [], text("c")]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == [[text("1 1 127.0.0.1")], [text("2 3 127.0.0.1")]], "\(client)")
    #expect(rep.wait(within: 10).status == 0)
}

@Test func execSeesTheRoutingIdTheClientSetInHex() throws {
    let (rep, endpoint) = try startBound("rep", ["--exec", #"echo "[$ZSWIFT_ROUTING_ID]""#, "-n", "1"])
    let r = try zswift(["req", "-c", endpoint, "--identity", "bob", "-d", "hi", "-t", "10s"])
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "[626f62]\n")  // hex, as router shows ids: an id need not be text
    _ = rep.wait(within: 10)
}

@Test func aCommandAfterDoubleDashAnswersWithoutAShell() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "2", "--", "rev"])
    let client = try pyzmqClient(endpoint, [[text("hello")], [text("$HOME *")]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == [[text("olleh")], [text("* EMOH$")]])
    #expect(rep.wait(within: 10).status == 0)

    // arguments after -- reach the command as they are: no shell expands them
    let (literal, at) = try startBound("rep", ["-n", "1", "--", "echo", "$HOME", "*"])
    let got = try pyzmqClient(at, [[text("x")]])
    #expect(peerMessages(got.out) == [[text("$HOME *")]], "\(got)")
    #expect(literal.wait(within: 10).status == 0)
}

@Test func dataAnswersEveryRequestWithTheSameReply() throws {
    let (rep, endpoint) = try startBound("rep", ["--data", "pong", "-n", "3"])
    let client = try pyzmqClient(endpoint, [[text("a")], [text("b"), text("c")], [[]]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == Array(repeating: [text("pong")], count: 3))
    let r = rep.wait(within: 10)
    #expect(r.status == 0, "\(r)")
}

@Test func inCoprocessModeEachRequestGoesToStdoutAndTheNextInputLineIsItsReply() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "2"])
    let client = try startRR("client", endpoint)
    try client.write(peerLine([text("first")]) + peerLine([text("second")]))
    client.closeInput()

    try rep.waitForStdout(bytes: 6, within: 10)
    #expect(rep.stdout == text("first\n"))
    try rep.write("reply to first\n")
    try rep.waitForStdout(bytes: 13, within: 10)
    #expect(rep.stdout == text("first\nsecond\n"))
    try rep.write("reply to second\n")

    let r = rep.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    let got = client.wait(within: 10)
    #expect(got.status == 0, "\(got)")
    #expect(peerMessages(got.out) == [[text("reply to first")], [text("reply to second")]])
}

@Test func inCoprocessModeJsonKeepsEveryFrameBothWays() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "1", "-f", "json"])
    let client = try startRR("client", endpoint)
    try client.write(peerLine([text("a"), [], [0xFF, 0]]))
    client.closeInput()
    let expected = #"["a","",{"base64":"/wA="}]"# + "\n"
    try rep.waitForStdout(bytes: expected.utf8.count, within: 10)
    #expect(String(decoding: rep.stdout, as: UTF8.self) == expected)
    try rep.write(#"["x",{"base64":"AAE="},""]"# + "\n")
    #expect(rep.wait(within: 10).status == 0)
    let got = client.wait(within: 10)
    #expect(peerMessages(got.out) == [[text("x"), [0, 1], []]], "\(got)")
}

@Test func inCoprocessModeStdinEndingBeforeAReplyIsAnErrorNamingTheRequest() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "2"])
    rep.closeInput()
    let client = try startRR("client", endpoint, ["--timeout", "2"])
    try client.write(peerLine([text("unanswered")]))
    client.closeInput()
    let r = rep.wait(within: 10)
    #expect(r.status == 1, "\(r)")
    #expect(r.out == "unanswered\n")
    #expect(r.err.contains("stdin ended before the reply to request 1"), "\(r)")
    #expect(client.wait(within: 10).status == 3)
}

@Test func countEndsRepWithStatusZeroOnceItsLastReplyIsDeliveredAndAnswersNoMore() throws {
    let (rep, endpoint) = try startBound("rep", ["--echo", "-n", "2"])
    // the third request finds nobody to answer it
    let client = try pyzmqClient(endpoint, [[text("1")], [text("2")], [text("3")]], timeout: 2)
    let r = rep.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(client.status == 3, "\(client)")
    #expect(peerMessages(client.out) == [[text("1")], [text("2")]])
}

@Test func aFailingCommandStillAnswersWithItsOutputAndTheErrorGoesToStderr() throws {
    let (rep, endpoint) = try startBound("rep", ["--exec", #"echo "partial $(cat)"; echo oops >&2; exit 1"#, "-n", "2"])
    let client = try pyzmqClient(endpoint, [[text("a")], [text("b")]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == [[text("partial a")], [text("partial b")]])
    let r = rep.wait(within: 10)
    #expect(r.out.isEmpty)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("2 requests of 2 got a failed command's answer"), "\(r)")
    #expect(r.err.contains("request 1:") && r.err.contains("exited with status 1"), "\(r)")
    #expect(r.err.contains("request 2:"), "\(r)")
    #expect(r.err.contains("oops"), "the command's own stderr passes through: \(r)")
}

@Test func aCommandThatOutlivesExecTimeoutIsKilledAndAnsweredWithAnEmptyMessage() throws {
    let started = Clock.milliseconds()
    let (rep, endpoint) = try startBound("rep", [
        // the slow command even ignores SIGTERM: the kill must escalate to SIGKILL
        "--exec", #"read r; if [ "$r" = slow ]; then trap "" TERM; sleep 30; fi; echo "done $r""#,
        "--exec-timeout", "300ms", "-n", "2",
    ])
    let client = try pyzmqClient(endpoint, [[text("slow")], [text("quick")]])
    #expect(client.status == 0, "\(client)")
    #expect(peerMessages(client.out) == [[[]], [text("done quick")]])
    let r = rep.wait(within: 10)
    #expect(r.status == 1, "a command that failed makes the status 1 at the end: \(r)")
    #expect(r.err.contains("request 1:") && r.err.contains("--exec-timeout 300ms") && r.err.contains("empty message"), "\(r)")
    #expect(r.err.contains("1 request of 2 got a failed command's answer"), "\(r)")
    #expect(Clock.milliseconds() - started < 15_000, "the slow command was not left to run its 30 s")
}

@Test func aCommandKilledBySignalOrWritingInvalidOutputIsAnsweredWithAnEmptyMessage() throws {
    let (rep, endpoint) = try startBound("rep", ["--exec", #"read r; [ "$r" = 6b696c6c ] && kill -9 $$; echo "$r""#,
                                                 "-f", "hex", "-n", "3"])
    // the command for "kill" is killed; the others echo their request as it came (in hex)
    let client = try pyzmqClient(endpoint, [[text("kill")], [text("ab"), text("c")], [[0x00, 0xFF]]])
    #expect(client.status == 0, "\(client)")
    let r = rep.wait(within: 10)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("request 1:") && r.err.contains("signal 9"), "\(r)")
    #expect(peerMessages(client.out) == [[[]], [text("ab"), text("c")], [[0x00, 0xFF]]], "\(client)")

    let (bad, at) = try startBound("rep", ["--exec", "echo zz", "-f", "hex", "-n", "1"])
    let got = try pyzmqClient(at, [[text("x")]])
    #expect(peerMessages(got.out) == [[[]]], "\(got)")
    let b = bad.wait(within: 10)
    #expect(b.err.contains("not valid hex") && b.err.contains("empty message"), "\(b)")
}

// MARK: - req against pyzmq servers

@Test func reqSendsEachInputLineAndPrintsTheRepliesInOrder() throws {
    let endpoint = Paths.ipcEndpoint()
    let server = try startServer("server", endpoint)
    defer { stop(server) }
    let r = try zswift(["req", "-c", endpoint, "-t", "10s"], input: "one\ntwo\n\nthree\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "reply:one\nreply:two\nreply:\nreply:three\n")
}

@Test func reqWritesEachReplyBeforeReadingTheNextRequestSoItWorksAsACoprocess() throws {
    let endpoint = Paths.ipcEndpoint()
    let server = try startServer("server", endpoint)
    defer { stop(server) }
    let req = try startZswift(["req", "-c", endpoint, "-t", "10s"])
    try req.write("first\n")
    try req.waitForStdout(bytes: 12, within: 10)
    #expect(req.stdout == text("reply:first\n"))
    try req.write("second\n")
    try req.waitForStdout(bytes: 25, within: 10)
    req.closeInput()
    let r = req.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "reply:first\nreply:second\n")
}

@Test func reqWithCountStopsAfterThatManyAnswers() throws {
    let endpoint = Paths.ipcEndpoint()
    let server = try startServer("server", endpoint)
    defer { stop(server) }
    let r = try zswift(["req", "-c", endpoint, "-n", "2", "-t", "10s"], input: "a\nb\nc\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "reply:a\nreply:b\n")
    server.pump()
    #expect(!String(decoding: server.stderr, as: UTF8.self).contains("received c"))
}

@Test func reqWithDataSendsOneRequestOrCountOfThem() throws {
    let endpoint = Paths.ipcEndpoint()
    let server = try startServer("server", endpoint)
    defer { stop(server) }
    let once = try zswift(["req", "-c", endpoint, "-d", "ping", "-t", "10s"])
    #expect(once.status == 0, "\(once)")
    #expect(once.out == "reply:ping\n")
    let thrice = try zswift(["req", "-c", endpoint, "-d", "k", "-d", "v", "-n", "3", "-t", "10s"])
    #expect(thrice.status == 0, "\(thrice)")
    #expect(thrice.out == "k\treply:v\nk\treply:v\nk\treply:v\n")
}

@Test func aServerKilledAndRestartedMidStreamAnswersEveryRequestExactlyOnceInOrder() throws {
    let endpoint = Paths.ipcEndpoint()
    let first = try startServer("server", endpoint, ["--stall-on", "r3"])
    let req = try startZswift(["req", "-c", endpoint, "-t", "1s", "--retries", "5"])
    try req.write((1...6).map { "r\($0)\n" }.joined())
    req.closeInput()

    // the first server takes r3 and dies without answering it
    try first.waitForStderr("received r3", within: 15)
    first.signal(SIGKILL)
    _ = first.wait(within: 5)
    let second = try startServer("server", endpoint)
    defer { stop(second) }

    let r = req.wait(within: 30)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == (1...6).map { "reply:r\($0)\n" }.joined())
    #expect(r.err.contains("resending request 3 (attempt 2 of 6)"), "\(r)")
    second.pump()
    let served = String(decoding: second.stderr, as: UTF8.self)
    #expect(served.contains("received r4") && !served.contains("received r1") && !served.contains("received r2"), "\(served)")
}

@Test(arguments: ["mute", "dead ipc", "dead tcp"])
func reqGivesUpAfterThreeAttemptsWithStatusThreeNamingTheEndpoint(server: String) throws {
    let endpoint = server == "dead tcp" ? "tcp://127.0.0.1:\(Paths.freePort())" : Paths.ipcEndpoint()
    let mute = server == "mute" ? try startServer("mute", endpoint) : nil
    defer { if let mute { stop(mute) } }
    let started = Clock.milliseconds()
    let r = try zswift(["req", "-c", endpoint, "-d", "hi", "-t", "300ms", "--retries", "2"])
    let elapsed = Clock.milliseconds() - started
    #expect(r.status == 3, "\(r)")
    #expect(r.out.isEmpty)
    #expect(r.err.contains("no reply from \(endpoint) within 300ms in 3 attempts"), "\(r)")
    #expect(occurrences(of: "resending request 1", in: r.err) == 2, "\(r)")
    #expect(elapsed >= 850 && elapsed < 10_000, "took \(elapsed) ms")
    if let mute {
        // the server saw all three attempts
        try waitUntil("three copies of the request", within: 10, pumping: [mute]) {
            occurrences(of: "received hi", in: String(decoding: mute.stderr, as: UTF8.self)) >= 3
        }
        mute.pump()
        #expect(occurrences(of: "received hi", in: String(decoding: mute.stderr, as: UTF8.self)) == 3)
    }
}

@Test func ctrlCEndsAReqWaitingForAReplyWithoutATimeoutPromptly() throws {
    let endpoint = Paths.ipcEndpoint()
    let mute = try startServer("mute", endpoint)
    defer { stop(mute) }
    let req = try startZswift(["req", "-c", endpoint, "-d", "anyone?"])
    try mute.waitForStderr("received anyone?", within: 10)
    let before = Clock.milliseconds()
    req.signal(SIGINT)
    let r = req.wait(within: 5)
    #expect(r.status == 130, "\(r)")
    #expect(Clock.milliseconds() - before < 2000)
    #expect(r.out.isEmpty)
}

@Test(arguments: [[String](), ["--identity", "client-1"]])
func aLateReplyToAnAbandonedAttemptIsNeverTakenForTheAnswerToALaterRequest(identity: [String]) throws {
    // the server answers the first copy of r1 1.5 s late, while r2 is waiting for its answer
    let endpoint = Paths.ipcEndpoint()
    let server = try startServer("late", endpoint, ["--delay", "1.5"])
    defer { stop(server) }
    let r = try zswift(["req", "-c", endpoint, "-t", "1s", "--retries", "3"] + identity,
                       input: "r1\nr2\nr3\nr4\n", within: 30)
    #expect(r.status == 0, "\(r)")
    #expect(r.err.contains("resending request 1"), "\(r)")
    let expected = "reply:r1\nreply:r2\nreply:r3\nreply:r4\n"
    // with --identity the reopened socket has the same routing id: REQ_CORRELATE tells the replies apart
    #expect(r.out == expected, "\(r)")
    // whatever happened, never more than one line per request
    #expect(lines(r.out).count == 4, "\(r)")
}

// MARK: - dealer and router

@Test func routerShowsEachSendersIdInHexAndRoutesRepliesByIt() throws {
    let (router, endpoint) = try startBound("router")
    let alice = try startZswift(["dealer", "-c", endpoint, "--identity", "alice", "-n", "1", "-t", "15s"])
    let bob = try startZswift(["dealer", "-c", endpoint, "--identity", "bob", "-n", "2", "-t", "15s"])
    try alice.write("hello from alice\n")
    try bob.write("hello from bob\n")
    try waitUntil("both greetings at the router", within: 10, pumping: [router]) {
        lines(String(decoding: router.stdout, as: UTF8.self)).count >= 2
    }
    #expect(Set(lines(String(decoding: router.stdout, as: UTF8.self))) == [
        hex(text("alice")) + "\thello from alice", hex(text("bob")) + "\thello from bob",
    ])

    try router.write(hex(text("alice")) + "\tto alice\n" + hex(text("nobody")) + "\tlost\n"
                     + hex(text("bob")) + "\tto bob\n" + hex(text("bob")) + "\tagain\tbob\n")
    try router.waitForStderr("no connected peer has that routing id", within: 10)
    alice.closeInput()
    bob.closeInput()
    let a = alice.wait(within: 15), b = bob.wait(within: 15)
    #expect(a.status == 0 && a.out == "to alice\n", "\(a)")
    #expect(b.status == 0 && b.out == "to bob\nagain\tbob\n", "\(b)")

    router.closeInput()
    let r = router.wait(within: 15)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains(hex(text("nobody"))), "\(r)")
    #expect(occurrences(of: "no connected peer", in: r.err) == 1, "\(r)")
}

@Test func withJsonTheRouterShowsTheIdFrameAsPlainText() throws {
    let (router, endpoint) = try startBound("router", ["-f", "json"])
    let alice = try startZswift(["dealer", "-c", endpoint, "--identity", "alice", "-n", "1", "-t", "15s", "-f", "json"])
    try alice.write(#"["hi",{"base64":"AP8="}]"# + "\n")
    let expected = #"["alice","hi",{"base64":"AP8="}]"# + "\n"
    try router.waitForStdout(bytes: expected.utf8.count, within: 10)
    #expect(String(decoding: router.stdout, as: UTF8.self) == expected)
    try router.write(#"["alice","back",""]"# + "\n")
    alice.closeInput()
    let a = alice.wait(within: 15)
    #expect(a.status == 0 && a.out == #"["back",""]"# + "\n", "\(a)")
    router.closeInput()
    let r = router.wait(within: 15)
    #expect(r.status == 0, "\(r)")
}
