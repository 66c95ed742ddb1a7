// Black-box: push/pull, pub/sub and pair between zswift processes and pyzmq peers, over tcp and
// ipc, with binary data, multipart messages and every lossless format.
import Glibc
import Testing
import TestSupport

@Test func linesPushedOverTCPArriveInOrderAndIntact() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "3", "-t", "10s"])
    let push = try zswift(["push", "-c", endpoint], input: "one\ntwo\r\n\tthree\n")
    #expect(push.status == 0, "\(push)")
    let r = pull.wait(within: 15)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "one\ntwo\r\n\tthree\n")
}

@Test func messagesPushedOverIPCArriveIntact() throws {
    let endpoint = Paths.ipcEndpoint()
    let pull = try startZswift(["pull", "-b", endpoint, "-n", "2", "-t", "10s"])
    let push = try zswift(["push", "-c", endpoint, "--wait-peers", "1", "-t", "10s"], input: "a\nb\n")
    #expect(push.status == 0, "\(push)")
    let r = pull.wait(within: 15)
    #expect(r.out == "a\nb\n", "\(r)")
}

@Test(arguments: ["zmtp", "json", "quoted", "hex", "base64"])
func binaryMultipartMessagesSurviveAZswiftToZswiftPipeInEveryLosslessFormat(format: String) throws {
    // pyzmq sends awkward messages into zswift pull --out FORMAT; zswift push --in FORMAT replays
    // that output into another pyzmq pull, which must see the very same messages.
    let messages: [[[UInt8]]] = [
        [[0, 255, 13, 10, 9, 0]], [[], [], []], [Array("héllo".utf8), [0xC3], Array(repeating: 0x41, count: 70_000)],
        [[13]], [Array("\"quoted\" \\ back".utf8), [10]],
    ]
    let first = Paths.ipcEndpoint(), second = Paths.ipcEndpoint()
    let pull = try startZswift(["pull", "-b", first, "--out", format, "-n", "\(messages.count)", "-t", "10s"])
    let source = try startPeer("push", "connect", first, ["--send"])
    try source.write(messages.map(peerLine).joined())
    source.closeInput()
    let recorded = pull.wait(within: 20)
    #expect(recorded.status == 0, "\(recorded)")
    _ = source.wait(within: 10)

    let sink = try startPeer("pull", "bind", second, ["--count", "\(messages.count)"])
    let replay = try zswift(["push", "-c", second, "--in", format], bytes: recorded.stdout)
    #expect(replay.status == 0, "\(replay)")
    let r = sink.wait(within: 20)
    #expect(r.status == 0, "\(r)")
    #expect(peerMessages(r.out) == messages)
}

@Test func zswiftPushFeedsAPyzmqPull() throws {
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let sink = try startPeer("pull", "bind", endpoint, ["--count", "3"])
    let r = try zswift(["push", "-c", endpoint, "-S", "|"], input: "a|b\n\nc\n")
    #expect(r.status == 0, "\(r)")
    let got = sink.wait(within: 15)
    #expect(peerMessages(got.out) == [[Array("a".utf8), Array("b".utf8)], [[]], [Array("c".utf8)]], "\(got)")
}

@Test func aPyzmqPushFeedsZswiftPullAndMultipartIsJoinedByTabs() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "2", "-t", "10s"])
    let source = try startPeer("push", "connect", endpoint, ["--send"])
    try source.write(peerLine([Array("k".utf8), Array("v".utf8)]) + peerLine([Array("x".utf8)]))
    source.closeInput()
    let r = pull.wait(within: 15)
    #expect(r.out == "k\tv\nx\n", "\(r)")
}

@Test func zswiftPubWaitsForItsSubscriberAndTheSubscriberFiltersByPrefix() throws {
    let endpoint = Paths.ipcEndpoint()
    let sub = try startZswift(["sub", "-c", endpoint, "-s", "10001", "-n", "2", "-t", "10s"])
    let pub = try zswift(["pub", "-b", endpoint, "--wait-subscribers", "1", "-t", "10s"],
                         input: "10001 sunny\n20002 rain\n10001 snow\n")
    #expect(pub.status == 0, "\(pub)")
    let r = sub.wait(within: 15)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "10001 sunny\n10001 snow\n")
}

@Test func aPyzmqPublisherReachesZswiftSub() throws {
    let endpoint = Paths.ipcEndpoint()
    let pub = try startPeer("xpub", "bind", endpoint, ["--wait-sub", "1", "--send"])
    let sub = try startZswift(["sub", "-c", endpoint, "-s", "w", "-n", "1", "-t", "10s"])
    try pub.write(peerLine([Array("other".utf8)]) + peerLine([Array("weather".utf8), [0]]))
    pub.closeInput()
    let r = sub.wait(within: 15)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "weather\t\u{0}\n")
    _ = pub.wait(within: 5)
}

