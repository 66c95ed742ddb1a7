// What -v says about synthetic monitor events, line by line: each kind of change in words, and
// storms (a reconnect loop, a wrong key retried, an ACCEPT_FAILED flood) said once every 5 s or
// once per run, with their counts.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

@Test func verboseSaysWhoConnectedWhoWasAcceptedAndWhoLeft() {
    let rig = Rig(.null(.pull), verbosity: 2)
    rig.feed(.accepted, 10, bound)
    rig.feed(.handshakeSucceeded, 0, bound)
    rig.feed(.disconnected, 10, bound)
    rig.feed(.connected, 11, remote)
    rig.feed(.disconnected, 11, remote)
    rig.feed(.accepted, UInt32(bitPattern: -1), bound)
    #expect(rig.said == ["zswift: accepted 192.0.2.10:4000 on \(bound)",
                         "zswift: handshake done with 192.0.2.10:4000",
                         "zswift: 192.0.2.10:4000 disconnected from \(bound)",
                         "zswift: connected to \(remote)",
                         "zswift: disconnected from \(remote)",
                         "zswift: accepted a peer on \(bound)"])
}

@Test func verboseSaysARefusedPeerWasNotZMTP3AndHowToLetItIn() {
    let rig = Rig(.null(.pull, refusing: true))
    rig.feed(.accepted, 10, bound)
    rig.feed(.disconnected, 10, bound)
    #expect(rig.said == ["zswift: accepted 192.0.2.10:4000 on \(bound)",
                         "zswift: refused 192.0.2.10:4000 on \(bound): not a ZMTP 3 peer, or a socket type a PULL cannot talk to (--legacy-zmtp accepts ZMTP 1.0/2.0 peers)"])
}

@Test func verboseSaysTheEndOfAZMTP2SessionInWordsNotAsAFailedHandshake() {
    let rig = Rig(.null(.push))
    rig.feed(.connected, 10, remote)
    rig.feed(.handshakeFailedNoDetail, UInt32(EPIPE), remote)
    let said = rig.said.joined(separator: "\n")
    #expect(said.contains("connection with 192.0.2.10:4000 ended without a ZMTP 3 handshake (closed by the peer): a ZMTP 1.0/2.0 peer"), "\(said)")
    #expect(!said.contains("failed"), "\(said)")
    #expect(VerboseReporter.endWithoutHandshake("x", errno: EAGAIN).contains("libzmq's handshake timeout, which 4.3.4 applies to ZMTP 1.0/2.0 sessions too"))
}

@Test func verboseWordsEachHandshakeFailure() {
    let cases: [(HandshakeFailure, String)] = [
        (.noDetail(errno: 0), "no detail"),
        (.noDetail(errno: ECONNRESET), "the peer closed the connection during the handshake"),
        (.noDetail(errno: ETIMEDOUT), "the handshake timed out"),
        (.noDetail(errno: ENOMEM), "cannot allocate memory"),
        (.protocolError(.cryptographic), "cryptographic error (a wrong CURVE key?)"),
        (.protocolError(.mechanismMismatch), "security mechanism mismatch (one side uses CURVE or PLAIN, the other does not)"),
        (.protocolError(ProtocolError(rawValue: 0x1000_0011)), "ZMTP protocol error 0x10000011"),
        (.protocolError(ProtocolError(rawValue: 0x2000_0002)), "ZAP handler error 0x20000002"),
        (.protocolError(ProtocolError(rawValue: 0x3000_0000)), "protocol error 0x30000000"),
        (.authentication(status: 400), "authentication refused (ZAP status 400)"),
    ]
    for (failure, reason) in cases { #expect(failure.reason == reason) }
    let rig = Rig(.null(.pull, refusing: true))
    rig.feed(.handshakeFailedAuth, 400, bound)
    #expect(rig.said == ["zswift: handshake with \(bound) failed: authentication refused (ZAP status 400)"])
}

@Test func aFatalHandshakeSaysWhyTheRunEnds() {
    #expect(FatalHandshake(endpoint: remote, cause: .repeatedFailures(.curve, count: 3)).reason
            == "the server closed the connection during the CURVE handshake 3 times in a row: it could not decrypt this client's HELLO (the server key given is not the server's), or it is no CURVE server, or its socket type does not go with this one")
    #expect(FatalHandshake(endpoint: remote, cause: .repeatedFailures(.gssapi, count: 3)).reason.hasPrefix("the GSSAPI handshake failed 3 times"))
    #expect(FatalHandshake(endpoint: remote, cause: .repeatedFailures(.null, count: 3)).reason.contains("it refuses this client"))
    #expect(FatalHandshake(endpoint: remote, cause: .incompatiblePeer(.push)).reason
            == "the peer closed the connection during the ZMTP handshake: it is not a ZMTP 3 peer, or not a PULL socket a PUSH can talk to")
}

@Test func aReconnectLoopIsSaidOnceThenEveryFiveSecondsWithItsCount() {
    let rig = Rig(.null(.pull))
    for _ in 0..<120 { rig.feed(.connectRetried, 100, remote, after: 100) }  // 12 s
    #expect(rig.said == ["zswift: no peer at \(remote) yet; retrying every 100ms",
                         "zswift: still no peer at \(remote) (51 attempts)",
                         "zswift: still no peer at \(remote) (101 attempts)"])
}

