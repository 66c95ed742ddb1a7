// ConnectionTracker fed synthetic monitor events: which connection a handshake event belongs to,
// what a connection that ends with no handshake means on each side, the streak that gives up on a
// wrong CURVE key, and how the end of a ZMTP 2.0 session shows. No sockets, no clock.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

// MARK: - Handshake matching

@Test func handshakeEventsOnABoundSocketGoToTheOldestConnectionStillWaiting() {
    var tracker = ConnectionTracker(.null(.pull, refusing: true), peerName: cannedName)
    for fd: UInt32 in [10, 11, 12] { _ = tracker.handle(event(.accepted, fd, bound), at: Int(fd)) }
    let first = withoutEcho(tracker.handle(event(.handshakeSucceeded, 0, bound), at: 20))
    #expect(first == [.handshakeSucceeded(connection(10, at: 10, .succeeded))])
    let second = withoutEcho(tracker.handle(event(.handshakeSucceeded, 0, bound), at: 21))
    #expect(second == [.handshakeSucceeded(connection(11, at: 11, .succeeded))])
    let failure = HandshakeFailure.protocolError(.zmtpUnspecified)
    let third = withoutEcho(tracker.handle(event(.handshakeFailedProtocol, failure.code, bound), at: 22))
    #expect(third == [.handshakeFailed(connection(12, at: 12, .failed), endpoint: bound, failure)])
    #expect(tracker.connections.map(\.handshake) == [.succeeded, .succeeded, .failed])
    #expect(tracker.ready == 2 && tracker.handshakes == 2 && tracker.everReady)
    // an accepted connection's failure never ends the run: it is the peer's problem
    #expect(tracker.fatalHandshake == nil)
}

@Test func aConnectionThatLeftBeforeItsHandshakeDoesNotTakeTheNextOne() {
    var tracker = ConnectionTracker(.null(.pull, refusing: true), peerName: cannedName)
    _ = tracker.handle(event(.accepted, 10, bound), at: 0)
    _ = tracker.handle(event(.accepted, 11, bound), at: 1)
    #expect(withoutEcho(tracker.handle(event(.disconnected, 10, bound), at: 2)) == [.refused(connection(10, at: 0))])
    _ = tracker.handle(event(.handshakeSucceeded, 0, bound), at: 3)
    #expect(tracker.connections == [connection(11, at: 1, .succeeded)])
    #expect(tracker.fds == [11])
}

@Test func aHandshakeEventIsShownAsAboutTheConnectionItWasMatchedTo() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    #expect(tracker.handle(event(.accepted, 10, bound), at: 0).first == .observed(event(.accepted, 10, bound), connection: 10))
    _ = tracker.handle(event(.accepted, 11, bound), at: 1)
    _ = tracker.handle(event(.handshakeSucceeded, 0, bound), at: 2)
    let second = tracker.handle(event(.handshakeFailedNoDetail, UInt32(EPIPE), bound), at: 3)
    #expect(second.first == .observed(event(.handshakeFailedNoDetail, UInt32(EPIPE), bound), connection: 11))
}

@Test func aConnectEndpointsHandshakeGoesToItsOwnConnectionEvenWhenAcceptedOnesWaitLonger() {
    var tracker = ConnectionTracker(.null(.dealer), peerName: cannedName)
    _ = tracker.handle(event(.accepted, 10, bound), at: 0)
    _ = tracker.handle(event(.connected, 11, remote), at: 1)
    _ = tracker.handle(event(.handshakeSucceeded, 0, remote), at: 2)
    #expect(tracker.connections.map(\.handshake) == [.pending, .succeeded])
}

@Test func aHandshakeEventWithNoConnectionWaitingChangesNothingButIsStillShown() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    let changes = tracker.handle(event(.handshakeSucceeded, 0, bound), at: 0)
    #expect(changes == [.observed(event(.handshakeSucceeded, 0, bound), connection: nil)])
    #expect(tracker.handshakes == 0 && !tracker.everReady)
}

// MARK: - Connections that end with no handshake event

@Test func anAcceptedConnectionEndingWithNoHandshakeOnARefusingSocketIsARefusedLegacyPeer() {
    var tracker = ConnectionTracker(.null(.pull, refusing: true), peerName: cannedName)
    _ = tracker.handle(event(.accepted, 10, bound), at: 0)
    #expect(withoutEcho(tracker.handle(event(.disconnected, 10, bound), at: 5)) == [.refused(connection(10, at: 0))])
    #expect(tracker.connections.isEmpty && tracker.fatalHandshake == nil)
}

@Test func anAcceptedConnectionEndingWithNoHandshakeOnASocketThatLetsLegacyPeersInJustLeft() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    _ = tracker.handle(event(.accepted, 10, bound), at: 0)
    #expect(withoutEcho(tracker.handle(event(.disconnected, 10, bound), at: 5)) == [.disconnected(connection(10, at: 0))])
}

