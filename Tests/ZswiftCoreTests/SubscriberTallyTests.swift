// SubscriberTally with synthetic orders of monitor and socket reads: a subscription read before
// its connection's handshake event still counts once that event is read; a subscriber's further
// prefixes never count as another subscriber.
import Testing
@testable import ZswiftCore

/// Handshake events: `completed` have happened, `read` of them have been taken from the monitor.
private final class Monitor {
    var completed = 0
    var read = 0
    func handshakes(refresh: Bool) -> Int {
        if refresh { read = completed }
        return read
    }
}

@Test func aSubscriptionReadBeforeItsHandshakeEventStillCounts() throws {
    var tally = SubscriberTally()
    let monitor = Monitor()
    monitor.completed = 1  // the handshake happened, its event is not read yet
    #expect(try tally.subscription(handshakes: monitor.handshakes))
    #expect(tally.counted == 1 && monitor.read == 1)
}

@Test func furtherPrefixesOfOneSubscriberDoNotCountAsAnother() throws {
    var tally = SubscriberTally()
    let monitor = Monitor()
    monitor.completed = 1
    #expect(try tally.subscription(handshakes: monitor.handshakes))
    #expect(try !tally.subscription(handshakes: monitor.handshakes))
    // a second subscriber's handshake, read late again
    monitor.completed = 2
    #expect(try tally.subscription(handshakes: monitor.handshakes))
    #expect(tally.counted == 2)
}

@Test func theMonitorIsReadOnlyWhenNoCreditIsLeft() throws {
    var tally = SubscriberTally()
    let monitor = Monitor()
    monitor.completed = 2
    monitor.read = 2
    #expect(try tally.subscription(handshakes: monitor.handshakes))
    monitor.completed = 3  // not needed for this subscription: no read of the monitor
    #expect(try tally.subscription(handshakes: monitor.handshakes))
    #expect(monitor.read == 2)
}
