// Black-box: how runs end — timeouts (status 3), signals (128+N), a reader that leaves stdout
// (quiet 0), malformed input (status 1 after sending what came before), --linger, --wait-peers.
import Glibc
import Testing
import TestSupport

@Test func aReceiverWithNothingToReceiveExitsThreeAtTheTimeout() throws {
    let r = try zswift(["pull", "-b", Paths.ipcEndpoint(), "-t", "200ms"])
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("no message arrived within --timeout 200ms"))
}

@Test func fewerThanCountMessagesBeforeTheTimeoutIsStatusThreeAndKeepsWhatArrived() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "5", "-t", "500ms"])
    _ = try zswift(["push", "-c", endpoint], input: "a\nb\n")
    let r = pull.wait(within: 10)
    #expect(r.status == 3, "\(r)")
    #expect(r.out == "a\nb\n")
    #expect(r.err.contains("received 2 of 5 messages"))
}

@Test(arguments: [(SIGINT, Int32(130)), (SIGTERM, Int32(143))])
func aSignalEndsABlockedReceiverPromptlyWithItsStatus(signal: Int32, status: Int32) throws {
    let (pull, _) = try startBound("pull")
    let before = Clock.milliseconds()
    pull.signal(signal)
    let r = pull.wait(within: 5)
    #expect(r.status == status, "\(r)")
    #expect(Clock.milliseconds() - before < 2000)
}

@Test func aSignalEndsASenderBlockedOnAPeerThatDoesNotRead() throws {
    // a bound push with no peer cannot send: it waits; Ctrl-C must still end it at once
    let push = try startZswift(["push", "-v", "-b", "tcp://127.0.0.1:*"])
    _ = try push.boundEndpoint()
    try push.write("a\nb\n")
    push.signal(SIGINT)
    #expect(push.wait(within: 5).status == 130)
}

@Test func aReaderThatClosesStdoutEndsTheReceiverQuietlyWithStatusZero() throws {
    let endpoint = Paths.ipcEndpoint()
    let r = try shell("""
        seq 1000000 | "$Z" push -c \(endpoint) & p=$!
        "$Z" pull -b \(endpoint) | head -1
        s=$?; kill $p 2>/dev/null; exit $s
        """)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "1\n")
    #expect(r.err.isEmpty)
}

@Test func aSubscriberPipedIntoHeadEndsEvenWhenNothingMoreArrives() throws {
    // the subscriber is blocked waiting when head exits: it notices the closed pipe without writing
    let endpoint = Paths.ipcEndpoint()
    let pub = try startZswift(["pub", "-b", endpoint, "--wait-subscribers", "1", "-t", "10s", "-d", "first"])
    let r = try shell("\"$Z\" sub -c \(endpoint) | head -1", within: 10)
    #expect(r.status == 0 && r.out == "first\n", "\(r)")
    _ = pub.wait(within: 5)
}

@Test func outputIsFlushedAsSoonAsNoFurtherMessageIsWaiting() throws {
    let (pull, endpoint) = try startBound("pull")
    defer { pull.signal(SIGTERM) }
    _ = try zswift(["push", "-c", endpoint], input: "now\n")
    try pull.waitForStdout(bytes: 4, within: 5)
    #expect(pull.stdout == Array("now\n".utf8))
}

@Test func aMalformedRecordIsReportedWithItsNumberAfterTheRecordsBeforeItAreSent() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "2", "--out", "hex", "-t", "5s"])
    let r = try zswift(["push", "-c", endpoint, "--in", "hex"], input: "00ff\n61\nzz\n62\n")
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("input record 3 is not valid hex"))
    let got = pull.wait(within: 10)
    #expect(got.out == "00ff\n61\n", "\(got)")
}

@Test func aTruncatedZmtpFrameIsAMalformedRecord() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "-t", "5s"])
    let r = try zswift(["push", "-c", endpoint, "--in", "zmtp"], bytes: [0, 2, 104, 105, 0, 5, 104])
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("input record 2") && r.err.contains("truncated"))
    #expect(pull.wait(within: 10).out == "hi\n")
}

@Test func lingerBoundsTheWaitForAPeerThatNeverComesWithStatusThree() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--linger", "300ms"], input: "lost?\n")
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("--linger 300ms ran out"))
}

@Test func aSenderSaysWhatItIsWaitingForAfterASecond() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--linger", "1500ms"], input: "x\n")
    #expect(r.status == 3)
    #expect(r.err.contains("waiting for a peer at ") && r.err.contains("to take the queued messages"), "\(r)")
}

@Test func waitPeersGivesUpWithStatusThreeAtTheTimeout() throws {
    let r = try zswift(["push", "-b", Paths.ipcEndpoint(), "--wait-peers", "1", "-t", "200ms"], input: "x\n")
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("0 of 1 peer connected within --timeout 200ms"))
}

@Test func waitSubscribersGivesUpWithStatusThreeAtTheTimeout() throws {
    let r = try zswift(["pub", "-b", Paths.ipcEndpoint(), "--wait-subscribers", "2", "-t", "200ms"], input: "x\n")
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("0 of 2 subscribers"))
}

@Test func aSenderOverMaxMsgSizeRefusesTheRecordAndSaysWhich() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "-t", "5s"])
    let r = try zswift(["push", "-c", endpoint, "--max-msg-size", "4"], input: "ok\ntoo long\n")
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("message 2 has a frame of 8 bytes, over --max-msg-size 4"))
    #expect(pull.wait(within: 10).out == "ok\n")
}

