// Black-box: zswift worker behind zswift broker --mode lb and majordomo, as issue 11 asks: an idle
// worker first (a slow worker does not hold up the batch), a worker killed mid-request is dropped
// and the client's retry is answered by another, workers find a restarted broker again, a client
// that has gone does not wedge a worker, and Majordomo routes by service with mmi.service.
import Glibc
import Testing
import TestSupport

// MARK: - Helpers for this file

/// A balancing broker with -v on two ipc endpoints (given, to restart it on the same ones),
/// returned once it has bound both.
private func startBalancer(_ mode: String, frontend: String = Paths.ipcEndpoint(), backend: String = Paths.ipcEndpoint(),
                           _ options: [String] = []) throws -> (broker: Process, frontend: String, backend: String) {
    let broker = try startZswift(["broker", "--mode", mode, "-v", "--frontend", frontend, "--backend", backend] + options)
    try broker.waitForStderr("bound to \(frontend)", within: 10)
    try broker.waitForStderr("bound to \(backend)", within: 10)
    return (broker, frontend, backend)
}

/// A file in a fresh temporary directory (for a worker to say it has a request in hand).
private func flagFile() -> String { Paths.temporaryDirectory() + "/flag" }

private func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

// MARK: - lb

@Test func anIdleWorkerIsChosenFirstSoASlowWorkerDoesNotHoldUpTheBatch() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let slow = try startZswift(["worker", "-c", backend, "--exec", "sleep 0.5; echo slow"])
    let fast = try startZswift(["worker", "-c", backend, "--data", "fast"])
    defer { stop([broker, slow, fast]) }
    try waitUntil("two workers connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 2 }
    let started = Clock.milliseconds()
    let clients = try (1...20).map { i in try startZswift(["req", "-c", frontend, "-d", "r\(i)", "-t", "10s"]) }
    var answers: [String: Int] = [:]
    for client in clients {
        let r = client.wait(within: 20)
        #expect(r.status == 0, "\(r)")
        answers[r.out, default: 0] += 1
    }
    let took = Clock.milliseconds() - started
    #expect((answers["fast\n"] ?? 0) >= 15, "\(answers)")
    #expect((answers["fast\n"] ?? 0) + (answers["slow\n"] ?? 0) == 20, "\(answers)")
    #expect(took < 3000, "the batch took \(took) ms")  // about 0.5 s; generous for a loaded machine
}

