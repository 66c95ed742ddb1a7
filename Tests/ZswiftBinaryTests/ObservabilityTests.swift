// Black-box: what zswift says about itself on stderr — --events json, -v/-vv, --stats and
// SIGUSR1 — and that none of it reaches stdout.
import Glibc
import Testing
import TestSupport

@Test func eventsJsonWritesOneMonitorEventPerLineOnStderr() throws {
    let endpoint = Paths.ipcEndpoint()
    let pull = try startZswift(["pull", "-b", endpoint, "-n", "1", "--events", "json", "-t", "10s"])
    let r = try zswift(["push", "-c", endpoint, "--wait-peers", "1", "-t", "10s"], input: "hi\n")
    #expect(r.status == 0, "\(r)")
    let got = pull.wait(within: 10)
    #expect(got.out == "hi\n", "\(got)")
    let events = lines(got.err).filter { $0.hasPrefix("{") }
    #expect(events.contains { $0.contains(#""event":"accepted""#) && $0.contains(#""endpoint":"\#(endpoint)""#) }, "\(got)")
    #expect(events.contains { $0.contains(#""event":"handshake_succeeded""#) }, "\(got)")
    #expect(events.allSatisfy { $0.hasSuffix("}") && $0.contains(#""time":"#) }, "\(got)")
}

@Test func verboseTwiceTracesEveryMessageOnStderrOnly() throws {
    let (pull, endpoint) = try startBound("pull", ["-vv", "-n", "1", "-t", "10s"])
    let push = try zswift(["push", "-c", endpoint, "-vv", "-S", "|"], input: "a|bc\n")
    #expect(push.status == 0, "\(push)")
    #expect(push.out == "", "\(push)")
    #expect(push.err.contains(#"sent 2 frames, 3 bytes: "a" "bc""#), "\(push)")
    let r = pull.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "a\tbc\n")
    #expect(r.err.contains(#"received 2 frames, 3 bytes: "a" "bc""#), "\(r)")
}

@Test func statsAtExitCountMessagesAndBytes() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "3", "--stats", "-t", "10s"])
    let push = try zswift(["push", "-c", endpoint, "--stats"], input: "a\nbb\nccc\n")
    #expect(push.err.contains("sent 3 messages, 6 bytes"), "\(push)")
    let r = pull.wait(within: 10)
    #expect(r.err.contains("received 3 messages, 6 bytes"), "\(r)")
    #expect(r.out == "a\nbb\nccc\n")
}

@Test func sigusr1PrintsTheCountersAndTheReceiverGoesOn() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "2", "-t", "10s"])
    let first = try zswift(["push", "-c", endpoint], input: "one\n")
    #expect(first.status == 0 && first.out == "", "\(first)")
    try pull.waitForStdout(bytes: 4, within: 10)
    pull.signal(SIGUSR1)
    try pull.waitForStderr("received 1 message, 3 bytes", within: 10)
    let second = try zswift(["push", "-c", endpoint], input: "two\n")
    #expect(second.status == 0 && second.out == "", "\(second)")
    let r = pull.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "one\ntwo\n")
}

@Test func eventsJSONFoldsAReconnectLoopIntoAFewLinesASecondWithCounts() throws {
    // nothing listens at the port: libzmq cycles connect_delayed / closed / connect_retried every 100 ms
    let port = Paths.freePort()
    let r = try zswift(["push", "-c", "tcp://127.0.0.1:\(port)", "--events", "json", "--linger", "3s", "-d", "x"])
    #expect(r.status == 3, "\(r)")
    let events = r.err.split(separator: "\n").filter { $0.hasPrefix("{\"event\"") }
    #expect(events.count >= 3 && events.count <= 15, "\(events.count) lines:\n\(r.err)")
    #expect(events.contains { $0.contains("\"event\":\"connect_retried\"") && $0.contains("\"repeated\":") }, "\(r.err)")
}

@Test func statsAfterLingerZeroWithNoPeerSaysNothingWasDelivered() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--linger", "0", "--stats"], input: "1\n2\n3\n4\n5\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.err.contains("queued 5 messages, 5 bytes, none delivered: no peer took them"), "\(r)")
    #expect(!r.err.contains("sent 5"), "\(r)")
}

@Test func statsSayWhenEverythingWasDeliveredAndRateTheActivePeriodOnly() throws {
    let endpoint = Paths.ipcEndpoint()
    let r = try shell("""
        "$Z" pull -b \(endpoint) --stats -t 1s >/dev/null & p=$!
        seq 50000 | "$Z" push -c \(endpoint) --stats
        wait $p
        """)
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("sent 50000 messages") && r.err.contains("all delivered"), "\(r)")
    // the trailing 1 s of silence is in the whole time, not in the period the rate is over
    let line = lines(r.err).first { $0.contains("received 50000 messages") } ?? ""
    let numbers = line.split(whereSeparator: { !$0.isNumber && $0 != "." }).compactMap { Double($0) }
    // received N, size, rate, period, total: the period (ms) is well under the total (ms or s)
    #expect(line.contains("msg/s over") && line.contains(" in all"), "\(r)")
    let total = line.hasSuffix(" s in all") ? numbers.last! * 1000 : numbers.last!
    let period = line.contains("ms; ") ? numbers[numbers.count - 2] : numbers[numbers.count - 2] * 1000
    #expect(period < total - 900, "\(line)")
}

