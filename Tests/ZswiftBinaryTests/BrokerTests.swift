// Black-box: zswift broker — queue (REQ clients over REP workers), forwarder (topics reach only
// their subscribers), streamer, --capture with its direction marks, --stats and SIGUSR1 counters.
import Glibc
import Testing
import TestSupport

// MARK: - Helpers for this file

/// A broker with -v on two fresh ipc endpoints, returned once it has bound both.
private func startBroker(_ options: [String]) throws -> (broker: Process, frontend: String, backend: String) {
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let broker = try startZswift(["broker", "-v", "--frontend", frontend, "--backend", backend] + options)
    try broker.waitForStderr("bound to \(frontend)", within: 10)
    try broker.waitForStderr("bound to \(backend)", within: 10)
    return (broker, frontend, backend)
}

private func outLines(_ process: Process) -> [String] { lines(String(decoding: process.stdout, as: UTF8.self)) }


/// Sends SIGTERM and expects the broker's clean 143.
private func stopBroker(_ broker: Process) -> Outcome {
    broker.signal(SIGTERM)
    let r = broker.wait(within: 10)
    #expect(r.status == 143, "\(r)")
    return r
}

// MARK: - queue

@Test func aQueueAnswersEveryRequestOfManyConcurrentClientsAndUsesEveryWorker() throws {
    let (broker, frontend, backend) = try startBroker([])
    let workers = try (1...3).map { i in
        try startZswift(["rep", "-c", backend, "--exec", "echo \"$(cat) from W\(i)\""])
    }
    defer { for worker in workers { worker.signal(SIGTERM); _ = worker.wait(within: 10) } }
    try waitUntil("three workers connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 3 }

    let clientCount = 12, requestsEach = 3
    let clients = try (1...clientCount).map { c in
        let client = try startZswift(["req", "-c", frontend, "-t", "20s"])
        try client.write((1...requestsEach).map { "c\(c)-r\($0)\n" }.joined())
        client.closeInput()
        return client
    }
    var used: Set<String> = []
    for (c, client) in zip(1..., clients) {
        let r = client.wait(within: 30)
        #expect(r.status == 0, "\(r)")
        let got = lines(r.out)
        #expect(got.count == requestsEach, "client \(c): \(r)")
        for (n, line) in zip(1..., got) {
            #expect(line.hasPrefix("c\(c)-r\(n) from W"), "client \(c): \(line)")
            used.insert(String(line.split(separator: " ").last ?? ""))
        }
    }
    #expect(used == ["W1", "W2", "W3"], "workers used: \(used)")
    _ = stopBroker(broker)
}

// MARK: - forwarder and streamer

@Test func aForwarderDeliversToEachSubscriberOnlyTheTopicsItSubscribedTo() throws {
    // capture shows each subscription travelling up ("<"), so the test knows when both are in place
    let (broker, frontend, backend) = try startBroker(["--mode", "forwarder", "--capture", "--out", "json"])
    let weather = try startZswift(["sub", "-c", backend, "-s", "weather", "-n", "3", "-t", "15s"])
    let sport = try startZswift(["sub", "-c", backend, "-s", "sport", "-n", "3", "-t", "15s"])
    try waitUntil("both subscriptions at the broker", within: 10, pumping: [broker]) {
        let captured = outLines(broker)
        return captured.contains(#"["<","\u0001weather"]"#) && captured.contains(#"["<","\u0001sport"]"#)
    }
    let pub = try startZswift(["pub", "-c", frontend, "--wait-subscribers", "1", "-t", "15s"])
    // a publisher that just connected learns the subscriptions a moment later: publish rounds
    // until each subscriber has its three messages (bounded)
    let deadline = Clock.milliseconds() + 15_000
    var round = 0
    while outLines(weather).count < 3 || outLines(sport).count < 3 {
        guard Clock.milliseconds() < deadline else {
            throw SubprocessError("subscribers got \(outLines(weather)) and \(outLines(sport)) in 15 s")
        }
        round += 1
        try pub.write("news \(round)\nweather \(round)\nsport \(round)\n")
        weather.pump(waitMilliseconds: 25)
        sport.pump(waitMilliseconds: 25)
    }
    pub.closeInput()
    let w = weather.wait(within: 10), s = sport.wait(within: 10)
    #expect(w.status == 0 && s.status == 0, "\(w) \(s)")
    #expect(lines(w.out).count == 3 && lines(w.out).allSatisfy { $0.hasPrefix("weather ") }, "\(w)")
    #expect(lines(s.out).count == 3 && lines(s.out).allSatisfy { $0.hasPrefix("sport ") }, "\(s)")
    #expect(pub.wait(within: 10).status == 0)
    let r = stopBroker(broker)
    #expect(!r.out.contains("news"), "a topic nobody subscribed to was relayed: \(r.out)")
}

@Test func aStreamerDeliversEverythingPushedIntoItsFrontendInOrder() throws {
    let (broker, frontend, backend) = try startBroker(["--mode", "streamer"])
    let pull = try startZswift(["pull", "-c", backend, "-n", "500", "-t", "15s"])
    let all = (1...500).map { "message \($0)\n" }.joined()
    let push = try zswift(["push", "-c", frontend], input: all)
    #expect(push.status == 0, "\(push)")
    let r = pull.wait(within: 20)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == all)
    _ = stopBroker(broker)
}

// MARK: - capture

@Test func captureMarksARequestWithGreaterThanAndItsReplyWithLessThan() throws {
    let (broker, frontend, backend) = try startBroker(["--capture", "--out", "json"])
    let worker = try startZswift(["rep", "-c", backend, "--data", "pong", "-n", "1"])
    let r = try zswift(["req", "-c", frontend, "-d", "ping", "-t", "10s"])
    #expect(r.status == 0 && r.out == "pong\n", "\(r)")
    #expect(worker.wait(within: 10).status == 0)
    try waitUntil("two captured messages", within: 10, pumping: [broker]) { outLines(broker).count >= 2 }
    let captured = outLines(broker)
    let request = captured[0], reply = captured[1]
    #expect(request.hasPrefix(#"[">","#) && request.hasSuffix(#","","ping"]"#), "\(captured)")
    #expect(reply.hasPrefix(#"["<","#) && reply.hasSuffix(#","","pong"]"#), "\(captured)")
    // the same client envelope on both
    let id = request.dropFirst(5).dropLast(11)
    #expect(!id.isEmpty && reply == #"["<","# + id + #","","pong"]"#, "\(captured)")
    let end = stopBroker(broker)
    #expect(lines(end.out).count == 2, "\(end)")
}

@Test func captureInQuotedFormatShowsEachStreamedMessageWithItsDirection() throws {
    let (broker, frontend, backend) = try startBroker(["--mode", "streamer", "--capture", "--out", "quoted"])
    let pull = try startZswift(["pull", "-c", backend, "-n", "2", "-t", "15s"])
    let push = try zswift(["push", "-c", frontend, "-S", "|"], input: "a b|c\nx\n")
    #expect(push.status == 0, "\(push)")
    #expect(pull.wait(within: 15).out == "a b\tc\nx\n")
    try waitUntil("two captured messages", within: 10, pumping: [broker]) { outLines(broker).count >= 2 }
    #expect(outLines(broker) == [#"">" "a b" "c""#, #"">" "x""#])
    _ = stopBroker(broker)
}

@Test func captureShowsOnlyRelayedMessagesNotTheBrokersOwnStatisticsRequests() throws {
    let (broker, frontend, backend) = try startBroker(["--capture", "--out", "json"])
    let worker = try startZswift(["rep", "-c", backend, "--echo", "-n", "1"])
    let r = try zswift(["req", "-c", frontend, "-d", "ping", "-t", "10s"])
    #expect(r.status == 0, "\(r)")
    _ = worker.wait(within: 10)
    try waitUntil("two captured messages", within: 10, pumping: [broker]) { outLines(broker).count >= 2 }
    broker.signal(SIGUSR1)
    try broker.waitForStderr("frontend to backend: 1 message,", within: 10)
    let end = stopBroker(broker)
    // libzmq 4.3.4's proxy copies control commands to the capture socket: they must not show
    #expect(!end.out.contains("STATISTICS"), "\(end)")
    #expect(lines(end.out).count == 2, "\(end)")
}

/// The number after `word ` in the first line of `text` that contains `marker`.
private func number(after word: String, inLineWith marker: String, of text: String) -> Int? {
    guard let line = text.split(separator: "\n").first(where: { $0.contains(marker) }) else { return nil }
    let words = line.split(separator: " ")
    guard let i = words.firstIndex(of: Substring(word)), i + 1 < words.count else { return nil }
    return Int(words[i + 1])
}

@Test func aCaptureReaderThatStopsReadingNeverHoldsUpTheTrafficAndTheBrokerCountsWhatItDropped() throws {
    // the broker's stdout is a FIFO whose reader reads nothing until the test closes the shell's
    // stdin; then it counts the lines that reached it
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let broker = try startBrokerWithStuckCapture(frontend: frontend, backend: backend)
    try broker.waitForStderr("bound to \(frontend)", within: 10)
    let worker = try startZswift(["rep", "-c", backend, "--echo"])
    defer { worker.signal(SIGTERM); _ = worker.wait(within: 10) }

    // 10,000 captured messages of about 230 bytes: more than a pipe and the tap's backlog hold
    let padding = String(repeating: "x", count: 200)
    let client = try shell("seq 5000 | sed 's/$/ \(padding)/' | \"$Z\" req -c \(frontend) -t 3s", within: 60)
    try #require(client.status == 0 && client.out == (1...5000).map { "\($0) \(padding)\n" }.joined(),
                 "status \(client.status), \(lines(client.out).count) replies, stderr \(client.err)")

    // the broker still answers at once, with its stdout stuck
    broker.signal(SIGUSR1)
    try broker.waitForStderr("frontend to backend: 5000 messages", within: 10)
    let meanwhile = try #require(number(after: "capture:", inLineWith: "frontend to backend: 5000", of: errText(broker)))
    #expect(meanwhile > 0, "\(errText(broker))")

    let end = stopBroker(broker)
    let dropped = try #require(number(after: "dropped", inLineWith: "capture: dropped", of: end.err), "\(end)")
    #expect(number(after: "of", inLineWith: "capture: dropped", of: end.err) == 10000, "\(end)")
    #expect(end.err.contains("the reader of stdout was slower than the traffic"), "\(end)")
    // the final --stats line says the same
    let statsLines = end.err.split(separator: "\n").filter { $0.contains("frontend to backend: 5000") }
    #expect(statsLines.last?.hasSuffix("capture: \(dropped) messages dropped") == true, "\(end)")
    #expect(dropped >= meanwhile, "\(end)")

    // the reader now reads: every message the broker did not drop reached it
    let written = try capturedLineCount(broker)
    #expect(written.map { $0 + dropped } == 10000, "\(written.map(String.init) ?? "?") written, \(dropped) dropped: \(end)")
}

