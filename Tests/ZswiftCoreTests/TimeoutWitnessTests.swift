// In-process: what a timeout says it saw, from synthetic monitor events (a refused connect
// retried, a connection with no handshake, a peer that is there), and req's round-trip summary.
import Testing
import ZMQ
@testable import ZswiftCore

@Test func aTimeoutNamesWhatTheConnectionsCameTo() {
    let rig = Rig(.null(.req))
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false).hasPrefix("no connection to \(remote) was made"))
    for _ in 0..<3 { rig.feed(.connectRetried, 100, remote) }
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false) == "nothing listens at \(remote): every connect failed (retried 3 times)")
    rig.feed(.connected, 10, remote)
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false).hasPrefix("a connection was made, but no ZMTP handshake completed"))
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false).contains("zswift probe \(remote)"))
    rig.feed(.handshakeSucceeded, 0, remote)
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false) == "1 peer connected and completed the ZMTP handshake")
    rig.feed(.disconnected, 10, remote)
    #expect(rig.tracker.whatWasSeen(at: remote, binds: false) == "1 peer completed the handshake, and none is connected now")
    let server = Rig(.null(.pull))
    #expect(server.tracker.whatWasSeen(at: bound, binds: true) == "no peer connected to \(bound)")
    server.feed(.accepted, 10, bound)
    #expect(server.tracker.whatWasSeen(at: bound, binds: true) == "a connection came to \(bound), but no ZMTP handshake completed (not a ZMTP peer, or of a socket type that does not fit)")
}

@Test func roundTripsGiveMinMeanP99AndMaxInMilliseconds() {
    var trips = RoundTrips()
    #expect(trips.summary == nil)
    for ms in 1...100 { trips.record(nanoseconds: ms * 1_000_000) }
    #expect(trips.summary == "round trips: min 1.00 ms, mean 50.50 ms, p99 99.00 ms, max 100.00 ms over 100 requests")
    #expect(RoundTrips.milliseconds(1234) == "1.23 ms")
}
