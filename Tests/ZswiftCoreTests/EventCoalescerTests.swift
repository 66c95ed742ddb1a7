// EventCoalescer fed synthetic monitor events and times: a reconnect loop that cycles through
// three kinds, and a flood of one kind, give at most one line a window per kind and endpoint,
// and every event is accounted for (lines plus their "repeated" counts).
import Testing
import ZMQ
@testable import ZswiftCore

private func event(_ kind: MonitorEvent.Kind, _ endpoint: String = "tcp://127.0.0.1:9") -> MonitorEvent {
    MonitorEvent(kind: kind, value: 100, endpoint: endpoint)
}

@Test func aReconnectLoopThroughThreeKindsGivesAFewLinesASecondWithCounts() {
    var coalescer = EventCoalescer(window: 1000)
    var lines: [EventCoalescer.Line] = []
    var events = 0
    // every 100 ms for 4 s: connect_delayed, closed, connect_retried (libzmq's loop at a closed port)
    for tick in 0..<40 {
        for kind in [MonitorEvent.Kind.connectDelayed, .closed, .connectRetried] {
            events += 1
            if let line = coalescer.admit(event(kind), at: tick * 100) { lines.append(line) }
        }
    }
    lines += coalescer.pending(at: nil)
    #expect(lines.count <= 3 * 4 + 3, "\(lines.count) lines")
    #expect(lines.reduce(0) { $0 + 1 + $1.repeated } == events)
}

@Test func foldedEventsComeOutOnceTheirWindowHasPassedEvenWithoutAnotherOfTheirKind() {
    var coalescer = EventCoalescer(window: 1000)
    #expect(coalescer.admit(event(.acceptFailed), at: 0) == .init(event: event(.acceptFailed), repeated: 0, time: 0))
    for t in 1...500 { #expect(coalescer.admit(event(.acceptFailed), at: t) == nil) }
    #expect(coalescer.pending(at: 999).isEmpty)
    // the 500 folded ones: their last is shown standing for the other 499, stamped with its own time
    #expect(coalescer.pending(at: 1000) == [.init(event: event(.acceptFailed), repeated: 499, time: 500)])
    #expect(coalescer.pending(at: nil).isEmpty)
}

@Test func differentEndpointsAndKindsAreNotFoldedTogether() {
    var coalescer = EventCoalescer(window: 1000)
    #expect(coalescer.admit(event(.connected, "tcp://a:1"), at: 0) != nil)
    #expect(coalescer.admit(event(.connected, "tcp://b:1"), at: 1) != nil)
    #expect(coalescer.admit(event(.disconnected, "tcp://a:1"), at: 2) != nil)
    #expect(coalescer.admit(event(.connected, "tcp://a:1"), at: 3) == nil)
    // the next one after the window carries the count of those folded before it
    #expect(coalescer.admit(event(.connected, "tcp://a:1"), at: 1500) == .init(event: event(.connected, "tcp://a:1"), repeated: 1, time: 1500))
}
