// bench in process: its command line (mode, defaults, ends), the summary's arithmetic and
// renderings, and its loops over inproc with exact counts.
import Testing
import ZMQ
@testable import ZswiftCore

@Test func benchTakesItsModeAndDefaultsToAMillionOrTenThousandOver100ByteMessagesOnTCP() throws {
    let thr = try #require(try invocation("bench", "thr").bench)
    #expect(thr.mode == .thr && thr.size == 100 && thr.count == 1_000_000 && thr.end == .both(.tcp) && thr.format == .text)
    let lat = try #require(try invocation("bench", "lat", "--size", "64k", "-n", "50", "--transport", "inproc", "-f", "json").bench)
    #expect(lat.mode == .lat && lat.size == 65536 && lat.count == 50 && lat.end == .both(.inproc) && lat.format == .json)
}

@Test func aSplitRunIsOneBindOrOneConnect() throws {
    let bound = try #require(try invocation("bench", "thr", "-b", ":5555").bench)
    #expect(bound.end == .bound(try Endpoint.parse("tcp://*:5555", role: .bind)))
    let connected = try #require(try invocation("bench", "lat", "-c", "ipc:///tmp/x").bench)
    #expect(connected.end == .connected(try Endpoint.parse("ipc:///tmp/x", role: .connect)))
    #expect(usageError("bench", "thr", "-c", ":1", "-c", ":2")?.message.contains("one -b or one -c") == true)
    #expect(usageError("bench", "thr", "extra")?.message.contains("one mode") == true)
    #expect(usageError("bench", "thr", "--size", "2G")?.message.contains("--size") == true)
}

@Test func percentilesAreTakenByNearestRankAndOrdered() {
    let trips = (1...1000).map { $0 * 1000 }  // 1 to 1000 microseconds
    let l = LatencySummary(roundTrips: trips.reversed())
    #expect(l.p50 == 500 && l.p90 == 900 && l.p99 == 990 && l.p999 == 999 && l.max == 1000 && l.mean == 500.5)
    let one = LatencySummary(roundTrips: [7000])
    #expect(one.p50 == 7 && one.p999 == 7 && one.max == 7 && one.mean == 7)
}

@Test func theJSONSummaryHasCliMdsKeysInOrder() {
    var s = BenchSummary(mode: .lat, transport: "tcp", size: 100, messages: 4, nanoseconds: 2_000_000_000)
    s.latency = LatencySummary(p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 2.5)
    #expect(BenchReport.json(s) == #"{"mode": "lat", "transport": "tcp", "size": 100, "messages": 4, "bytes": 400, "seconds": 2.000000, "msgs_per_s": 2.0, "mb_per_s": 0.000, "complete": true, "latency_us": {"p50": 1.000, "p90": 2.000, "p99": 3.000, "p999": 4.000, "max": 5.000, "mean": 2.500}}"#)
}

@Test func decimalsRoundHalfUpWithTheirPlaces() {
    #expect(BenchReport.decimal(2.345, 2) == "2.35" || BenchReport.decimal(2.345, 2) == "2.34")  // binary 2.345 is a hair under
    #expect(BenchReport.decimal(0.05, 1) == "0.1")
    #expect(BenchReport.decimal(1234.0, 0) == "1234")
    #expect(BenchReport.decimal(3.007, 2) == "3.01")
    #expect(BenchReport.decimal(12, 3) == "12.000")
}

@Test func theLoopsMoveExactlyTheCountOverInproc() throws {
    let context = Context()
    let pull = try Socket(context, type: .pull)
    try pull.bind("inproc://bench-loops-thr")
    let sender = try BenchThread(context) { () throws(BenchFailure) in
        let push = try BenchCommand.open(context, .push, connect: "inproc://bench-loops-thr")
        defer { push.close() }
        try BenchLoops.send(push, size: 40, count: 3000)
    }
    let nanoseconds = try BenchLoops.receive(pull, size: 40, count: 3000)
    #expect(sender.join() == nil)
    #expect(nanoseconds >= 0)
    var leftover = Message()
    #expect(try pull.receive(&leftover, dontWait: true) == false)
    pull.close()
}

@Test func roundTripsAreEachTimedAndAddUpToTheTotal() throws {
    let context = Context()
    let req = try Socket(context, type: .req)
    try req.bind("inproc://bench-loops-lat")
    let echo = try BenchThread(context) { () throws(BenchFailure) in
        let rep = try BenchCommand.open(context, .rep, connect: "inproc://bench-loops-lat")
        defer { rep.close() }
        try BenchLoops.echo(rep, size: 10, count: 500)
    }
    let (trips, total) = try BenchLoops.roundTrips(req, size: 10, count: 500)
    #expect(echo.join() == nil)
    #expect(trips.count == 500 && trips.allSatisfy { $0 > 0 } && trips.reduce(0, +) == total)
    req.close()
}

@Test func aMessageOfTheWrongSizeFailsTheReceiverAndTheOtherEndIsStopped() throws {
    let context = Context()
    let pull = try Socket(context, type: .pull)
    try pull.bind("inproc://bench-loops-size")
    let sender = try BenchThread(context) { () throws(BenchFailure) in
        let push = try BenchCommand.open(context, .push, connect: "inproc://bench-loops-size")
        defer { push.close() }
        try BenchLoops.send(push, size: 7, count: 10)
    }
    #expect(throws: BenchFailure.self) { try BenchLoops.receive(pull, size: 8, count: 10) }
    context.shutdown()
    _ = sender.join()
    pull.close()
}
