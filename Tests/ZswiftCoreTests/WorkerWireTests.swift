// zswift worker's wire in both protocols: the frames it sends (READY, HEARTBEAT, DISCONNECT) and
// how it reads the broker's (a request's reply head carries the envelope or the client address
// back; anything else is a heartbeat, a DISCONNECT or ignored with a reason).
import Testing
@testable import ZswiftCore

private func text(_ string: String) -> [UInt8] { Array(string.utf8) }

@Test func aPirateWorkerSendsPpworkersReadyAndHeartbeatAndNoDisconnect() {
    let wire = WorkerWire(service: nil)
    #expect(wire == .pirate)
    #expect(wire.ready == [[0x01]])
    #expect(wire.heartbeat == [[0x02]])
    #expect(wire.disconnect == nil)
    #expect(wire.defaultHeartbeat == .paranoidPirate)
}

@Test func aPirateRequestIsAnsweredBehindItsWholeEnvelope() {
    let wire = WorkerWire.pirate
    let request = [text("client"), text("hop"), [], text("a"), text("b")]
    #expect(wire.read(request) == .request(head: [text("client"), text("hop"), []], body: [text("a"), text("b")]))
    #expect(wire.read([text("client"), []]) == .request(head: [text("client"), []], body: []))
    #expect(wire.read([[0x02]]) == .heartbeat)
    guard case .invalid = wire.read([[0x07]]) else { Issue.record("a stray one-frame message is no request"); return }
    guard case .invalid = wire.read([text("no"), text("delimiter")]) else { Issue.record("no envelope"); return }
}

@Test func aMajordomoWorkerSendsMdwrkapisFrames() {
    let wire = WorkerWire(service: "echo")
    #expect(wire.ready == [[], text("MDPW01"), [0x01], text("echo")])
    #expect(wire.heartbeat == [[], text("MDPW01"), [0x04]])
    #expect(wire.disconnect == [[], text("MDPW01"), [0x05]])
    #expect(wire.defaultHeartbeat == .majordomo)
}

@Test func aMajordomoRequestIsAnsweredAsAReplyToItsClient() {
    let wire = WorkerWire.majordomo(service: text("echo"))
    let request = [[], text("MDPW01"), [0x02], text("c1"), [], text("hello")]
    #expect(wire.read(request) == .request(head: [[], text("MDPW01"), [0x03], text("c1"), []], body: [text("hello")]))
    #expect(wire.read([[], text("MDPW01"), [0x04]]) == .heartbeat)
    #expect(wire.read([[], text("MDPW01"), [0x05]]) == .disconnect)
    guard case .invalid = wire.read([[], text("MDPW01"), [0x01], text("echo")]) else { Issue.record("READY from a broker"); return }
    guard case .invalid = wire.read([[0x02]]) else { Issue.record("a Paranoid Pirate heartbeat is no MDP message"); return }
}

@Test func aWorkerServesOneBrokerWithAHeartbeatAndTakesNoSenderFlags() {
    #expect(usageError("worker", "-c", ":1", "-c", ":2", "--echo")?.message == "a worker serves one broker, but 2 endpoints were given")
    #expect(usageError("worker", "--echo")?.hint?.contains("a broker's backend") == true)
    #expect(usageError("worker", "-c", ":1", "--heartbeat", "0", "--echo")?.message.contains("--heartbeat 0 would take the broker for gone") == true)
    #expect(usageError("broker", "--mode", "lb", ":1", ":2", "--heartbeat", "0")?.message.contains("every worker") == true)
    #expect(usageError("broker", "--mode", "majordomo", ":1", ":2", "--heartbeat", "0") != nil)
    #expect(usageError("worker", "-c", ":1", "--heartbeat", "1us", "--echo")?.message.contains("at least 10ms") == true)
    #expect(usageError("worker", "-c", ":1", "--heartbeat", "10ms", "--echo") == nil)
    #expect(usageError("broker", "--mode", "queue", ":1", ":2", "--heartbeat", "0") == nil)  // ZMTP heartbeats off
    for flag in [["--conflate"], ["-i", "1s"], ["--delay", "1s"]] {
        #expect(usageError(["worker", "-c", ":1", "--echo"] + flag)?.message == "\(flag[0]) does not apply to worker")
    }
}

@Test func theClientOfARequestIsTheEnvelopesFirstFrameOrMajordomosClientFrame() {
    #expect(WorkerWire.pirate.client(ofHead: [text("client"), text("hop"), []]) == text("client"))
    #expect(WorkerWire.majordomo(service: text("s")).client(ofHead: [[], text("MDPW01"), [0x03], text("c1"), []]) == text("c1"))
    #expect(WorkerWire.majordomo(service: text("s")).client(ofHead: []) == nil)
}
