// Black-box: zswift worker against a scripted pyzmq broker (Tests/peers/fakebroker.py): READY,
// requests answered with their envelope, heartbeats when idle and while --exec works, reconnection
// when the broker falls silent or says DISCONNECT, Majordomo frames, --exec's ZSWIFT_SEQ, the stdin
// coprocess, -n, -t and signals; and against the zguide's own ppqueue and mdbroker
// (Tests/peers/zguide), a broker restarted under the worker included.
import Glibc
import Testing
import TestSupport

// MARK: - Helpers for this file

/// Starts the scripted broker on a fresh ipc endpoint; returns it with the endpoint.
private func startFakeBroker(_ options: [String]) throws -> (Process, String) {
    let endpoint = Paths.ipcEndpoint()
    let broker = try Process(["python3", Paths.peer("fakebroker.py"), endpoint] + options)
    try broker.waitForStderr("bound to ", within: 15)
    return (broker, endpoint)
}

/// Waits for the scripted broker's verdict: status 0 and "ok", or the failure it gave.
private func expectPassed(_ broker: Process, _ worker: Process, within seconds: Double = 30) -> Outcome {
    let r = broker.wait(within: seconds)
    worker.pump()
    #expect(r.status == 0 && r.err.contains("ok"), "broker: \(r); worker stderr: \(String(decoding: worker.stderr, as: UTF8.self))")
    return r
}

/// Ends a worker that runs for ever with SIGTERM and expects its clean 143.
private func stopWorker(_ worker: Process) -> Outcome {
    worker.signal(SIGTERM)
    let r = worker.wait(within: 10)
    #expect(r.status == 143, "\(r)")
    return r
}

private func hexLine(_ text: String) -> String { "[\"\(hex(Array(text.utf8)))\"]" }

// MARK: - Paranoid Pirate

@Test func aPirateWorkerAnswersWithTheEnvelopeHeartbeatsAndReconnectsToASilentBroker() throws {
    let (broker, endpoint) = try startFakeBroker(["--request", "hello", "--request", "world", "--heartbeats", "2", "--silent"])
    let worker = try startZswift(["worker", "-v", "-c", endpoint, "--echo", "--heartbeat", "200ms"])
    let r = expectPassed(broker, worker)
    #expect(lines(r.out) == [hexLine("hello"), hexLine("world")], "\(r)")
    #expect(r.err.contains("reconnected"), "\(r)")
    let w = stopWorker(worker)
    #expect(w.err.contains("broker silent for 0.60 s: reconnecting in 1s"), "\(w)")
}

@Test func heartbeatsKeepGoingWhileAnExecCommandWorksAndDashNEndsAfterTheReplies() throws {
    let (broker, endpoint) = try startFakeBroker(["--request", "a", "--request", "b", "--busy-heartbeats", "3"])
    let worker = try startZswift(["worker", "-c", endpoint, "--heartbeat", "200ms", "-n", "2", "--stats",
                                  "--exec", "sleep 1; echo \"$ZSWIFT_SEQ:$(cat)\""])
    let r = expectPassed(broker, worker)
    #expect(lines(r.out) == [hexLine("1:a"), hexLine("2:b")], "\(r)")
    let w = worker.wait(within: 15)
    #expect(w.status == 0, "\(w)")
    #expect(w.err.contains("sent 2 messages, 6 bytes"), "\(w)")
}

@Test func aWorkerInCoprocessModeWritesTheRequestAndSendsStdinsReply() throws {
    let (broker, endpoint) = try startFakeBroker(["--request", "ping"])
    let worker = try startZswift(["worker", "-c", endpoint])
    try worker.waitForStdout(bytes: 5, within: 15)
    #expect(String(decoding: worker.stdout, as: UTF8.self) == "ping\n")
    try worker.write("pong\n")
    let r = expectPassed(broker, worker)
    #expect(lines(r.out) == [hexLine("pong")], "\(r)")
    _ = stopWorker(worker)
}

