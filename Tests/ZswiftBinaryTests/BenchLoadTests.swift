// Black-box: zswift bench req|push|pub as load on real services (pyzmq's REP and SUB, zswift's
// pull): exact counts, a known injected delay seen in the median, a --rate run sending its planned
// count, a timeout saying what it saw, and SIGINT printing the summary of what ran so far.
import Glibc
import Testing
import TestSupport

/// A pyzmq REP at tcp://127.0.0.1:* (Tests/peers/rrpeer.py server) and its endpoint.
private func replier(_ options: [String] = []) throws -> (Process, String) {
    let process = try Process(["python3", Paths.peer("rrpeer.py"), "server", "tcp://127.0.0.1:*"] + options)
    let err = try process.waitForStderr("bound to ")
    let line = err.split(separator: "\n").first { $0.contains("bound to ") }!
    return (process, String(line[line.firstRange(of: "bound to ")!.upperBound...]))
}

@Test func aServiceThatSleepsTenMillisecondsShowsAMedianOfAtLeastTenMilliseconds() throws {
    let (server, endpoint) = try replier(["--sleep", "0.01"])
    defer { server.signal(SIGKILL); _ = server.wait(within: 5) }
    let r = try zswift(["bench", "req", "-c", endpoint, "-n", "30", "--clients", "2", "-f", "json"])
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["messages"] == "30" && d["sent"] == "30" && d["timeouts"] == "0" && d["errors"] == "0", "\(r.out)")
    #expect((Double(d["latency_us.p50"] ?? "") ?? 0) >= 10_000, "\(r.out)")
}

@Test func aRatedRunSendsTheRequestedCount() throws {
    let (server, endpoint) = try replier()
    defer { server.signal(SIGKILL); _ = server.wait(within: 5) }
    let r = try zswift(["bench", "req", "-c", endpoint, "--rate", "100/s", "--duration", "500ms", "-f", "json"])
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["planned"] == "50" && d["sent"] == "50" && d["messages"] == "50" && d["unsent"] == "0", "\(r.out)")
    #expect((Double(d["seconds"] ?? "") ?? 0) >= 0.49, "\(r.out)")
}

@Test func pushLoadDeliversExactlyItsCountToAPull() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "5000", "--out", "hex"])
    let r = try zswift(["bench", "push", "-c", endpoint, "-n", "5000", "--size", "8", "--clients", "3"])
    #expect(r.status == 0 && r.out.contains("push to \(endpoint), 3 clients: 5000 sent"), "\(r)")
    let pulled = pull.wait(within: 20)
    #expect(pulled.status == 0 && lines(pulled.out).count == 5000 && lines(pulled.out).allSatisfy { $0 == "0000000000000000" })
}

@Test func pubLoadWaitsForTheSubscriberAndSendsItEveryMessage() throws {
    let sub = try startPeer("sub", "bind", "tcp://127.0.0.1:*", ["-v", "--count", "200"])
    let endpoint = try sub.boundEndpoint()
    let r = try zswift(["bench", "pub", "-c", endpoint, "-n", "200", "-d", "tick", "--rate", "2000", "-f", "json"])
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["sent"] == "200" && d["size"] == "4" && d["send_lag_us.max"] != nil, "\(r.out)")
    let got = sub.wait(within: 20)
    #expect(got.status == 0 && peerMessages(got.out).count == 200 && peerMessages(got.out).allSatisfy { $0 == [Array("tick".utf8)] })
}

@Test func aLoadRunWithTimeoutsEndsThreeAndSaysWhatItSaw() throws {
    let r = try zswift(["bench", "req", "-c", "tcp://127.0.0.1:1", "-n", "2", "-t", "200ms"])
    #expect(r.status == 3, "\(r)")
    #expect(r.out.contains("2 sent, 0 answered") && r.out.contains("timeouts: 2"), "\(r)")
    #expect(r.err.contains("2 requests got no reply within 0.2s") && r.err.contains("nothing listens at tcp://127.0.0.1:1"), "\(r)")
    let pub = try zswift(["bench", "pub", "-c", "tcp://127.0.0.1:1", "-n", "2", "-t", "200ms"])
    #expect(pub.status == 3 && pub.err.contains("no subscriber"), "\(pub)")
}

@Test func sigintPrintsTheSummaryOfWhatRanSoFar() throws {
    let (server, endpoint) = try replier()
    defer { server.signal(SIGKILL); _ = server.wait(within: 5) }
    let bench = try startZswift(["bench", "req", "-c", endpoint, "--rate", "50", "--duration", "60s", "-f", "json"])
    try server.waitForStderr("received")
    bench.signal(SIGINT)
    let r = bench.wait(within: 10)
    #expect(r.status == 130, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["interrupted"] == "True" && (Int(d["sent"] ?? "") ?? 0) >= 1 && d["unsent"] == "0", "\(r.out)")
}