@Test func aConnectSideConnectionEndingWithNoHandshakeIsAnIncompatiblePeerAndEndsTheRunWithStatus1() {
    var tracker = ConnectionTracker(.null(.push, refusing: true), peerName: cannedName)
    _ = tracker.handle(event(.connected, 10, remote), at: 0)
    let changes = withoutEcho(tracker.handle(event(.disconnected, 10, remote), at: 5))
    let fatal = FatalHandshake(endpoint: remote, cause: .incompatiblePeer(.push))
    #expect(changes == [.disconnected(connection(10, on: remote, accepted: false, at: 0)), .fatalHandshake(fatal)])
    #expect(tracker.fatalHandshake == fatal && fatal.status == .failure)
    // only the first fatal handshake is told
    _ = tracker.handle(event(.connected, 11, remote), at: 6)
    #expect(withoutEcho(tracker.handle(event(.disconnected, 11, remote), at: 7)).count == 1)
}

// MARK: - A wrong CURVE server key

@Test func threeHandshakesInARowFailingWithNoDetailOnACurveClientAreFatalWithStatus4() {
    let rig = Rig(.curve(.push))
    rig.failedTurn(10)
    rig.failedTurn(10)
    #expect(rig.tracker.fatalHandshake == nil)
    rig.feed(.connected, 10, remote, after: 100)
    let third = rig.feed(.handshakeFailedNoDetail, UInt32(EPIPE), remote)
    let fatal = FatalHandshake(endpoint: remote, cause: .repeatedFailures(.curve, count: 3))
    #expect(third.first == .fatalHandshake(fatal))
    #expect(rig.tracker.fatalHandshake?.status == .security)
    // the failed connection had its outcome: its end is not taken for an incompatible peer
    rig.feed(.disconnected, 10, remote)
    #expect(rig.tracker.fatalHandshake == fatal)
}

@Test func aHandshakeThatSucceedsBetweenFailuresStartsTheStreakAgain() {
    let rig = Rig(.curve(.push))
    rig.failedTurn(10)
    rig.failedTurn(10)
    rig.feed(.connected, 10, remote, after: 100)
    rig.feed(.handshakeSucceeded, 0, remote)
    rig.feed(.disconnected, 10, remote)
    rig.failedTurn(10)
    rig.failedTurn(10)
    #expect(rig.tracker.fatalHandshake == nil)
}

@Test func handshakesBrokenOffOnANullSocketAreARefusalNeverAWrongKey() {
    // a server that refuses a NULL client may reset before its ERROR is read: three in a row
    let rig = Rig(.null(.push, refusing: true))
    for _ in 0..<3 { rig.failedTurn(10) }
    #expect(rig.tracker.fatalHandshake == FatalHandshake(endpoint: remote, cause: .repeatedFailures(.null, count: 3)))
    #expect(rig.tracker.fatalHandshake?.reason.contains("key") == false)
}

@Test func nullSessionsThatEndAfterTheGraceAreNeverARefusal() {
    // how libzmq 4.3.4 ends a ZMTP 1.0/2.0 session: no handshake event, then NO_DETAIL at its end
    let rig = Rig(.null(.push))
    for _ in 0..<5 {
        rig.feed(.connected, 10, remote, after: 100)
        rig.feed(.handshakeFailedNoDetail, UInt32(EPIPE), remote, after: ConnectionTracker.legacyGrace + 50)
        rig.feed(.disconnected, 10, remote)
    }
    #expect(rig.tracker.fatalHandshake == nil)
}

@Test func aHandshakeFailureThatMatchesNoConnectionOnABoundSocketIsNeverTheRunsOwn() {
    // a flood of refused peers outruns the events: the failure still belongs to the bound side
    let rig = Rig(.null(.pull, refusing: true))
    for _ in 0..<5 { rig.feed(.handshakeFailedAuth, 400, bound) }
    #expect(rig.tracker.fatalHandshake == nil)
}

@Test func aServerThatRefusesTheClientsSecurityEndsTheRunAtOnceWithStatus4() {
    for failure in [HandshakeFailure.protocolError(.cryptographic), .protocolError(.mechanismMismatch), .authentication(status: 400)] {
        var tracker = ConnectionTracker(.curve(.req), peerName: cannedName)
        _ = tracker.handle(event(.connected, 10, remote), at: 0)
        _ = tracker.handle(event(failure.kind, failure.code, remote), at: 1)
        #expect(tracker.fatalHandshake == FatalHandshake(endpoint: remote, cause: .failure(failure)))
        #expect(tracker.fatalHandshake?.status == .security, "\(failure)")
    }
    var tracker = ConnectionTracker(.null(.req), peerName: cannedName)
    _ = tracker.handle(event(.connected, 10, remote), at: 0)
    _ = tracker.handle(event(.handshakeFailedProtocol, ProtocolError.zmtpUnspecified.rawValue, remote), at: 1)
    #expect(tracker.fatalHandshake?.status == .failure)
}

// MARK: - ZMTP 1.0/2.0 peers

