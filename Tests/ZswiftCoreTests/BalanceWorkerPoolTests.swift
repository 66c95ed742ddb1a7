// WorkerPool driven by hand-made times: least-recently-used order, busy time, READY from a known
// worker, expiry of idle and busy workers, the heartbeat schedule, plain (REQ) workers, and the
// totals a --stats line reports.
import Testing
@testable import ZswiftCore

private let second = 1_000_000_000
private func id(_ text: String) -> [UInt8] { Array(text.utf8) }

@Test func theLeastRecentlyUsedIdleWorkerIsTakenFirst() {
    var pool = WorkerPool(now: 0)
    for name in ["a", "b", "c"] { pool.ready(id(name), now: 0) }
    #expect(pool.take(now: 1) == id("a"))
    #expect(pool.take(now: 1) == id("b"))
    #expect(pool.replied(id("a"), now: 2) == .answered(busyNanoseconds: 1))
    // c waited longest, then a, which came back after its reply
    #expect(pool.take(now: 3) == id("c"))
    #expect(pool.take(now: 3) == id("a"))
    #expect(pool.take(now: 3) == nil)
    #expect(pool.busyCount == 3 && pool.idleCount == 0)
}

@Test func aReplyCountsTheRequestAndItsBusyTime() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("w"), now: 0)
    for start in [0, 10, 20] {
        #expect(pool.take(now: start * second) == id("w"))
        #expect(pool.replied(id("w"), now: start * second + 500_000_000) == .answered(busyNanoseconds: 500_000_000))
    }
    #expect(pool[id("w")]?.requests == 3)
    #expect(pool[id("w")]?.busyNanoseconds == 1_500_000_000)
    #expect(pool.totals == PoolTotals(requests: 3, busyNanoseconds: 1_500_000_000))
}

@Test func readyFromAKnownWorkerMovesItNeverDuplicatesIt() {
    var pool = WorkerPool(now: 0)
    #expect(pool.ready(id("a"), now: 0) == .joined)
    pool.ready(id("b"), now: 0)
    #expect(pool.ready(id("a"), now: 1) == .rejoined(lostRequest: false))
    #expect(pool.count == 2 && pool.idle == [id("b"), id("a")])
    // busy, then READY again: it restarted, and its request is lost
    #expect(pool.take(now: 2) == id("b"))
    #expect(pool.ready(id("b"), now: 3) == .rejoined(lostRequest: true))
    #expect(pool.idle == [id("a"), id("b")] && pool.busyCount == 0)
    #expect(pool.totals.requestsLost == 1 && pool.totals.workersLost == 0)
}

@Test func repliesFromIdleOrUnknownWorkersAreToldApart() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("a"), now: 0)
    #expect(pool.replied(id("a"), now: 1) == .unexpected)
    #expect(pool.replied(id("z"), now: 1) == .stranger)
    #expect(pool.contains(id("z")) && pool.idle == [id("a"), id("z")])
    #expect(pool.totals.requests == 0)
}

@Test func aSilentIdleWorkerExpiresAfterIntervalTimesLiveness() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("quiet"), now: 0)
    pool.ready(id("chatty"), now: 0)
    pool.heard(from: id("chatty"), now: 2 * second)
    #expect(pool.expire(now: 3 * second - 1).isEmpty)
    let gone = pool.expire(now: 3 * second)
    #expect(gone.map(\.worker.id) == [id("quiet")] && gone.first?.lostRequest == false)
    #expect(pool.idle == [id("chatty")])
    #expect(pool.expire(now: 5 * second).map(\.worker.id) == [id("chatty")])
    #expect(pool.totals.workersLost == 2 && pool.isEmptyOfWorkers)
}

@Test func aBusyWorkerThatFallsSilentIsLostWithItsRequest() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("w"), now: 0)
    pool.ready(id("v"), now: 0)
    _ = pool.replied(id("w"), now: 0)  // unexpected, but counts as hearing from it
    #expect(pool.take(now: 1 * second) == id("v"))
    pool.heard(from: id("w"), now: 2 * second)
    let gone = pool.expire(now: 3 * second)
    #expect(gone.count == 1 && gone[0].worker.id == id("v") && gone[0].lostRequest)
    #expect(pool.totals == PoolTotals(requests: 0, busyNanoseconds: 0, workersLost: 1, workersLeft: 0, requestsLost: 1))
    #expect(pool.take(now: 3 * second) == id("w"))
}

@Test func withoutExpiryWhileBusyABusyWorkerWaitsForItsReply() {
    var pool = WorkerPool(expiresWhileBusy: false, now: 0)
    pool.ready(id("slow"), now: 0)
    #expect(pool.take(now: 0) == id("slow"))
    #expect(pool.expire(now: 60 * second).isEmpty)
    #expect(pool.replied(id("slow"), now: 60 * second) == .answered(busyNanoseconds: 60 * second))
    #expect(pool.expire(now: 63 * second).count == 1)
}

@Test func heartbeatsGoToIdleWorkersOnceAnIntervalInLeastRecentlyUsedOrder() {
    var pool = WorkerPool(now: 0)
    for name in ["a", "b", "c"] { pool.ready(id(name), now: 0) }
    _ = pool.take(now: 0)
    #expect(pool.heartbeatsDue(now: second - 1).isEmpty)
    #expect(pool.heartbeatsDue(now: second) == [id("b"), id("c")])
    #expect(pool.heartbeatsDue(now: second + 1).isEmpty)
    #expect(pool.nextHeartbeatAt == 2 * second)
    #expect(pool.heartbeatsDue(now: 2 * second, includingBusy: true) == [id("b"), id("c"), id("a")])
}

