// Black-box: zswift broker --mode lb (pyzmq workers that behave like the zguide's ppworker and
// lbworker, Tests/peers/lbpeer.py) and --mode majordomo (the zguide's reference Python client and
// worker API, Tests/peers/mdpeer.py): idle workers first, a killed worker replaced, replies only
// to their own client (never a reply from before a restart), a gone client wedging nothing,
// mmi.service, --capture, --stats, CURVE.
import Glibc
import Testing
import TestSupport

// MARK: - Helpers for this file

/// A balancing broker with -v on two fresh ipc endpoints, returned once it has bound both.
private func startBalancer(_ mode: String, _ options: [String] = []) throws -> (broker: Process, frontend: String, backend: String) {
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let broker = try startZswift(["broker", "--mode", mode, "-v", "--frontend", frontend, "--backend", backend] + options)
    try broker.waitForStderr("bound to \(frontend)", within: 10)
    try broker.waitForStderr("bound to \(backend)", within: 10)
    return (broker, frontend, backend)
}

/// Starts an lbpeer.py worker and waits until the broker (-v) says it joined (`joined` in all).
private func startWorker(_ backend: String, _ options: [String], broker: Process, joined: Int) throws -> Process {
    let worker = try Process(["python3", Paths.peer("lbpeer.py"), "worker", backend] + options)
    try waitUntil("worker \(joined) joined", within: 15, pumping: [broker, worker]) {
        occurrences(of: " joined", in: errText(broker)) >= joined
    }
    return worker
}


// MARK: - lb

@Test func lbSendsRequestsToTheIdleWorkerSoASlowWorkerDoesNotHoldUpTheBatch() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let slow = try startWorker(backend, ["--name", "slow", "--sleep", "0.5"], broker: broker, joined: 1)
    let fast = try startWorker(backend, ["--name", "fast"], broker: broker, joined: 2)
    defer { stop([slow, fast, broker]) }
    let started = Clock.milliseconds()
    let clients = try (1...20).map { c in
        let client = try startZswift(["req", "-c", frontend, "-t", "10s"])
        try client.write("c\(c)\n")
        client.closeInput()
        return client
    }
    var onFast = 0
    for (c, client) in zip(1..., clients) {
        let r = client.wait(within: 20)
        #expect(r.status == 0, "\(r)")
        #expect(r.out == "fast:c\(c)\n" || r.out == "slow:c\(c)\n", "client \(c) got \(r.out)")
        if r.out.hasPrefix("fast:") { onFast += 1 }
    }
    let elapsed = Clock.milliseconds() - started
    #expect(onFast >= 15, "\(onFast) of 20 on the fast worker")
    #expect(elapsed < 4000, "the batch took \(elapsed) ms (a round-robin queue takes over 5 s)")
}

@Test func lbServesThePlainREQWorkersOfTheZguideAndNeverAnswersTheWrongClient() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let a = try startWorker(backend, ["--name", "A", "--plain"], broker: broker, joined: 1)
    let b = try startWorker(backend, ["--name", "B", "--sleep", "0.01"], broker: broker, joined: 2)
    defer { stop([a, b, broker]) }
    let clients = try (1...10).map { c in
        let client = try startZswift(["req", "-c", frontend, "-t", "10s"])
        try client.write((1...5).map { "c\(c)-r\($0)\n" }.joined())
        client.closeInput()
        return client
    }
    for (c, client) in zip(1..., clients) {
        let r = client.wait(within: 20)
        #expect(r.status == 0, "\(r)")
        let got = lines(r.out).map { String($0.dropFirst(2)) }
        #expect(got == (1...5).map { "c\(c)-r\($0)" }, "client \(c): \(r.out)")
    }
}

