// bench req|push|pub in process: the plan's arithmetic, the histogram's percentiles against exact
// ones, the command line, and LoadRun against services on threads of their own over inproc, with
// exact counts and a known injected delay.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

// MARK: - Plan and histogram

@Test func aRatedPlanSpreadsItsMessagesOverTheClientsAndTheDuration() {
    let plan = LoadPlan(rate: 1000, duration: 2_000_000_000, count: nil, clients: 4)
    #expect(plan.planned == 2000)
    #expect(plan.intended(0) == 0 && plan.intended(1) == 1_000_000 && plan.intended(1999) == 1_999_000_000)
    #expect(plan.includes(1999, elapsed: 0) && !plan.includes(2000, elapsed: 0))
    let counted = LoadPlan(rate: 1000, duration: 2_000_000_000, count: 10, clients: 1)
    #expect(counted.planned == 10 && !counted.includes(10, elapsed: 0))
    let flat = LoadPlan(rate: nil, duration: 1_000_000_000, count: nil)
    #expect(flat.planned == nil && flat.intended(5) == nil)
    #expect(flat.includes(1_000_000, elapsed: 999_999_999) && !flat.includes(0, elapsed: 1_000_000_000))
}

@Test func theHistogramsPercentilesAreWithinItsPrecisionOfTheExactOnes() {
    var histogram = LatencyHistogram()
    var values: [Int] = []
    var seed: UInt64 = 42
    for _ in 0..<20_000 {
        seed = seed &* 6364136223846793005 &+ 1442695040888963407
        let value = Int(seed >> 40) % 50_000_000  // up to 50 ms
        values.append(value)
        histogram.record(value)
    }
    let exact = LatencySummary(roundTrips: values)
    let approximate = histogram.summary
    for (a, e) in [(approximate.p50, exact.p50), (approximate.p90, exact.p90), (approximate.p99, exact.p99), (approximate.p999, exact.p999)] {
        #expect(a >= e && a <= e * 1.008 + 0.001, "\(a) vs \(e)")
    }
    #expect(approximate.max == exact.max)
    #expect(abs(approximate.mean - exact.mean) < 1e-6)
}

@Test func theHistogramsBucketsAreOrderedAndHoldTheirValues() {
    var previous = -1
    for value in [0, 1, 255, 256, 257, 511, 512, 1000, 1 << 20, (1 << 40) + 12345, Int.max] {
        let bucket = LatencyHistogram.bucket(of: value)
        #expect(bucket >= previous)
        #expect(LatencyHistogram.highest(in: bucket) >= value, "\(value)")
        previous = bucket
    }
    var h = LatencyHistogram()
    h.record(Int.max)
    h.record(-5)
    #expect(h.count == 2 && h.min == 0 && h.value(at: 1) == Int.max)
}

// MARK: - Command line

@Test func aLoadRunNeedsAnEndpointAndTakesItsFlags() throws {
    let load = try #require(try invocation("bench", "req", "-c", ":5555", "--rate", "2.5k/s", "--duration", "3s", "--clients", "8", "-t", "250ms").bench)
    let expected = try Endpoint.parse("tcp://127.0.0.1:5555", role: .connect)
    #expect(load.mode == .req && load.end == .connected(expected))
    #expect(load.load == LoadPlan(rate: 2500, duration: 3_000_000_000, count: nil, clients: 8, timeout: 250_000_000))
    let defaulted = try #require(try invocation("bench", "push", "-c", ":5555").bench?.load)
    #expect(defaulted.duration == LoadPlan.defaultDuration && defaulted.count == nil && defaulted.clients == 1 && defaulted.rate == nil)
    let data = try #require(try invocation("bench", "pub", "-b", ":5556", "-d", "topic", "-d", "body").bench)
    #expect(data.load?.payload == [Array("topic".utf8), Array("body".utf8)] && data.size == 9)
    #expect(usageError("bench", "req")?.message.contains("give its endpoint with -c") == true)
    #expect(usageError("bench", "req", "-b", ":5555", "--clients", "2")?.message.contains("only one socket can bind") == true)
    #expect(usageError("bench", "thr", "--rate", "10")?.message.contains("--rate is for load runs") == true)
    #expect(usageError("bench", "req", "-c", ":1", "--rate", "fast")?.message.contains("--rate") == true)
    #expect(usageError("bench", "req", "-c", ":1", "--rate", "0")?.message.contains("--rate") == true)
    #expect(usageError("bench", "req", "-c", ":1", "--duration", "inf")?.message.contains("--duration") == true)
    #expect(usageError("bench", "req", "-c", ":1", "--size", "10", "-d", "x")?.message.contains("--size and --data") == true)
    #expect(usageError("bench", "req", "-c", ":1", "--transport", "ipc")?.message.contains("--transport") == true)
    #expect(usageError("bench", "push", "-c", ":1", "--service", "echo")?.message.contains("--service is for bench req") == true)
    #expect(usageError("bench", "req", "-c", ":1", "-t", "0")?.message.contains("-t 0") == true)
    #expect(usageError("worker", "-c", ":1", "--service", "mmi.service")?.message.contains("mmi. services are the broker's own") == true)
    let mdp = try #require(try invocation("bench", "req", "-c", ":5555", "--service", "echo", "-d", "hi").bench?.load)
    #expect(mdp.majordomo && mdp.payload == [Array("MDPC01".utf8), Array("echo".utf8), Array("hi".utf8)])
}

