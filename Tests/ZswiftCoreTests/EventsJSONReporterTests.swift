// --events json fed synthetic events and times: a folded line goes out by tick(at:) once its
// window is over, without waiting for another event; events about different connections are
// never folded into one line; each line carries its own event's fd and time.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// A JSON reporter writing to a file, with its clock starting at 0.
private final class JSONRig {
    let log = CapturedOutput()
    var reporter: EventsJSONReporter

    init() { reporter = EventsJSONReporter(diagnostics: Diagnostics(fd: log.fd), origin: 0) }

    /// Reports an event about `connection` (by default the fd it carries, as the tracker does).
    func report(_ kind: MonitorEvent.Kind, _ value: UInt32, _ endpoint: String = bound, about connection: Int32? = nil, at now: Int) {
        let event = event(kind, value, endpoint)
        reporter.report(.observed(event, connection: connection ?? event.fileDescriptor), at: now)
    }

    var lines: [String] {
        (try? log.contents()).map { String(decoding: $0, as: UTF8.self).split(separator: "\n").map(String.init) } ?? []
    }
}

@Test func aLineRendersTheEventItsEndpointItsTimeAndHowManyItStandsFor() {
    let line = EventCoalescer.Line(event: event(.accepted, 12, "tcp://127.0.0.1:5555"), repeated: 0, time: 1042)
    #expect(EventsJSONReporter.render(line, since: 1000) == #"{"event":"accepted","value":12,"endpoint":"tcp://127.0.0.1:5555","time":0.042}"#)
    let folded = EventCoalescer.Line(event: event(.acceptFailed, 24, "ipc:///tmp/a\"b"), repeated: 3, time: 62_500)
    #expect(EventsJSONReporter.render(folded, since: 0) == #"{"event":"accept_failed","value":24,"endpoint":"ipc:///tmp/a\"b","time":62.500,"repeated":3}"#)
}

@Test func twoConnectionsThatLeaveHalfASecondApartGiveTwoLinesEachWithItsOwnFdAndTime() {
    let rig = JSONRig()
    rig.report(.accepted, 12, at: 0)
    rig.report(.accepted, 13, at: 10)
    rig.report(.disconnected, 12, at: 3000)
    rig.report(.disconnected, 13, at: 3500)
    #expect(rig.lines == [#"{"event":"accepted","value":12,"endpoint":"tcp://127.0.0.1:5555","time":0.000}"#,
                          #"{"event":"accepted","value":13,"endpoint":"tcp://127.0.0.1:5555","time":0.010}"#,
                          #"{"event":"disconnected","value":12,"endpoint":"tcp://127.0.0.1:5555","time":3.000}"#,
                          #"{"event":"disconnected","value":13,"endpoint":"tcp://127.0.0.1:5555","time":3.500}"#])
    #expect(rig.reporter.nextDue == nil)
}

@Test func handshakesOfDifferentConnectionsAreShownAtOnceThoughTheEventsCarryNoFd() {
    let rig = JSONRig()
    for fd: Int32 in [12, 13, 14] { rig.report(.handshakeSucceeded, 0, about: fd, at: Int(fd)) }
    #expect(rig.lines.count == 3)
    // one connection's repeats still fold
    rig.report(.handshakeFailedNoDetail, UInt32(EPIPE), about: 12, at: 20)
    rig.report(.handshakeFailedNoDetail, UInt32(EPIPE), about: 12, at: 30)
    #expect(rig.lines.count == 4 && rig.reporter.nextDue == 1020)
}

@Test func aFoldedRepeatGoesOutByTickOnceItsWindowIsOverWithNoFurtherEvent() {
    let rig = JSONRig()
    // the same connection's fd, reused by a reconnect loop: one line a window
    rig.report(.closed, 9, remote, at: 0)
    rig.report(.closed, 9, remote, at: 100)
    rig.report(.closed, 9, remote, at: 200)
    #expect(rig.lines.count == 1)
    #expect(rig.reporter.nextDue == 1000)
    rig.reporter.tick(at: 999)
    #expect(rig.lines.count == 1)
    rig.reporter.tick(at: 1000)
    #expect(rig.lines.last == #"{"event":"closed","value":9,"endpoint":"tcp://127.0.0.1:6666","time":0.200,"repeated":1}"#)
    #expect(rig.reporter.nextDue == nil)
    rig.reporter.flush()
    #expect(rig.lines.count == 2)
}

@Test func aReconnectLoopGivesAboutOneLineASecondPerKindAndAccountsForEveryEvent() {
    let rig = JSONRig()
    var events = 0
    for step in 0..<40 {  // 4 s of libzmq's loop at a closed port, with ticks as a wait would make them
        let now = step * 100
        for (kind, value) in [(MonitorEvent.Kind.connectDelayed, UInt32(EINPROGRESS)), (.closed, 9), (.connectRetried, 100)] {
            rig.report(kind, value, remote, at: now)
            events += 1
        }
        if let due = rig.reporter.nextDue, due <= now + 100 { rig.reporter.tick(at: due) }
    }
    rig.reporter.flush()
    let lines = rig.lines
    #expect(lines.count >= 3 * 4 && lines.count <= 3 * 5, "\(lines.count) lines")
    let repeated = lines.map { line in line.firstRange(of: #""repeated":"#).map { line.number(from: $0.upperBound) } ?? 0 }
    #expect(lines.count + repeated.reduce(0, +) == events)
}

@Test func anAcceptFailedFloodBecomesAFewLinesWithCounts() {
    let rig = JSONRig()
    for i in 0..<100_000 { rig.report(.acceptFailed, UInt32(EMFILE), at: i / 40) }  // 40 a millisecond for 2.5 s
    rig.reporter.flush()
    #expect(rig.lines.count <= 4, "\(rig.lines)")
    #expect(rig.lines.allSatisfy { $0.contains(#""event":"accept_failed""#) })
}

@Test func nextDueIsTheEarliestFoldedLine() {
    let rig = JSONRig()
    rig.report(.closed, 9, remote, at: 0)
    rig.report(.acceptFailed, UInt32(EMFILE), at: 300)
    rig.report(.acceptFailed, UInt32(EMFILE), at: 400)
    rig.report(.closed, 9, remote, at: 500)
    #expect(rig.reporter.nextDue == 1000)
    rig.reporter.tick(at: 1000)
    #expect(rig.reporter.nextDue == 1300)
    rig.reporter.tick(at: 1300)
    #expect(rig.reporter.nextDue == nil && rig.lines.count == 4)
}

private extension String {
    /// The number that starts at `index` ("3" in `3}`).
    func number(from index: String.Index) -> Int { Int(self[index...].prefix { $0.isNumber }) ?? 0 }
}
