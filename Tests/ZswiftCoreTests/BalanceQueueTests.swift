// PendingRequests (first in first out, refused past its count or byte bound, stale requests
// discarded) and BrokerLiveness (a worker's heartbeats, silence and reconnect back-off).
import Testing
@testable import ZswiftCore

private let second = 1_000_000_000

@Test func pendingRequestsComeOutInTheOrderTheyWentIn() {
    var queue = PendingRequests<Int>()
    for n in 0..<1_000 {
        let queued = queue.enqueue(n, bytes: 10, now: n)
        #expect(queued)
    }
    #expect(queue.count == 1_000 && queue.bytes == 10_000 && queue.first == 0 && queue.oldestSince == 0)
    for n in 0..<600 { #expect(queue.dequeue() == n) }
    queue.enqueue(1_000, bytes: 10, now: 1_000)
    for n in 600...1_000 { #expect(queue.dequeue() == n) }
    #expect(queue.dequeue() == nil && queue.isEmpty && queue.bytes == 0 && queue.peak == 1_000)
}

@Test func aFullQueueRefusesTheNewRequestAndKeepsTheOldOnes() {
    var queue = PendingRequests<String>(capacity: 2, byteCapacity: 100)
    let queued = [queue.enqueue("a", bytes: 1, now: 0), queue.enqueue("b", bytes: 1, now: 0), queue.enqueue("c", bytes: 1, now: 0)]
    #expect(queued == [true, true, false])
    #expect(queue.refused == 1 && queue.count == 2)
    #expect(queue.dequeue() == "a")
    let more = [queue.enqueue("big", bytes: 100, now: 0), queue.enqueue("d", bytes: 99, now: 0)]
    #expect(more == [false, true])  // 1 + 100 bytes is past the byte bound, 1 + 99 is not
    #expect(queue.refused == 2)
    #expect([queue.dequeue(), queue.dequeue()] == ["b", "d"])
}

@Test func theDefaultBoundsAreTenThousandRequestsAndSixtyFourMebibytes() {
    var queue = PendingRequests<Int>()
    #expect(queue.capacity == 10_000 && queue.byteCapacity == 64 << 20)
    for n in 0..<10_000 { queue.enqueue(n, bytes: 1, now: 0) }
    let queued = queue.enqueue(10_000, bytes: 1, now: 0)
    #expect(!queued && queue.refused == 1)
}

@Test func requestsThatWaitedTooLongAreDiscardedOldestFirst() {
    var queue = PendingRequests<Int>()
    for n in 0..<10 { queue.enqueue(n, bytes: 2, now: n * second) }
    let discarded = queue.discard(waitingSince: 4 * second)
    #expect(discarded == 4)
    #expect(queue.first == 4 && queue.bytes == 12 && queue.discarded == 4)
    let removed = queue.removeAll { $0 % 2 == 0 }
    #expect(removed == 3)
    #expect([queue.dequeue(), queue.dequeue(), queue.dequeue()] == [5, 7, 9] && queue.isEmpty)
}

@Test func aWorkerHeartbeatsEveryIntervalAndAnySendCountsAsOne() {
    var liveness = BrokerLiveness(now: 0)
    var due = [second - 1, second, second + 1].map { liveness.heartbeatDue(now: $0) }
    #expect(due == [false, true, false])
    liveness.sent(now: 1_500_000_000)
    due = [2 * second, 2_500_000_000].map { liveness.heartbeatDue(now: $0) }
    #expect(due == [false, true])
}

@Test func theBrokerIsSilentAfterThreeIntervalsWithoutAWord() {
    var liveness = BrokerLiveness(now: 0)
    #expect(!liveness.brokerIsSilent(now: 3 * second - 1) && liveness.brokerIsSilent(now: 3 * second))
    liveness.heard(now: 2 * second)
    #expect(!liveness.brokerIsSilent(now: 4 * second) && liveness.silentAt == 5 * second)
    #expect(liveness.nextDeadline == second)
}

@Test func silenceDoesNotCountWhileARequestIsInHand() {
    var liveness = BrokerLiveness(now: 0)
    liveness.requestStarted(now: second)
    #expect(!liveness.brokerIsSilent(now: 60 * second))
    liveness.requestFinished(now: 60 * second)
    #expect(!liveness.brokerIsSilent(now: 62 * second) && liveness.brokerIsSilent(now: 63 * second))
}

@Test func theReconnectDelayDoublesFromOneSecondToThirtyTwoAndResetsWhenHeard() {
    var liveness = BrokerLiveness(now: 0)
    let delays = (0..<8).map { _ in liveness.takeReconnectDelay() / second }
    #expect(delays == [1, 2, 4, 8, 16, 32, 32, 32])
    liveness.connected(now: 100 * second)
    #expect(liveness.takeReconnectDelay() == 32 * second)  // not heard yet: still backing off
    liveness.heard(now: 101 * second)
    #expect(liveness.takeReconnectDelay() == second)
    liveness.connected(now: 200 * second)
    #expect(!liveness.brokerIsSilent(now: 202 * second) && liveness.nextDeadline == 201 * second)
}

@Test func aRequestPutBackIsNextOutEvenWhenTheQueueIsFull() {
    var queue = PendingRequests<String>(capacity: 2, byteCapacity: 100)
    queue.enqueue("a", bytes: 1, now: 0)
    queue.enqueue("b", bytes: 1, now: 0)
    #expect(queue.dequeue() == "a")
    queue.enqueue("c", bytes: 1, now: 1)
    queue.putBack("a", bytes: 1, now: 2)     // head slot reused
    queue.putBack("z", bytes: 5, now: 3)     // in front of everything, past the bound
    #expect(queue.count == 4 && queue.bytes == 8 && queue.refused == 0)
    #expect([queue.dequeue(), queue.dequeue(), queue.dequeue(), queue.dequeue(), queue.dequeue()] == ["z", "a", "b", "c", nil])
}