@Test func theEndOfAZMTP2SessionOnAConnectSocketMayHaveBeenALegacyPeerThatTookTheMessages() {
    var tracker = ConnectionTracker(.null(.push), peerName: cannedName)
    _ = tracker.handle(event(.connected, 10, remote), at: 0)
    #expect(!tracker.mayHaveLegacyPeer(at: 1))
    let end = withoutEcho(tracker.handle(event(.handshakeFailedNoDetail, UInt32(EPIPE), remote), at: 100))
    let failed = connection(10, on: remote, accepted: false, at: 0, .failed)
    #expect(end == [.endedWithoutHandshake(failed, endpoint: remote, errno: EPIPE)])
    _ = tracker.handle(event(.disconnected, 10, remote), at: 101)
    #expect(tracker.mayHaveLegacyPeer(at: 102))
    #expect(tracker.fatalHandshake == nil)
}

@Test func aConnectionUpAQuarterSecondWithNoHandshakeEventMayBeALegacyPeer() {
    var tracker = ConnectionTracker(.null(.push), peerName: cannedName)
    _ = tracker.handle(event(.connected, 10, remote), at: 1000)
    #expect(!tracker.mayHaveLegacyPeer(at: 1000 + ConnectionTracker.legacyGrace - 1))
    #expect(tracker.mayHaveLegacyPeer(at: 1000 + ConnectionTracker.legacyGrace))
    _ = tracker.handle(event(.handshakeSucceeded, 0, remote), at: 1300)
    #expect(!tracker.mayHaveLegacyPeer(at: 2000))
}

@Test func aSocketThatRefusesLegacyPeersNeverTakesAConnectionForOne() {
    var tracker = ConnectionTracker(.null(.push, refusing: true), peerName: cannedName)
    _ = tracker.handle(event(.connected, 10, remote), at: 0)
    let end = withoutEcho(tracker.handle(event(.handshakeFailedNoDetail, UInt32(EPIPE), remote), at: 1000))
    #expect(end == [.handshakeFailed(connection(10, on: remote, accepted: false, at: 0, .failed), endpoint: remote, .noDetail(errno: EPIPE))])
    #expect(!tracker.mayHaveLegacyPeer(at: 2000))
}

// MARK: - Names, retries, limits, the end

@Test func eventsOnAResolvedAddressAreReportedUnderTheEndpointTheUserGave() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    tracker.name(remote, as: "tcp://localhost:6666")
    #expect(tracker.handle(event(.connectRetried, 100, remote), at: 0)
            == [.observed(event(.connectRetried, 100, "tcp://localhost:6666"), connection: nil),
                .retrying(endpoint: "tcp://localhost:6666", interval: 100, reconnecting: false)])
    _ = tracker.handle(event(.connected, 10, remote), at: 1)
    _ = tracker.handle(event(.disconnected, 10, remote), at: 2)
    // a peer was there once: it is a reconnection now
    #expect(withoutEcho(tracker.handle(event(.connectRetried, 100, remote), at: 3))
            == [.retrying(endpoint: "tcp://localhost:6666", interval: 100, reconnecting: true)])
}

@Test func aReadyPeerThatLeavesASocketWithAMaxMessageSizeMayHaveBeenCutOffForAFrameOverIt() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    tracker.maxMessageSize = 100
    _ = tracker.handle(event(.accepted, 10, bound), at: 0)
    _ = tracker.handle(event(.handshakeSucceeded, 0, bound), at: 1)
    let ready = connection(10, at: 0, .succeeded)
    #expect(withoutEcho(tracker.handle(event(.disconnected, 10, bound), at: 2)) == [.disconnected(ready), .possiblyOversized(ready, limit: 100)])
}

@Test func theEndOfTheSocketIsNotAConnectionEvent() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    #expect(tracker.handle(event(.monitorStopped, 0, ""), at: 0) == [.socketGone])
    #expect(tracker.socketGone)
}

@Test func aPeerGoneBeforeItsEventWasReadHasNoName() {
    var tracker = ConnectionTracker(.null(.pull), peerName: cannedName)
    _ = tracker.handle(event(.accepted, UInt32(bitPattern: -1), bound), at: 0)
    #expect(tracker.connections.first?.peer == nil)
}

extension HandshakeFailure {
    /// The event kind and value that report this failure.
    var kind: MonitorEvent.Kind {
        switch self {
        case .noDetail: .handshakeFailedNoDetail
        case .protocolError: .handshakeFailedProtocol
        case .authentication: .handshakeFailedAuth
        }
    }

    var code: UInt32 {
        switch self {
        case let .noDetail(errno): UInt32(bitPattern: errno)
        case let .protocolError(error): error.rawValue
        case let .authentication(status): status
        }
    }
}

@Test func aCurveClientThatBindsEndsAtTheFirstHandshakeItsServerBreaksOff() {
    // a server that connects does not try again after a failed handshake: one is all there is
    var settings = ConnectionTracker.Settings.curve(.pull)
    settings.isSecurityClient = true
    let rig = Rig(settings)
    rig.feed(.accepted, 10, bound)
    rig.feed(.handshakeFailedNoDetail, UInt32(EPIPE), bound)
    #expect(rig.tracker.fatalHandshake == FatalHandshake(endpoint: bound, cause: .repeatedFailures(.curve, count: 1)))
    #expect(rig.tracker.fatalHandshake?.reason.hasPrefix("the server closed the connection during the CURVE handshake: ") == true)
}