// MARK: - LoadRun over inproc

/// A service on a thread of its own at `address`: a REP that answers `count` requests, each after
/// `delay` microseconds, or a PULL that takes `count` messages.
private func service(_ context: Context, _ type: SocketType, _ address: String, count: Int, delay: UInt32 = 0) throws -> BenchThread {
    let socket = try Socket(context, type: type)
    try socket.bind(address)
    nonisolated(unsafe) let handed = socket
    return try BenchThread(context) { () throws(BenchFailure) in
        defer { handed.close() }
        var message = Message()
        for _ in 0..<count {
            try BenchLoops.receive(handed, &message, size: message.count == 0 ? 100 : message.count)
            if type == .rep {
                if delay > 0 { usleep(delay) }
                try BenchLoops.send(handed, &message)
            }
        }
    }
}

private func load(_ context: Context, _ mode: BenchMode, _ address: String, _ plan: LoadPlan) throws -> LoadSummary {
    let endpoint = try Endpoint.parse(address, role: .connect)
    var sockets: [Socket] = []
    for _ in 0..<plan.clients { sockets.append(try BenchCommand.openClient(context, mode, endpoint, plan)) }
    defer { for socket in sockets { socket.close() } }
    let run = LoadRun(plan: plan, mode: mode, endpoint: endpoint, sockets: sockets, size: 100, watch: nil,
                      progress: ProgressLine(fd: 2, enabled: false))
    let (summary, ending) = run.run()
    #expect(ending == nil)
    return summary
}

@Test func requestsFromSeveralClientsAreEachAnsweredAndCounted() throws {
    let context = Context()
    let rep = try service(context, .rep, "inproc://load-req-count", count: 300)
    let s = try load(context, .req, "inproc://load-req-count", LoadPlan(rate: nil, duration: nil, count: 300, clients: 3))
    #expect(rep.join() == nil)
    #expect(s.sent == 300 && s.answered == 300 && s.timeouts == 0 && s.errors == 0 && s.latency.count == 300)
    #expect(s.messages == 300 && s.bytes == 30_000 && s.unsent == 0)
}

@Test func aServiceThatTakesTenMillisecondsShowsAMedianOfAtLeastTenMilliseconds() throws {
    let context = Context()
    let rep = try service(context, .rep, "inproc://load-req-slow", count: 20, delay: 10_000)
    let s = try load(context, .req, "inproc://load-req-slow", LoadPlan(rate: nil, duration: nil, count: 20))
    #expect(rep.join() == nil)
    #expect(s.answered == 20)
    #expect(s.latency.summary.p50 >= 10_000, "\(s.latency.summary)")
}

@Test func aRatedRunSendsThePlannedCountAndTimesFromTheIntendedSendTime() throws {
    let context = Context()
    // 200/s for 0.25 s is 50 requests, 5 ms apart, to a service that takes 20 ms: one client
    // falls behind, and the later requests' latency grows with the wait for their turn
    let rep = try service(context, .rep, "inproc://load-req-rate", count: 50, delay: 20_000)
    let s = try load(context, .req, "inproc://load-req-rate", LoadPlan(rate: 200, duration: 250_000_000, count: nil))
    // the clients could not keep up: the plan's end came first; what went was answered
    #expect(s.planned == 50 && s.sent + s.unsent == 50 && s.answered == s.sent)
    #expect(s.latency.max >= 3 * 20_000_000, "coordinated omission corrected: \(s.latency.summary)")
    context.shutdown()
    _ = rep.join()
}

@Test func aRatedRunThatKeepsUpSendsExactlyThePlannedCount() throws {
    let context = Context()
    let pull = try service(context, .pull, "inproc://load-push-rate", count: 100)
    let s = try load(context, .push, "inproc://load-push-rate", LoadPlan(rate: 400, duration: 250_000_000, count: nil, clients: 2))
    #expect(pull.join() == nil)
    #expect(s.planned == 100 && s.sent == 100 && s.unsent == 0 && s.lag.count == 100 && s.latency.isEmpty)
}

@Test func aRequestWithNoReplyWithinTheTimeoutIsCountedAndGivenUp() throws {
    let context = Context()
    let mute = try Socket(context, type: .router)
    try mute.bind("inproc://load-req-mute")
    defer { mute.close() }
    let s = try load(context, .req, "inproc://load-req-mute", LoadPlan(rate: nil, duration: nil, count: 3, timeout: 50_000_000))
    #expect(s.sent == 3 && s.answered == 0 && s.timeouts == 3)
}

@Test func theLoadSummaryHasCliMdsKeys() {
    var s = LoadSummary(mode: .req, endpoint: "tcp://h:1", clients: 2, size: 10, rate: 100, planned: 4)
    s.sent = 4
    s.answered = 3
    s.timeouts = 1
    s.nanoseconds = 1_000_000_000
    s.latency.record(1000)
    let json = LoadReport.json(s)
    for key in ["messages", "bytes", "seconds", "msgs_per_s", "mb_per_s", "latency_us", "errors", "timeouts", "p50", "p999", "mean"] {
        #expect(json.contains("\"\(key)\": "), "\(key)")
    }
    #expect(json.contains("\"messages\": 3") && json.contains("\"timeouts\": 1") && json.contains("\"endpoint\": \"tcp://h:1\""))
    #expect(LoadReport.text(s).contains("timeouts: 1"))
}