// MARK: - statistics

@Test(arguments: [(SIGTERM, Int32(143)), (SIGINT, Int32(130))])
func statsPrintsTheCountersWhenASignalStopsTheBroker(signal: Int32, status: Int32) throws {
    let (broker, frontend, backend) = try startBroker(["--stats"])
    let worker = try startZswift(["rep", "-c", backend, "--echo", "-n", "2"])
    let r = try zswift(["req", "-c", frontend, "-d", "ping", "-n", "2", "-t", "10s"])
    #expect(r.status == 0 && r.out == "ping\nping\n", "\(r)")
    #expect(worker.wait(within: 10).status == 0)
    broker.signal(signal)
    let end = broker.wait(within: 10)
    #expect(end.status == status, "\(end)")
    #expect(end.err.contains("frontend to backend: 2 messages"), "\(end)")
    #expect(end.err.contains("backend to frontend: 2 messages"), "\(end)")
}

@Test func sigusr1PrintsTheCountersAtOnceAndTheBrokerKeepsRelaying() throws {
    let (broker, frontend, backend) = try startBroker([])
    let worker = try startZswift(["rep", "-c", backend, "--echo", "-n", "4"])
    defer { worker.signal(SIGTERM); _ = worker.wait(within: 10) }
    let first = try zswift(["req", "-c", frontend, "-d", "one", "-n", "2", "-t", "10s"])
    #expect(first.status == 0, "\(first)")
    broker.signal(SIGUSR1)
    try broker.waitForStderr("frontend to backend: 2 messages", within: 10)
    #expect(errText(broker).contains("backend to frontend: 2 messages"))

    let second = try zswift(["req", "-c", frontend, "-d", "two", "-n", "2", "-t", "10s"])
    #expect(second.status == 0 && second.out == "two\ntwo\n", "\(second)")
    broker.signal(SIGUSR1)
    try broker.waitForStderr("frontend to backend: 4 messages", within: 10)
    let end = stopBroker(broker)
    // without --stats nothing more is printed at exit
    #expect(occurrences(of: "frontend to backend", in: end.err) == 2, "\(end)")
}

@Test func eventsJSONStillFoldingWhenTheBrokerStopsAreWrittenAtExit() throws {
    // nothing listens at the frontend's port: libzmq retries every 100 ms, and --events folds them
    let broker = try startZswift(["broker", "--events", "json", "--connect-frontend",
                                  "--frontend", "tcp://127.0.0.1:\(Paths.freePort())", "--backend", Paths.ipcEndpoint()])
    try broker.waitForStderr(#""event":"connect_retried""#, within: 10)
    // a few more retries, well within the second that folds them
    let seen = Clock.milliseconds()
    while Clock.milliseconds() - seen < 300 { broker.pump(waitMilliseconds: 20) }
    let end = stopBroker(broker)
    #expect(occurrences(of: #""event":"connect_retried""#, in: end.err) >= 2, "\(end)")
}