@Test func aReceiverLimitTooSmallForAHandshakeIsAUsageError() throws {
    let r = try zswift(["pull", ":5555", "--max-msg-size", "100"])
    #expect(r.status == 2)
    #expect(r.err.contains("too small"))
}

@Test func aReceiverDisconnectsAPeerThatSendsMoreThanMaxMsgSizeAndSaysSo() throws {
    let (pull, endpoint) = try startBound("pull", ["--max-msg-size", "1k", "-n", "1", "-t", "1s"])
    let big = String(repeating: "x", count: 2000)
    _ = try zswift(["push", "-c", endpoint, "--linger", "1s"], input: big + "\n")
    let r = pull.wait(within: 10)
    #expect(r.status == 3, "\(r)")
    #expect(r.out.isEmpty)
    #expect(r.err.contains("disconnected"), "\(r)")
}

@Test func aMillionLinesIntoASlowReaderOverIPCArriveComplete() throws {
    // zmq-facts: libzmq 4.3.4 can drop its last batch at close while the kernel buffer is full;
    // the sender must wait for its kernel queues to drain first.
    let endpoint = Paths.ipcEndpoint()
    let slow = try Process(["python3", "-c", """
        import sys, time, zmq
        s = zmq.Context().socket(zmq.PULL); s.rcvhwm = 100; s.bind(sys.argv[1])
        print("bound", file=sys.stderr, flush=True)
        time.sleep(1.0)
        n = 0; last = b""
        while s.poll(5000):
            last = s.recv(); n += 1
            if n % 100000 == 0: time.sleep(0.05)
        print(n, last.decode())
        """, endpoint])
    try slow.waitForStderr("bound", within: 10)
    let r = try shell("seq 1000000 | \"$Z\" push -c \(endpoint)", within: 120)
    #expect(r.status == 0, "\(r)")
    let got = slow.wait(within: 60)
    #expect(got.out == "1000000 1000000\n", "\(got)")
}

@Test(arguments: [("dealer", "router"), ("pair", "pair")])
func aBidirectionalCommandWhosePeerLeftBeforeCountIsStatusThree(command: String, server: String) throws {
    let (peer, endpoint) = try startBound(server, ["-n", "1", "-t", "10s"])
    peer.closeInput()
    let r = try zswift([command, "-c", endpoint, "-n", "1", "-t", "10s"], input: "hi\n")
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("received 0 of 1 messages: every peer has gone"), "\(r)")
    #expect(peer.wait(within: 10).status == 0)
}

@Test func twoPairsThatBothReachTheEndOfTheirInputBothEndWithQuitAfter() throws {
    let (first, endpoint) = try startBound("pair", ["-q", "500ms"])
    try first.write("hi\n")
    first.closeInput()
    let second = try zswift(["pair", "-c", endpoint, "-q", "500ms"], input: "yo\n")
    #expect(second.status == 0 && second.out == "hi\n", "\(second)")
    let r = first.wait(within: 10)
    #expect(r.status == 0 && r.out == "yo\n", "\(r)")
}

@Test func quitAfterRestartsWithEachArrivalAndCountsAgainstCount() throws {
    // the peer sends three messages 300 ms apart: -q 1s outlasts the gaps and sees all three,
    // but -n 4 was not reached, which is status 3
    let (dealer, endpoint) = try startBound("dealer", ["-q", "1s", "-n", "4", "--identity", "d"])
    dealer.closeInput()
    let r = try shell("""
        for i in 1 2 3; do printf '64\\t%s\\n' $i; sleep 0.3; done | "$Z" router -c \(endpoint) --wait-peers 1 -t 5s -q 3s
        """)
    #expect(r.status == 0, "\(r)")
    let got = dealer.wait(within: 10)
    #expect(got.status == 3 && got.out == "1\n2\n3\n", "\(got)")
    #expect(got.err.contains("received 3 of 4 messages: nothing arrived for --quit-after 1s after end of input"), "\(got)")
}

@Test func aTimeoutAfterOneMessageSaysOneMessage() throws {
    let (pull, endpoint) = try startBound("pull", ["-t", "300ms"])
    _ = try zswift(["push", "-c", endpoint, "-d", "only"])
    let r = pull.wait(within: 10)
    #expect(r.status == 3 && r.out == "only\n", "\(r)")
    #expect(r.err.contains("nothing more arrived within --timeout 300ms (after 1 message)"), "\(r)")
}

@Test func aCoprocessRepNoticesItsStdoutReaderLeavingWhileItWaitsForTheReply() throws {
    let dir = Paths.temporaryDirectory()
    let endpoint = Paths.ipcEndpoint()
    // rep's stdin never ends (a fifo held open); head takes the request and leaves
    let script = try Process(["/bin/sh", "-c", """
        mkfifo \(dir)/f; exec 3<>\(dir)/f
        ( "$Z" rep -b \(endpoint) <&3; echo "rep status $?" >&2 ) | head -1 &
        "$Z" req -c \(endpoint) -d hi -t 5s >/dev/null 2>&1
        wait
        """], environment: ["Z": Paths.zswift])
    let said = try script.waitForStderr("rep status", within: 4)
    #expect(said.contains("rep status 0"), "\(said)")
}