@Test func lbForgetsAWorkerKilledMidRequestAndTheClientsRetryGetsTheAnswerFromAnother() throws {
    let (broker, frontend, backend) = try startBalancer("lb", ["--heartbeat", "200ms"])
    let doomed = try startWorker(backend, ["--name", "A", "--heartbeat", "0.2", "--stall-on", "x"], broker: broker, joined: 1)
    let healthy = try startWorker(backend, ["--name", "B", "--heartbeat", "0.2"], broker: broker, joined: 2)
    defer { stop([doomed, healthy, broker]) }
    let client = try startZswift(["req", "-c", frontend, "-t", "1500ms", "--retries", "3"])
    try client.write("x\n")
    client.closeInput()
    _ = try doomed.waitForStderr("stalled", within: 10)
    let killedAt = Clock.milliseconds()
    doomed.signal(SIGKILL)
    _ = doomed.wait(within: 10)
    try waitUntil("the broker forgets the killed worker", within: 5, pumping: [broker, client]) {
        errText(broker).contains("fell silent")
    }
    #expect(Clock.milliseconds() - killedAt < 1500, "forgotten within its heartbeat timeout (600 ms + a tick)")
    let r = client.wait(within: 15)
    #expect(r.status == 0 && r.out == "B:x\n", "\(r)")
    #expect(errText(broker).contains("with the request it had in hand"))
}

@Test func aClientThatHasGoneDoesNotWedgeAWorkerAndItsReplyIsDroppedQuietly() throws {
    let (broker, frontend, backend) = try startBalancer("lb", ["--stats"])
    let worker = try startWorker(backend, ["--name", "W", "--sleep", "0.3"], broker: broker, joined: 1)
    defer { stop([worker, broker]) }
    let gone = try startZswift(["req", "-c", frontend, "-t", "10s"])
    try gone.write("first\n")
    _ = try worker.waitForStderr("received first", within: 10)
    gone.signal(SIGKILL)
    _ = gone.wait(within: 10)
    let r = try zswift(["req", "-c", frontend, "-t", "5s"], input: "second\n", within: 15)
    #expect(r.status == 0 && r.out == "W:second\n", "\(r)")
    broker.signal(SIGTERM)
    let b = broker.wait(within: 10)
    #expect(b.status == 143, "\(b)")
    #expect(b.err.contains("2 requests answered"), "\(b.err)")
    #expect(b.err.contains(": 2 requests, busy"), "per-worker line: \(b.err)")
}

@Test func lbCaptureMarksEachRequestAndReplyWithItsDirection() throws {
    let (broker, frontend, backend) = try startBalancer("lb", ["--capture", "-f", "quoted"])
    let worker = try startWorker(backend, ["--name", "W"], broker: broker, joined: 1)
    defer { stop([worker]) }
    let r = try zswift(["req", "-c", frontend, "-t", "5s"], input: "ping\n", within: 15)
    #expect(r.out == "W:ping\n", "\(r)")
    broker.signal(SIGTERM)
    let b = broker.wait(within: 10)
    let captured = lines(b.out)
    #expect(captured.count == 2, "\(b.out)")
    #expect(captured.first?.hasPrefix("\">\"") == true && captured.first?.hasSuffix("\"ping\"") == true, "\(b.out)")
    #expect(captured.last?.hasPrefix("\"<\"") == true && captured.last?.hasSuffix("\"W:ping\"") == true, "\(b.out)")
}

@Test func lbSIGUSR1PrintsPerWorkerLinesAtOnceAndTheBrokerKeepsBalancing() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let worker = try startWorker(backend, ["--name", "W"], broker: broker, joined: 1)
    defer { stop([worker]) }
    let first = try zswift(["req", "-c", frontend, "-d", "one", "-n", "2", "-t", "10s"])
    #expect(first.status == 0 && first.out == "W:one\nW:one\n", "\(first)")
    broker.signal(SIGUSR1)
    try broker.waitForStderr("frontend to backend: 2 messages", within: 10)
    try broker.waitForStderr(": 2 requests, busy", within: 10)
    try broker.waitForStderr("workers: 1 (1 idle, 0 busy), 0 lost", within: 10)
    let second = try zswift(["req", "-c", frontend, "-d", "two", "-t", "10s"])
    #expect(second.status == 0 && second.out == "W:two\n", "\(second)")
    broker.signal(SIGTERM)
    let end = broker.wait(within: 10)
    #expect(end.status == 143, "\(end)")
    #expect(occurrences(of: "frontend to backend", in: end.err) == 1, "without --stats nothing at exit: \(end)")
}