@Test func lineOutputWarnsOnceWhenAFrameHoldsTheSeparatorThatJoinsFrames() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "3", "-t", "10s"])
    let push = try zswift(["push", "-c", endpoint, "-S", "|"], input: "single\tframe\na\tb|c\nd\te|f\n")
    #expect(push.status == 0 && push.out == "", "\(push)")
    // the warning is about line output: the push, which reads lines, has nothing to say
    #expect(!push.err.contains("separator"), "\(push)")
    let r = pull.wait(within: 10)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "single\tframe\na\tb\tc\nd\te\tf\n", "\(r)")
    // a TAB in a one-frame message hides nothing; in a message of several frames it does
    #expect(occurrences(of: "message 2 has a frame that contains a TAB, the separator", in: r.err) == 1, "\(r)")
    #expect(occurrences(of: "separator", in: r.err) == 1, "\(r)")
}

@Test func conflateWithAMultipartMessageSaysItKeepsOneFrame() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--conflate", "-S", "|", "--linger", "0"], input: "a|b\nc|d\n")
    #expect(r.status == 0, "\(r)")
    #expect(occurrences(of: "message 1 has 2 frames, but --conflate keeps single-frame messages only", in: r.err) == 1, "\(r)")
}

@Test func verboseNamesAConnectEndpointAsTheUserGaveItEvenAfterLibzmqResolvedIt() throws {
    // the peer sends one message and leaves: libzmq reconnects to the address it resolved
    let (push, endpoint) = try startBound("push", ["-d", "x"])
    let port = endpoint.split(separator: ":").last!
    let r = try zswift(["pull", "-v", "-c", "localhost:\(port)", "-t", "1s"])
    #expect(r.status == 3 && r.out == "x\n", "\(r)")
    #expect(r.err.contains("reconnecting to tcp://localhost:\(port)"), "\(r)")
    #expect(!r.err.contains("127.0.0.1"), "\(r)")
    _ = push.wait(within: 10)
}

@Test func aClientWhoseCurveHandshakeFailedIsNotToldThereIsNoPeer() throws {
    let (_, serverSecret) = try curveKeyPair()
    let (clientPublic, clientSecret) = try curveKeyPair()
    let (wrongPublic, _) = try curveKeyPair()
    let endpoint = Paths.ipcEndpoint()
    let server = try startZswift(["pull", "-v", "-b", endpoint, "-o", "curve_server=1", "-o", "curve_secretkey=\(serverSecret)", "-t", "15s"])
    defer { server.signal(SIGTERM) }
    try server.waitForStderr("bound to", within: 10)
    let r = try zswift(["push", "-v", "-c", endpoint, "-o", "curve_serverkey=\(wrongPublic)", "-o", "curve_publickey=\(clientPublic)",
                        "-o", "curve_secretkey=\(clientSecret)", "-d", "x"], within: 15)
    #expect(r.status == 4, "\(r)")
    #expect(!r.err.contains("no peer at"), "\(r)")
}

@Test func aHandshakeCutShortIsSaidInWordsNotAsAnErrnoText() throws {
    // a listener that accepts and closes at once: libzmq reports the failure with EPIPE/ECONNRESET
    let r = try run(["python3", "-c", """
        import socket, subprocess, sys
        l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(8)
        p = subprocess.Popen([sys.argv[1], "push", "-v", "-c", "tcp://127.0.0.1:%d" % l.getsockname()[1], "--linger", "1s", "-d", "x"],
                             stderr=subprocess.PIPE)
        for _ in range(3):
            c, _ = l.accept(); c.close()
        sys.stderr.write(p.communicate()[1].decode())
        """, Paths.zswift], within: 20)
    // with NULL security the peer may have been a ZMTP 2.0 one that took the message: both are said
    #expect(r.err.contains("ended without a ZMTP 3 handshake (closed by the peer)"), "\(r)")
    #expect(!r.err.contains("Broken pipe") && !r.err.contains("Connection reset"), "\(r)")
}