@Test func pairCarriesBothDirectionsAtOnceAndEndsWhenThePeerLeaves() throws {
    let endpoint = Paths.ipcEndpoint()
    let peer = try startPeer("pair", "bind", endpoint, ["--echo", "--count", "2"])
    let r = try zswift(["pair", "-c", endpoint, "-t", "10s"], input: "ping\npong\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "ping\npong\n")
    #expect(peer.wait(within: 10).status == 0)
}

@Test func xpubShowsTheSubscriptionXsubSendsAndTheUnsubscriptionWhenXsubLeaves() throws {
    // the xsub leaves first (-q ends it once its subscription is out): libzmq's XPUB then reports
    // the topic nobody wants any more
    let endpoint = Paths.ipcEndpoint()
    let xpub = try startZswift(["xpub", "-b", endpoint, "-n", "2", "-t", "10s"])
    let xsub = try zswift(["xsub", "-c", endpoint, "--wait-peers", "1", "-q", "100ms", "-t", "10s"], input: "+weather\n")
    #expect(xsub.status == 0, "\(xsub)")
    #expect(xsub.out == "", "\(xsub)")
    let r = xpub.wait(within: 15)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "+weather\n-weather\n")
}

@Test func xsubEndsWithSuccessWhenTheXpubThatTookItsSubscriptionLeaves() throws {
    // the xpub leaves first, once it has the subscription: the xsub's one message was delivered
    let endpoint = Paths.ipcEndpoint()
    let xpub = try startZswift(["xpub", "-b", endpoint, "-n", "1", "-t", "10s"])
    let xsub = try zswift(["xsub", "-v", "-c", endpoint, "--wait-peers", "1", "-t", "10s", "--linger", "1s"], input: "+weather\n")
    let r = xpub.wait(within: 15)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "+weather\n")
    #expect(xsub.out == "", "\(xsub)")
    #expect(xsub.err.contains("end of input and no peer left"), "\(xsub)")
    // libzmq's XSUB queues its subscriptions again for a reconnect once the xpub has gone: they
    // are not undelivered messages, and the delivery wait must not count them as such
    #expect(xsub.status == 0, "\(xsub)")
}

@Test func dataIsSentCountTimesAtTheInterval() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "3", "-t", "10s"])
    let r = try zswift(["push", "-c", endpoint, "-d", "tick", "-d", "tock", "-n", "3", "-i", "10ms"])
    #expect(r.status == 0, "\(r)")
    #expect(pull.wait(within: 15).out == "tick\ttock\ntick\ttock\ntick\ttock\n")
}

@Test func aFileIsSentAsOneMessage() throws {
    let dir = Paths.temporaryDirectory()
    let file = dir + "/data"
    let content: [UInt8] = [1, 2, 10, 0, 255, 10]
    let fd = open(file, O_WRONLY | O_CREAT, 0o600)
    _ = content.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
    close(fd)
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "--out", "hex", "-t", "10s"])
    let r = try zswift(["push", "-c", endpoint, "--file", file])
    #expect(r.status == 0, "\(r)")
    #expect(pull.wait(within: 15).out == "01020a00ff0a\n")
}

@Test func nulDelimitedRecordsRoundTrip() throws {
    let (pull, endpoint) = try startBound("pull", ["-0", "-n", "2", "-t", "10s"])
    let r = try zswift(["push", "-0", "-c", endpoint], bytes: Array("a b\nc\u{0}d\u{0}".utf8))
    #expect(r.status == 0, "\(r)")
    #expect(pull.wait(within: 15).stdout == Array("a b\nc\u{0}d\u{0}".utf8))
}

@Test func rawFormatSendsAllOfStdinAsOneMessage() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "--out", "json", "-t", "10s"])
    let r = try zswift(["push", "-c", endpoint, "--in", "raw"], input: "two\nlines\n")
    #expect(r.status == 0, "\(r)")
    #expect(pull.wait(within: 15).out == "[\"two\\nlines\\n\"]\n")
}

@Test func xsubDeliversItsSubscriptionToAPublisherThatComesLate() throws {
    let endpoint = Paths.ipcEndpoint()
    let xsub = try startZswift(["xsub", "-c", endpoint, "-s", "A", "-q", "300ms", "-t", "10s"])
    xsub.closeInput()
    // the xsub has ended its input and waits to deliver its subscription when the publisher comes
    try xsub.waitForStderr("waiting for a peer", within: 10)
    let xpub = try zswift(["xpub", "-b", endpoint, "-n", "1", "-t", "10s"], input: "")
    #expect(xpub.status == 0 && xpub.out == "+A\n", "\(xpub)")
    #expect(xsub.wait(within: 15).status == 0)
}