@Test func lbCaptureWhoseReaderStopsNeverHoldsUpTheTrafficAndCountsWhatItDropped() throws {
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let broker = try startBrokerWithStuckCapture(frontend: frontend, backend: backend, ["--mode", "lb"])
    let worker = try startWorker(backend, ["--name", "W", "--quiet"], broker: broker, joined: 1)
    defer { stop([worker]) }
    let padding = String(repeating: "x", count: 200)
    let client = try shell("seq 3000 | sed 's/$/ \(padding)/' | \"$Z\" req -c \(frontend) -t 5s", within: 60)
    try #require(client.status == 0 && lines(client.out).count == 3000, "status \(client.status), \(client.err)")
    // SIGUSR1 is answered at once, with stdout stuck, and counts the captured messages dropped so far
    broker.signal(SIGUSR1)
    _ = try broker.waitForStderr("frontend to backend: 3000 messages", within: 10)
    let meanwhile = errText(broker).split(separator: "\n").first { $0.contains("frontend to backend: 3000") } ?? ""
    #expect(meanwhile.contains("; capture: ") && !meanwhile.contains("capture: 0 messages"), "\(meanwhile)")
    broker.signal(SIGTERM)
    let end = broker.wait(within: 10)
    #expect(end.status == 143, "\(end)")
    let dropLine = end.err.split(separator: "\n").first { $0.contains("capture: dropped") }.map(String.init) ?? ""
    let words = dropLine.split(separator: " ")
    let dropped = words.firstIndex(of: "dropped").flatMap { Int(words[$0 + 1]) }
    #expect(dropLine.contains(" of 6000 relayed messages"), "\(end)")
    let written = try capturedLineCount(broker)
    #expect(dropped != nil && written.map { $0 + dropped! } == 6000, "\(written ?? -1) written: \(end)")
}

// MARK: - majordomo

private func startMDWorker(_ backend: String, _ service: String, name: String, broker: Process, joined: Int,
                           _ options: [String] = []) throws -> Process {
    let worker = try Process(["python3", Paths.peer("mdpeer.py"), "worker", backend, service, "--name", name] + options)
    try waitUntil("worker \(joined) joined", within: 15, pumping: [broker, worker]) {
        occurrences(of: " joined service", in: errText(broker)) >= joined
    }
    return worker
}

@Test func majordomoRoutesByServiceNameBetweenTheZguidesReferenceClientAndWorkers() throws {
    let (broker, frontend, backend) = try startBalancer("majordomo", ["--stats"])
    let echo = try startMDWorker(backend, "echo", name: "E", broker: broker, joined: 1)
    let other = try startMDWorker(backend, "other", name: "O", broker: broker, joined: 2)
    defer { stop([echo, other, broker]) }
    let e = try run(["python3", Paths.peer("mdpeer.py"), "client", frontend, "echo", "hello", "world"], within: 20)
    #expect(e.status == 0 && e.out == "E:hello\nE:world\n", "\(e)")
    let o = try run(["python3", Paths.peer("mdpeer.py"), "client", frontend, "other", "hi"], within: 20)
    #expect(o.status == 0 && o.out == "O:hi\n", "\(o)")
    let mmi = try run(["python3", Paths.peer("mdpeer.py"), "client", frontend, "mmi.service", "echo", "nosuch"], within: 20)
    #expect(mmi.out == "200\n404\n", "\(mmi)")
}

@Test func majordomoSendsDisconnectToAWorkerThatBreaksTheProtocol() throws {
    let (broker, _, backend) = try startBalancer("majordomo")
    defer { stop([broker]) }
    // a HEARTBEAT from a worker that never said READY is a protocol error (spec 7)
    let script = """
    import zmq, sys
    s = zmq.Context().socket(zmq.DEALER); s.connect(sys.argv[1])
    s.send_multipart([b"", b"MDPW01", b"\\x04"])
    if not s.poll(5000): sys.exit(3)
    print(s.recv_multipart())
    """
    let r = try run(["python3", "-c", script, backend], within: 15)
    #expect(r.out == "[b'', b'MDPW01', b'\\x05']\n", "\(r)")
}

