// The event loop in-process: timers fire in order and repeat, deadlines end a run, a socket
// waited for over inproc wakes the loop, plain fds are level-triggered, and handlers run as
// their sockets become ready.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

@Test func timersFireInOrderAndARepeatingOneKeepsFiring() throws {
    let reactor = Reactor()
    var fired: [String] = []
    reactor.timer(after: 30) { fired.append("30") }
    reactor.timer(after: 10) { fired.append("10") }
    var ticks = 0
    let tick = reactor.timer(after: 5, repeating: true) { ticks += 1 }
    let started = Clock.now()
    #expect(try reactor.run(until: Deadline(after: .ms(2000))) { fired.count == 2 })
    reactor.cancel(tick)
    #expect(fired == ["10", "30"])
    #expect(ticks >= 3, "\(ticks) ticks")
    #expect(Clock.now() - started < 1000)
}

@Test func aRunEndsFalseWhenItsDeadlinePassesAndNotBefore() throws {
    let reactor = Reactor()
    let started = Clock.now()
    #expect(try !reactor.run(until: Deadline(after: .ms(120))) { false })
    let took = Clock.now() - started
    #expect(took >= 120 && took < 1000, "\(took) ms")
}

@Test func waitingForASocketWakesWhenAMessageArrivesWhileTimersStillFire() throws {
    let context = Context()
    let pull = try Socket(context, type: .pull)
    let push = try Socket(context, type: .push)
    defer { pull.close(); push.close() }
    try pull.bind("inproc://reactor-wait")
    try push.connect("inproc://reactor-wait")
    let reactor = Reactor()
    let watch = reactor.watch(pull, for: .readable)
    var ticks = 0
    reactor.timer(after: 20, repeating: true) { ticks += 1 }
    reactor.timer(after: 150) { _ = try? push.send(Array("late".utf8), flags: .dontWait) }
    #expect(try reactor.wait(for: watch, .readable, until: Deadline(after: .ms(5000))))
    var message = Message()
    #expect(try pull.receive(&message, dontWait: true))
    #expect(message.array == Array("late".utf8))
    #expect(ticks >= 3, "\(ticks) ticks")
    // nothing more: the wait ends at its deadline
    #expect(try !pull.receive(&message, dontWait: true))
    #expect(try !reactor.wait(for: watch, .readable, until: Deadline(after: .ms(60)), drained: true))
}

@Test func aHandlerTakesWhatIsReadyAndIsCalledAgainForMore() throws {
    let context = Context()
    let pull = try Socket(context, type: .pull)
    let push = try Socket(context, type: .push)
    defer { pull.close(); push.close() }
    try pull.bind("inproc://reactor-handler")
    try push.connect("inproc://reactor-handler")
    let reactor = Reactor()
    var got: [String] = []
    var message = Message()
    reactor.watch(pull, for: .readable) { (_) throws(Exit) -> Bool in
        while (try? pull.receive(&message, dontWait: true)) == true { got.append(String(decoding: message.bytes, as: UTF8.self)) }
        return true
    }
    for word in ["a", "b"] { _ = try push.send(Array(word.utf8)) }
    reactor.timer(after: 50) { _ = try? push.send(Array("c".utf8)) }
    #expect(try reactor.run(until: Deadline(after: .ms(5000))) { got.count == 3 })
    #expect(got == ["a", "b", "c"])
}

@Test func aPlainFileDescriptorIsLevelTriggeredAndAHangUpIsAnError() throws {
    var fds: [Int32] = [-1, -1]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]) }
    let reactor = Reactor()
    var seen: [PollEvents] = []
    let watch = reactor.watch(fd: fds[0], for: .readable) { (events) throws(Exit) -> Bool in
        seen.append(events)
        return true
    }
    var byte: UInt8 = 7
    #expect(write(fds[1], &byte, 1) == 1)
    try reactor.turn(timeout: 1000)
    try reactor.turn(timeout: 1000)  // not read: still readable
    #expect(seen.count == 2 && seen.allSatisfy { $0.contains(.readable) })
    reactor.change(watch, to: [])
    close(fds[1])
    _ = read(fds[0], &byte, 1)
    try reactor.turn(timeout: 1000)
    #expect(seen.last?.contains(.error) == true, "\(seen)")
}

@Test func aRemovedWatchIsNoLongerCalled() throws {
    var fds: [Int32] = [-1, -1]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]); close(fds[1]) }
    let reactor = Reactor()
    var calls = 0
    var watch: Reactor.Watch?
    watch = reactor.watch(fd: fds[0], for: .readable) { (_) throws(Exit) -> Bool in
        calls += 1
        reactor.remove(watch!)
        return true
    }
    var byte: UInt8 = 1
    _ = write(fds[1], &byte, 1)
    try reactor.turn(timeout: 1000)
    try reactor.turn(timeout: 50)
    #expect(calls == 1)
}