@Test func plainWorkersAreNeitherHeartbeatedNorExpiredButCanBeRemoved() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("req"), kind: .plain, now: 0)
    pool.ready(id("dealer"), now: 0)
    #expect(pool.heartbeatsDue(now: second) == [id("dealer")])
    #expect(pool.expire(now: 100 * second).map(\.worker.id) == [id("dealer")])
    #expect(pool.take(now: 100 * second) == id("req"))
    #expect(pool.remove(id("req"), lost: true)?.lostRequest == true)
    #expect(pool.remove(id("req"), lost: true) == nil)
    #expect(pool.totals.workersLost == 2 && pool.totals.requestsLost == 1)
}

@Test func theNextDeadlineIsTheEarlierOfTheHeartbeatRoundAndAnExpiry() {
    var pool = WorkerPool(now: 0)
    #expect(pool.nextDeadline == nil)
    pool.ready(id("a"), now: 0)
    #expect(pool.nextDeadline == second)
    _ = pool.heartbeatsDue(now: second)
    _ = pool.heartbeatsDue(now: 2 * second)
    #expect(pool.nextDeadline == 3 * second)  // a's expiry and the next round coincide
    pool.ready(id("b"), kind: .plain, now: 0)
    #expect(pool.nextDeadline == 3 * second)
}

@Test func statsLinesGiveTotalsThenEachWorkerBusiestFirst() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("fast"), now: 0)
    pool.ready(id("slow"), now: 0)
    _ = pool.take(now: 0)
    pool.replied(id("fast"), now: 1_000_000)
    _ = pool.take(now: 0)
    pool.replied(id("slow"), now: 500_000_000)
    _ = pool.take(now: second)
    pool.replied(id("fast"), now: second + 1_000_000)
    #expect(pool.statsLines() == [
        "workers: 2 (2 idle, 0 busy), 0 lost, 0 left; 3 requests answered, 0 lost with its worker",
        "worker fast: 2 requests, busy 0.00 s",
        "worker slow: 1 request, busy 0.50 s",
    ])
    #expect(PirateWire.show([0, 0x6b, 0x8b, 0x45, 0x67]) == "006b8b4567")
}

@Test func manyRandomEventsKeepThePoolConsistent() {
    var pool = WorkerPool(now: 0)
    var generator = SystemRandomNumberGenerator()
    var now = 0
    for _ in 0..<5_000 {
        now += Int.random(in: 0...300_000_000, using: &generator)
        let worker = [UInt8(Int.random(in: 0..<8, using: &generator))]
        switch Int.random(in: 0..<6, using: &generator) {
        case 0: pool.ready(worker, kind: Bool.random() ? .plain : .heartbeating, now: now)
        case 1: _ = pool.take(now: now)
        case 2: _ = pool.replied(worker, now: now)
        case 3: pool.heard(from: worker, now: now)
        case 4: _ = pool.expire(now: now)
        default: _ = pool.heartbeatsDue(now: now)
        }
        #expect(Set(pool.idle).count == pool.idle.count)
        #expect(pool.idle.allSatisfy { pool[$0]?.isBusy == false })
        #expect(pool.workers.values.filter { !$0.isBusy }.count == pool.idleCount)
    }
}

extension WorkerPool {
    var isEmptyOfWorkers: Bool { count == 0 }
}

@Test func aWorkerARequestCouldNotReachIsLostWithoutTheRequest() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("w"), now: 0)
    #expect(pool.take(now: 1) == id("w"))
    let gone = pool.unreachable(id("w"))
    #expect(gone?.lostRequest == false && pool.count == 0 && pool.unreachable(id("w")) == nil)
    #expect(pool.totals == PoolTotals(requests: 0, busyNanoseconds: 0, workersLost: 1, workersLeft: 0, requestsLost: 0))
}

@Test func aReplyCountsOnlyWhenItIsToTheRequestInHand() {
    var pool = WorkerPool(now: 0)
    pool.ready(id("w"), now: 0)
    #expect(pool.take(now: 1, for: 2) == id("w"))
    // a reply to another request (one from before a restart): dropped, still busy with bob's
    #expect(pool.replied(id("w"), now: 2, to: 1) == .unexpected)
    #expect(pool[id("w")]?.isBusy == true && pool.idleCount == 0)
    #expect(pool.replied(id("w"), now: 3, to: 2) == .answered(busyNanoseconds: 2))
    #expect(pool.idle == [id("w")] && pool[id("w")]?.inHand == 0)
}

@Test func aHeartbeatFromAnUnknownWorkerDoesNotMakeItIdleButAReplyDoes() {
    var pool = WorkerPool(now: 0)
    let known = pool.heard(from: id("busy-since-before-a-restart"), now: 0)
    #expect(!known)
    let taken = pool.take(now: 0)
    #expect(pool.count == 0 && taken == nil)
    #expect(pool.replied(id("busy-since-before-a-restart"), now: 1, to: 7) == .stranger)
    #expect(pool.idle == [id("busy-since-before-a-restart")])
}

@Test func aWorkerThatHeartbeatsWhileBusyExpiresWhileBusyEvenWhereOthersDoNot() {
    var pool = WorkerPool(expiresWhileBusy: false, now: 0)
    pool.ready(id("mdwrkapi"), now: 0)
    pool.ready(id("zswift"), now: 0)
    _ = pool.take(now: 0)
    _ = pool.take(now: 0)
    pool.heard(from: id("zswift"), now: 1 * second)   // a heartbeat while busy
    #expect(pool.expire(now: 3 * second).isEmpty)
    let gone = pool.expire(now: 4 * second)
    #expect(gone.map(\.worker.id) == [id("zswift")] && gone[0].lostRequest)
    #expect(pool.count == 1)  // mdwrkapi is silent while it works, and may be
}
