// Black-box: zswift bench from the built binary. Counts are exact, percentiles ordered, the JSON
// summary parses in Python, a split run over ipc reports on its bound side, and bad command lines
// are usage errors naming the flag. Small counts and no timing assertions beyond ordering.
import Glibc
import Testing
import TestSupport

@Test(arguments: ["tcp", "ipc", "inproc"])
func throughputInOneProcessReportsExactlyTheCountAndTheBytes(transport: String) throws {
    let r = try zswift(["bench", "thr", "--count", "5000", "--size", "64", "--transport", transport, "--format", "json"])
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    #expect(d["messages"] == "5000")
    #expect(d["bytes"] == "320000")
    #expect(d["mode"] == "thr" && d["transport"] == transport)
    #expect((Double(d["msgs_per_s"] ?? "") ?? 0) > 0 && (Double(d["mb_per_s"] ?? "") ?? 0) > 0)
    #expect(d["latency_us.p50"] == nil)
}

@Test func latencyPercentilesAreOrderedAndTheJSONHasCliMdsKeys() throws {
    let r = try zswift(["bench", "lat", "-n", "2000", "--transport", "ipc", "-f", "json"])
    #expect(r.status == 0, "\(r)")
    let d = try pythonReads(r.out)
    for key in ["messages", "bytes", "seconds", "msgs_per_s", "mb_per_s", "latency_us.mean"] { #expect(d[key] != nil, "\(key) in \(r.out)") }
    #expect(d["messages"] == "2000" && d["bytes"] == "200000")
    let order = ["p50", "p90", "p99", "p999", "max"].map { Double(d["latency_us." + $0] ?? "") ?? -1 }
    #expect(order.allSatisfy { $0 > 0 }, "\(r.out)")
    #expect(order == order.sorted(), "\(r.out)")
}

@Test func theTextSummaryNamesTheRatesAndThePercentiles() throws {
    let thr = try zswift(["bench", "thr", "-n", "1000"])
    #expect(thr.status == 0 && thr.out.contains("thr over tcp: 1000 messages of 100 bytes") && thr.out.contains("msg/s:") && thr.out.contains("MB/s:"), "\(thr)")
    let lat = try zswift(["bench", "lat", "-n", "1000", "--transport", "inproc"])
    #expect(lat.status == 0 && lat.out.contains("1000 round trips") && lat.out.contains("p99.9") && lat.out.contains("mean"), "\(lat)")
}

@Test(arguments: ["thr", "lat"])
func aSplitRunOverIPCReportsOnItsMeasuringSide(mode: String) throws {
    let path = "/tmp/zswift-bench-test-\(getpid())-\(mode).sock"
    defer { unlink(path) }
    let bound = try startZswift(["bench", mode, "-b", "ipc://" + path, "-n", "3000", "--size", "200", "-f", "json"])
    let connected = try zswift(["bench", mode, "-c", "ipc://" + path, "-n", "3000", "--size", "200", "-f", "json"])
    let b = bound.wait(within: 20)
    #expect(b.status == 0 && connected.status == 0, "bound: \(b); connected: \(connected)")
    // thr: the binding side receives and reports; lat: the connecting side measures
    let (reporter, silent) = mode == "thr" ? (b.out, connected.out) : (connected.out, b.out)
    #expect(silent.isEmpty)
    let d = try pythonReads(reporter)
    #expect(d["messages"] == "3000" && d["bytes"] == "600000" && d["transport"] == "ipc", "\(reporter)")
}

@Test(arguments: [
    (["bench"], "bench needs a mode"),
    (["bench", "thx"], "did you mean thr?"),
    (["bench", "thr", "--size", "big"], "--size"),
    (["bench", "thr", "--count", "0"], "--count"),
    (["bench", "lat", "--transport", "udp"], "--transport"),
    (["bench", "thr", "--format", "hex"], "--format"),
    (["bench", "thr", "-b", "ipc:///tmp/a", "--transport", "ipc"], "--transport"),
    (["bench", "thr", "--subscribe", "x"], "--subscribe does not apply to bench"),
    (["bench", "lat", "-b", ":1", "-c", ":2"], "one -b or one -c"),
])
func badBenchCommandLinesAreUsageErrorsNamingTheFlag(arguments: [String], says: String) throws {
    let r = try zswift(arguments)
    #expect(r.status == 2, "\(r)")
    #expect(r.err.hasPrefix("zswift: error: ") && r.err.contains(says), "\(r)")
    #expect(r.stdout.isEmpty)
}