@Test func aWorkerKilledMidRequestIsDroppedAndTheRetryIsAnsweredByAnother() throws {
    let (broker, frontend, backend) = try startBalancer("lb", ["--heartbeat", "200ms"])
    let flag = flagFile()
    let doomed = try startZswift(["worker", "-c", backend, "--heartbeat", "200ms", "--exec", "touch \(flag); sleep 30"])
    defer { stop([broker, doomed]) }
    try waitUntil("the first worker connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 1 }
    let client = try startZswift(["req", "-c", frontend, "-d", "job", "-t", "1500ms", "--retries", "3"])
    try waitUntil("the first worker has the request", within: 15, pumping: [broker, client]) { exists(flag) }
    let rescuer = try startZswift(["worker", "-c", backend, "--heartbeat", "200ms", "--exec", "echo \"done: $(cat)\""])
    defer { stop([rescuer]) }
    doomed.signal(SIGKILL)
    let r = client.wait(within: 20)
    #expect(r.status == 0 && r.out == "done: job\n", "\(r)")
}

@Test func workersFindARestartedBrokerAgain() throws {
    var (broker, frontend, backend) = try startBalancer("lb", ["--heartbeat", "200ms"])
    let worker = try startZswift(["worker", "-c", backend, "--heartbeat", "200ms", "--echo", "-v"])
    defer { stop([worker]) }
    try waitUntil("the worker connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 1 }
    let first = try zswift(["req", "-c", frontend, "-d", "before", "-t", "5s"])
    #expect(first.status == 0 && first.out == "before\n", "\(first)")
    stop([broker])
    (broker, frontend, backend) = try startBalancer("lb", frontend: frontend, backend: backend, ["--heartbeat", "200ms"])
    defer { stop([broker]) }
    let after = try zswift(["req", "-c", frontend, "-d", "after", "-t", "15s"], within: 30)
    #expect(after.status == 0 && after.out == "after\n", "\(after); worker: \(errText(worker))")
}

@Test func aClientThatHasGoneDoesNotWedgeAWorker() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let worker = try startZswift(["worker", "-c", backend, "--exec", "sleep 0.3; cat"])
    defer { stop([broker, worker]) }
    try waitUntil("the worker connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 1 }
    let gone = try zswift(["req", "-c", frontend, "-d", "abandoned", "-t", "100ms"])
    #expect(gone.status == 3, "\(gone)")
    let next = try zswift(["req", "-c", frontend, "-d", "next", "-t", "10s"])
    #expect(next.status == 0 && next.out == "next\n", "\(next)")
}

@Test func eachClientGetsItsOwnAnswer() throws {
    let (broker, frontend, backend) = try startBalancer("lb")
    let workers = try (1...3).map { _ in try startZswift(["worker", "-c", backend, "--exec", "echo \"answer to $(cat)\""]) }
    defer { stop([broker] + workers) }
    try waitUntil("three workers connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 3 }
    let clients = try (1...10).map { c in
        let client = try startZswift(["req", "-c", frontend, "-t", "20s"])
        try client.write((1...5).map { "c\(c)-r\($0)\n" }.joined())
        client.closeInput()
        return client
    }
    for (c, client) in zip(1..., clients) {
        let r = client.wait(within: 30)
        #expect(r.status == 0 && lines(r.out) == (1...5).map { "answer to c\(c)-r\($0)" }, "\(r)")
    }
}

// MARK: - majordomo

@Test func majordomoRoutesByServiceAndAnswersMmiService() throws {
    let (broker, frontend, backend) = try startBalancer("majordomo")
    let echo = try startZswift(["worker", "-c", backend, "--service", "echo", "--echo"])
    let upper = try startZswift(["worker", "-c", backend, "--service", "upper", "--exec", "tr a-z A-Z"])
    defer { stop([broker, echo, upper]) }
    try waitUntil("two workers connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 2 }
    let e = try zswift(["req", "-c", frontend, "--service", "echo", "-d", "hello", "-t", "10s"])
    #expect(e.status == 0 && e.out == "hello\n", "\(e)")
    let u = try zswift(["req", "-c", frontend, "--service", "upper", "-d", "hello", "-t", "10s"])
    #expect(u.status == 0 && u.out == "HELLO\n", "\(u)")
    let known = try zswift(["req", "-c", frontend, "--service", "mmi.service", "-d", "echo", "-t", "10s"])
    #expect(known.status == 0 && known.out == "200\n", "\(known)")
    let unknown = try zswift(["req", "-c", frontend, "--service", "mmi.service", "-d", "nope", "-t", "10s"])
    #expect(unknown.status == 0 && unknown.out == "404\n", "\(unknown)")
}

@Test func benchLoadsAMajordomoServiceAndGivesUpARequestNobodyAnswersByReopening() throws {
    let (broker, frontend, backend) = try startBalancer("majordomo")
    let workers = try (1...2).map { _ in try startZswift(["worker", "-c", backend, "--service", "echo", "--echo"]) }
    defer { stop([broker] + workers) }
    try waitUntil("two workers connected", within: 15, pumping: [broker]) { accepted(on: backend, broker) >= 2 }
    let r = try zswift(["bench", "req", "-c", frontend, "--service", "echo", "--clients", "3", "-n", "600", "-f", "json"], within: 30)
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["messages"] == "600" && d["timeouts"] == "0", "\(r.out)")
    // a service with no workers: each request times out, its client's socket is reopened, and the
    // hint says how to ask the broker about the service
    let none = try zswift(["bench", "req", "-c", frontend, "--service", "nosuch", "-n", "2", "-t", "1s"], within: 20)
    #expect(none.status == 3 && none.out.contains(" 0 answered") && none.err.contains("--service mmi.service -d 'nosuch'"), "\(none)")
}

@Test func aBoundWorkerSaysReadyWhenABrokerConnectsToIt() throws {
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let worker = try startZswift(["worker", "-b", backend, "--service", "echo", "--echo", "-v"])
    defer { stop([worker]) }
    try worker.waitForStderr("bound to \(backend)", within: 10)
    let broker = try startZswift(["broker", "--mode", "majordomo", "-v", "--frontend", frontend,
                                  "--backend", backend, "--connect-backend"])
    defer { stop([broker]) }
    try broker.waitForStderr("joined service echo", within: 10)
    let r = try zswift(["req", "-c", frontend, "--service", "echo", "-d", "hello", "-t", "5s"], within: 15)
    #expect(r.status == 0 && r.out == "hello\n", "\(r)")
}

@Test func aWorkersExecCommandSeesTheClientsRoutingID() throws {
    for mode in ["lb", "majordomo"] {
        let (broker, frontend, backend) = try startBalancer(mode)
        let worker = try startZswift(["worker", "-c", backend, "--exec", "echo $ZSWIFT_ROUTING_ID"] + (mode == "lb" ? [] : ["--service", "id"]))
        defer { stop([worker, broker]) }
        let r = try zswift(["req", "-c", frontend, "--identity", "alice", "-d", "x", "-t", "10s"] + (mode == "lb" ? [] : ["--service", "id"]), within: 20)
        #expect(r.status == 0 && r.out == "616c696365\n", "\(mode): \(r)")
    }
}

@Test func aMajordomoWorkerStoppedByASignalSaysDisconnectSoItsBrokerForgetsItAtOnce() throws {
    let (broker, frontend, backend) = try startBalancer("majordomo")
    defer { stop([broker]) }
    let worker = try startZswift(["worker", "-c", backend, "--service", "once", "--echo"])
    try broker.waitForStderr("joined service once", within: 10)
    worker.signal(SIGTERM)
    #expect(worker.wait(within: 10).status == 143)
    try broker.waitForStderr(" left", within: 5)
    let mmi = try zswift(["req", "-c", frontend, "--service", "mmi.service", "-d", "once", "-t", "5s"], within: 15)
    #expect(mmi.out == "404\n", "\(mmi)")
}

@Test func aBoundWorkerWarnsWhenASecondBrokerConnects() throws {
    let backend = Paths.ipcEndpoint()
    let worker = try startZswift(["worker", "-b", backend, "--echo", "-v"])
    defer { stop([worker]) }
    try worker.waitForStderr("bound to \(backend)", within: 10)
    let brokers = try (0..<2).map { _ in
        try startZswift(["broker", "--mode", "lb", "--frontend", Paths.ipcEndpoint(), "--backend", backend, "--connect-backend"])
    }
    defer { stop(brokers) }
    try worker.waitForStderr("2 brokers are connected to this worker: it serves one", within: 10)
}