@Test func aWorkerWithNoRequestWithinTimeoutEndsWithStatus3() throws {
    let r = try zswift(["worker", "-c", Paths.ipcEndpoint(), "--echo", "-t", "300ms"], within: 15)
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("300ms"), "\(r)")
}

@Test func sigintEndsAnIdleWorkerWith130() throws {
    let (broker, endpoint) = try startFakeBroker(["--heartbeats", "1"])
    let worker = try startZswift(["worker", "-c", endpoint, "--echo", "--heartbeat", "200ms"])
    _ = expectPassed(broker, worker)
    worker.signal(SIGINT)
    let r = worker.wait(within: 10)
    #expect(r.status == 130, "\(r)")
}

// MARK: - Majordomo

@Test func aMajordomoWorkerRegistersAnswersWithTheClientAddressAndReconnectsOnDisconnect() throws {
    let (broker, endpoint) = try startFakeBroker(["--mdp", "echo", "--request", "hello", "--heartbeats", "2", "--disconnect"])
    let worker = try startZswift(["worker", "-v", "-c", endpoint, "--service", "echo", "--heartbeat", "200ms",
                                  "--exec", "echo \"$ZSWIFT_SEQ:$(cat)\""])
    let r = expectPassed(broker, worker)
    #expect(lines(r.out) == [hexLine("1:hello")], "\(r)")
    let w = stopWorker(worker)
    #expect(w.err.contains("the broker sent DISCONNECT: reconnecting"), "\(w)")
}

// MARK: - The zguide's brokers

@Test func theZguidesParanoidPirateQueueServesThroughAZswiftWorkerAndIsFoundAgainAfterARestart() throws {
    let frontend = Paths.ipcEndpoint(), backend = Paths.ipcEndpoint()
    let queueCommand = ["python3", Paths.peer("zguide/ppqueue.py"), frontend, backend]
    var queue = try Process(queueCommand)
    defer { queue.signal(SIGKILL); _ = queue.wait(within: 5) }
    let worker = try startZswift(["worker", "-v", "-c", backend, "--exec", "tr a-z A-Z"])
    let first = try zswift(["req", "-c", frontend, "--data", "one", "-t", "15s"], within: 20)
    #expect(first.status == 0 && first.out == "ONE\n", "\(first)")

    queue.signal(SIGKILL)
    _ = queue.wait(within: 5)
    try worker.waitForStderr("broker silent for 3.00 s: reconnecting in 1s", within: 15)
    queue = try Process(queueCommand)
    let second = try zswift(["req", "-c", frontend, "--data", "two", "-t", "15s"], within: 20)
    #expect(second.status == 0 && second.out == "TWO\n", "\(second)")
    _ = stopWorker(worker)
}

@Test func theZguidesMajordomoBrokerServesThroughAZswiftWorker() throws {
    let endpoint = Paths.ipcEndpoint()
    let broker = try Process(["python3", Paths.peer("zguide/mdbroker.py"), endpoint])
    defer { broker.signal(SIGKILL); _ = broker.wait(within: 5) }
    let worker = try startZswift(["worker", "-c", endpoint, "--service", "upper", "--exec", "tr a-z A-Z"])
    let client = { (service: String, body: String) throws -> Outcome in
        try run(["python3", Paths.peer("mdpclient.py"), endpoint, service, body, "--timeout", "15"], within: 20)
    }
    let reply = try client("upper", "hello")
    #expect(reply.status == 0 && lines(reply.out) == [hexLine("HELLO")], "\(reply)")
    let lookup = try client("mmi.service", "upper")
    #expect(lookup.status == 0 && lines(lookup.out) == [hexLine("200")], "\(lookup)")
    let again = try client("upper", "again")
    #expect(again.status == 0 && lines(again.out) == [hexLine("AGAIN")], "\(again)")
    _ = stopWorker(worker)
}