@Test func aSenderWaitingForInputReportsConnectionEventsWhenTheyHappen() throws {
    // tail -f app.log | zswift pub -v: events must not wait for the next input line
    let (push, endpoint) = try startBound("push", ["--linger", "0"])
    let pull = try zswift(["pull", "-c", endpoint, "-t", "200ms"])
    #expect(pull.status == 3, "\(pull)")
    let seen = try push.waitForStderr("disconnected from", within: 5)
    #expect(seen.contains("accepted 127.0.0.1:"), "\(seen)")
    push.closeInput()
    #expect(push.wait(within: 10).status == 0)
}

@Test func eventsJSONShowsEachOfTwoPeersLeavingHalfASecondApartWhenItHappensWithItsOwnFd() throws {
    let (pull, endpoint) = try startBound("pull", ["--events", "json"])
    defer { pull.signal(SIGTERM); _ = pull.wait(within: 10) }
    let pushes = try (0..<2).map { _ in try startZswift(["push", "-c", endpoint]) }
    try waitUntil("both pushes connected", within: 10, pumping: [pull]) {
        occurrences(of: #""event":"handshake_succeeded""#, in: String(decoding: pull.stderr, as: UTF8.self)) == 2
    }
    /// The --events lines about disconnections so far.
    func disconnections() -> [String] { lines(String(decoding: pull.stderr, as: UTF8.self)).filter { $0.contains(#""event":"disconnected""#) } }
    pushes[0].closeInput()
    _ = pushes[0].wait(within: 10)
    try waitUntil("the first disconnection shown", within: 1.5, pumping: [pull]) { disconnections().count == 1 }
    // half a second on, the second push leaves: its line comes out now, not at the end of the run
    let left = Clock.milliseconds()
    while Clock.milliseconds() - left < 500 { pull.pump(waitMilliseconds: 50) }
    pushes[1].closeInput()
    _ = pushes[1].wait(within: 10)
    try waitUntil("the second disconnection shown", within: 1.5, pumping: [pull]) { disconnections().count == 2 }
    let err = String(decoding: pull.stderr, as: UTF8.self)
    let accepted = lines(err).filter { $0.contains(#""event":"accepted""#) }.map(value)
    #expect(Set(disconnections().map(value)) == Set(accepted) && accepted.count == 2, "\(err)")
    let times = disconnections().map(time)
    #expect(times[1] - times[0] >= 0.4, "\(err)")
}

/// The "value" of an --events line.
private func value(_ line: String) -> Int { number(after: #""value":"#, in: line) }

/// The "time" of an --events line, in seconds.
private func time(_ line: String) -> Double {
    guard let r = line.firstRange(of: #""time":"#) else { return -1 }
    return Double(line[r.upperBound...].prefix { $0.isNumber || $0 == "." }) ?? -1
}

private func number(after key: String, in line: String) -> Int {
    guard let r = line.firstRange(of: key) else { return -1 }
    return Int(line[r.upperBound...].prefix { $0.isNumber }) ?? -1
}

@Test func statsAreNotPrintedForARunThatNeverGotItsSocket() throws {
    let (pull, endpoint) = try startBound("pull")
    defer { pull.signal(SIGTERM) }
    let r = try zswift(["pull", "-b", endpoint, "--stats"])
    #expect(r.status == 1 && r.err.contains("address already in use"), "\(r)")
    #expect(!r.err.contains("received 0 messages"), "\(r)")
}

@Test func theBrokerPrintsOnlyItsProxysCountersUnderStats() throws {
    let broker = try startZswift(["broker", "-v", "--frontend", "tcp://127.0.0.1:*", "--backend", "tcp://127.0.0.1:*", "--stats"])
    try broker.waitForStderr("bound to", within: 10)
    broker.signal(SIGTERM)
    let r = broker.wait(within: 10)
    #expect(r.status == 143, "\(r)")
    #expect(r.err.contains("frontend to backend: 0 messages"), "\(r)")
    #expect(!r.err.contains("received 0 messages"), "\(r)")
}

@Test func aPeerThatLeftWithoutTakingWhatWasSentIsNotCalledAllDelivered() throws {
    let endpoint = Paths.ipcEndpoint()
    // a PULL that connects, never reads (its buffers fill), and goes after a second and a half,
    // while push waits for delivery (its input is ready first, so that under load it is not still
    // sending when the peer goes: a peer that left before the wait began is not seen leaving)
    let input = Paths.temporaryDirectory() + "/input"
    let r = try shell("""
        head -c 1000000 /dev/zero | tr '\\0' x | fold -w 5000 > \(input)
        python3 -c '
        import sys, time, zmq
        s = zmq.Context().socket(zmq.PULL); s.rcvhwm = 1; s.rcvbuf = 4096; s.connect(sys.argv[1])
        time.sleep(1.5); s.close(linger=0)' \(endpoint) &
        "$Z" push -b \(endpoint) --stats -t 5s < \(input)
        """)
    #expect(!r.err.contains("all delivered"), "\(r)")
    #expect(r.err.contains("not all known delivered: a peer left with"), "\(r)")
}