@Test func majordomoForgetsAWorkerKilledMidRequestAndTheClientsRetryReachesANewOne() throws {
    let (broker, frontend, backend) = try startBalancer("majordomo", ["--heartbeat", "200ms"])
    let doomed = try startMDWorker(backend, "echo", name: "A", broker: broker, joined: 1, ["--stall-on", "x"])
    defer { stop([doomed, broker]) }
    let client = try Process(["python3", Paths.peer("mdpeer.py"), "client", frontend, "echo", "x"])
    _ = try doomed.waitForStderr("stalled", within: 10)
    doomed.signal(SIGKILL)
    _ = doomed.wait(within: 10)
    try waitUntil("the broker forgets the killed worker", within: 5, pumping: [broker, client]) {
        errText(broker).contains("unreachable: forgotten")
    }
    let mmi = try run(["python3", Paths.peer("mdpeer.py"), "client", frontend, "mmi.service", "echo"], within: 20)
    #expect(mmi.out == "404\n", "no worker left: \(mmi)")
    let fresh = try startMDWorker(backend, "echo", name: "B", broker: broker, joined: 2)
    defer { stop([fresh]) }
    let r = client.wait(within: 20)
    #expect(r.status == 0 && r.out == "B:x\n", "\(r)")
}

// MARK: - restarts

@Test func lbNeverPassesOnAReplyToARequestFromBeforeARestart() throws {
    // a new broker process may give its clients the routing ids the last one gave: the worker's
    // late reply to alice (asked of the killed broker) must not go to whoever has her id now
    let (broker, frontend, backend) = try startBalancer("lb")
    let flag = Paths.temporaryDirectory() + "/working"
    let worker = try startZswift(["worker", "-c", backend, "--exec", "touch \(flag); sleep 3; echo \"for $(cat)\"", "-v"])
    _ = try broker.waitForStderr(" joined", within: 10)
    let alice = try startZswift(["req", "-c", frontend, "-d", "alice", "-t", "20s", "--retries", "0"])
    defer { stop([worker, alice]) }
    try waitUntil("the worker has alice's request", within: 10, pumping: [worker]) { access(flag, F_OK) == 0 }
    broker.signal(SIGKILL)
    _ = broker.wait(within: 10)
    let again = try startZswift(["broker", "--mode", "lb", "-v", "--frontend", frontend, "--backend", backend])
    defer { stop([again]) }
    try again.waitForStderr("bound to \(backend)", within: 10)
    let bob = try zswift(["req", "-c", frontend, "-d", "bob", "-t", "10s", "--retries", "2"], within: 40)
    #expect(bob.status == 0 && bob.out == "for bob\n", "\(bob); broker: \(errText(again))")
    try again.waitForStderr("dropped a reply from worker", within: 10)
}

@Test func theZguidesPPWorkerFindsARestartedLBBrokerAgain() throws {
    var (broker, frontend, backend) = try startBalancer("lb")
    let worker = try Process(["python3", Paths.peer("zguide/ppworker.py"), backend])
    defer { stop([worker]) }
    _ = try broker.waitForStderr(" joined", within: 15)
    let before = try zswift(["req", "-c", frontend, "-d", "before", "-t", "10s"], within: 20)
    #expect(before.status == 0 && before.out == "before\n", "\(before)")
    stop([broker])
    // its heartbeats alone do not make it known (it could be busy): it finds the broker silent
    // after 3 s and connects again with READY
    broker = try startZswift(["broker", "--mode", "lb", "-v", "--frontend", frontend, "--backend", backend])
    defer { stop([broker]) }
    _ = try broker.waitForStderr(" joined", within: 20)
    let after = try zswift(["req", "-c", frontend, "-d", "after", "-t", "10s"], within: 20)
    #expect(after.status == 0 && after.out == "after\n", "\(after)")
}

// MARK: - security

@Test func lbSecuresItsFrontendWithCurveAsTheOtherModesDo() throws {
    let keys = try zswift(["keygen"])
    let pairs = Dictionary(uniqueKeysWithValues: lines(keys.out).map { line in
        let parts = line.split(separator: " ", maxSplits: 1)
        return (String(parts[0]), String(parts[1]))
    })
    let (broker, frontend, backend) = try startBalancer("lb", ["--curve-server", "--curve-secret-key", pairs["secret-key:"]!])
    let worker = try startWorker(backend, ["--name", "W"], broker: broker, joined: 1)
    defer { stop([worker, broker]) }
    let secured = try zswift(["req", "-c", frontend, "-d", "hi", "-t", "5s", "--curve-server-key", pairs["public-key:"]!])
    #expect(secured.status == 0 && secured.out == "W:hi\n", "\(secured)")
    let plain = try zswift(["req", "-c", frontend, "-d", "hi", "-t", "5s"])
    #expect(plain.status == 4, "a NULL client is refused: \(plain)")
}
