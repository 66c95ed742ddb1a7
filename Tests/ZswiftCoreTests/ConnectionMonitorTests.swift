// A ConnectionMonitor fed synthetic monitor events: how libzmq 4.3.4 reports a ZMTP 1.0/2.0 peer (no handshake
// event, HANDSHAKE_FAILED_NO_DETAIL at its end) against a peer that cannot be talked to.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// A PUSH socket's peer tracker writing -v to a file; `refusing` sets a ZAP domain, as a bound
/// zswift does without --legacy-zmtp.
private func tracker(refusing: Bool = false) throws -> (ConnectionMonitor, CapturedOutput, Socket) {
    let socket = try Socket(Context(), type: .push)
    if refusing { try socket.set(.zapDomain, "zswift") }
    let log = CapturedOutput()
    let peers = try ConnectionMonitor(socket: socket, diagnostics: Diagnostics(fd: log.fd, verbosity: 1), events: nil, refusesLegacy: refusing)
    return (peers, log, socket)
}

private let endpoint = "tcp://127.0.0.1:5555"

/// A connection (fd -1: nothing to ask the kernel about) whose end libzmq reports with `ending`.
private func connectionThatEnds(_ peers: ConnectionMonitor, _ ending: [MonitorEvent.Kind]) {
    let fd = UInt32(bitPattern: -1)
    peers.handle(MonitorEvent(kind: .connected, value: fd, endpoint: endpoint), at: Clock.now())
    for kind in ending { peers.handle(MonitorEvent(kind: kind, value: kind == .disconnected ? fd : UInt32(EPIPE), endpoint: endpoint), at: Clock.now()) }
}

@Test func aConnectionThatEndsWithNoHandshakeButNoDetailMayHaveBeenAZMTP2PeerThatTookTheMessages() throws {
    let (peers, log, socket) = try tracker()
    defer { socket.close() }
    #expect(!peers.tracker.mayHaveLegacyPeer(at: Clock.now()))
    connectionThatEnds(peers, [.handshakeFailedNoDetail, .disconnected])
    #expect(peers.tracker.mayHaveLegacyPeer(at: Clock.now()))
    #expect(peers.tracker.fatalHandshake == nil)
    let said = String(decoding: try log.contents(), as: UTF8.self)
    #expect(said.contains("ended without a ZMTP 3 handshake (closed by the peer): a ZMTP 1.0/2.0 peer"), "\(said)")
    #expect(!said.contains("failed"), "\(said)")
}

@Test func aConnectionDroppedWithNoHandshakeEventAtAllIsAFailedHandshakeNotAZMTP2Peer() throws {
    let (peers, _, socket) = try tracker()
    defer { socket.close() }
    connectionThatEnds(peers, [.disconnected])
    #expect(!peers.tracker.mayHaveLegacyPeer(at: Clock.now()))
    #expect(peers.tracker.fatalHandshake?.status == .failure)
}

@Test func aSocketThatRefusesZMTP2PeersNeverTakesAConnectionForOne() throws {
    let (peers, log, socket) = try tracker(refusing: true)
    defer { socket.close() }
    connectionThatEnds(peers, [.handshakeFailedNoDetail, .disconnected])
    #expect(!peers.tracker.mayHaveLegacyPeer(at: Clock.now()))
    #expect(String(decoding: try log.contents(), as: UTF8.self).contains("failed: the peer closed the connection during the handshake"))
}

@Test func theEndOfTheSocketIsNotShownAsAConnectionEvent() throws {
    let socket = try Socket(Context(), type: .push)
    defer { socket.close() }
    let log = CapturedOutput()
    let peers = try ConnectionMonitor(socket: socket, diagnostics: Diagnostics(fd: log.fd), events: .json, refusesLegacy: false)
    peers.handle(MonitorEvent(kind: .monitorStopped, value: 0, endpoint: ""), at: Clock.now())
    #expect(peers.tracker.socketGone)
    #expect(try log.contents().isEmpty)
}