@Test func aPeerThatWasThereIsReconnectedToAndAHandshakeStartsTheCountAgain() {
    let rig = Rig(.null(.pull))
    rig.feed(.connected, 10, remote)
    rig.feed(.handshakeSucceeded, 0, remote)
    rig.feed(.disconnected, 10, remote)
    for _ in 0..<3 { rig.feed(.connectRetried, 100, remote, after: 100) }
    rig.feed(.connected, 10, remote)
    rig.feed(.handshakeSucceeded, 0, remote)
    rig.feed(.disconnected, 10, remote)
    rig.feed(.connectRetried, 100, remote, after: 100)
    #expect(rig.said.filter { $0.contains("reconnecting") } == ["zswift: reconnecting to \(remote) (every 100ms)",
                                                                "zswift: reconnecting to \(remote) (every 100ms)"])
}

@Test func aWrongKeyRetriedIsOneFailureLineEveryFiveSecondsWithItsCount() {
    // a server that cuts every handshake short, with no streak to end the run: NULL, refusing
    let rig = Rig(.null(.push, refusing: true))
    for _ in 0..<60 { rig.failedTurn(10) }  // a turn every ~103 ms: about 6 s
    let failures = rig.said.filter { $0.contains("failed") }
    #expect(failures == ["zswift: handshake with 192.0.2.10:4000 failed: the peer closed the connection during the handshake",
                         "zswift: handshake with 192.0.2.10:4000 failed: the peer closed the connection during the handshake (50 times)"])
}

@Test func anAcceptFailedFloodIsOneWarningPerErrnoEvenWithoutVerbose() {
    let rig = Rig(.null(.pull), verbosity: 0)
    for _ in 0..<10_000 { rig.feed(.acceptFailed, UInt32(EMFILE), bound, after: 0) }
    rig.feed(.acceptFailed, UInt32(ENFILE), bound)
    #expect(rig.said == ["zswift: warning: accept failed on \(bound): Too many open files",
                         "zswift: warning: accept failed on \(bound): Too many open files in system"])
}

@Test func aReadyPeerCutOffOnASocketWithAMaxMessageSizeIsWarnedAboutOnce() {
    let rig = Rig(.null(.pull), verbosity: 0)
    rig.tracker.maxMessageSize = 64
    for fd: UInt32 in [10, 11] {
        rig.feed(.accepted, fd, bound)
        rig.feed(.handshakeSucceeded, 0, bound)
        rig.feed(.disconnected, fd, bound)
    }
    #expect(rig.said == ["zswift: warning: 192.0.2.10:4000 disconnected; a peer that sends a frame over --max-msg-size 64 is cut off that way (libzmq drops the frame and tells neither side)"])
}

@Test func aClientRetryingAWrongKeyIsSaidOnceEveryFiveSecondsNotOnceAConnection() {
    let rig = Rig(.null(.pull))
    for _ in 0..<60 {  // a connection every 100 ms from one host, each refused: six seconds
        rig.feed(.accepted, 10, bound, after: 40)
        rig.feed(.handshakeFailedProtocol, ProtocolError.cryptographic.rawValue, bound, after: 30)
        rig.feed(.disconnected, 10, bound, after: 30)
    }
    #expect(rig.said == ["zswift: accepted 192.0.2.10:4000 on \(bound)",
                         "zswift: handshake with 192.0.2.10:4000 failed: cryptographic error (a wrong CURVE key?)",
                         "zswift: handshake with 192.0.2.10:4000 failed: cryptographic error (a wrong CURVE key?) (51 times)"])
    // another host is said as it comes
    rig.feed(.accepted, 11, bound)
    #expect(rig.said.last == "zswift: accepted 192.0.2.11:4000 on \(bound)")
}

@Test func aFloodOfHandshakesBrokenOffOnACurveServerIsOneLineEveryFiveSecondsWithoutTheLegacyHint() {
    let rig = Rig(.init(type: .rep, mechanism: .curve, acceptsLegacy: false, refusesLegacy: true))
    for _ in 0..<60 {  // 50 wrong-key clients at once: the failures outrun the events that say why
        rig.feed(.accepted, 10, bound, after: 50)
        rig.feed(.disconnected, 10, bound, after: 50)
    }
    let expected = "zswift: connection from 192.0.2.10:4000 on \(bound) ended before its CURVE handshake completed (a wrong key, another mechanism, or a socket type a REP cannot talk to)"
    #expect(rig.said == ["zswift: accepted 192.0.2.10:4000 on \(bound)", expected, expected + " (51 times)"])
}

@Test func differentFailuresOnOneEndpointAreEachSaid() {
    let rig = Rig(.null(.pull, refusing: true))
    rig.feed(.handshakeFailedProtocol, ProtocolError.mechanismMismatch.rawValue, bound)
    rig.feed(.handshakeFailedProtocol, ProtocolError.cryptographic.rawValue, bound)
    #expect(rig.said.count == 2, "\(rig.said)")
}
