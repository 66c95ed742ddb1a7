// The Paranoid Pirate wire from frame fixtures as the zguide's ppworker (DEALER) and lbworker
// (REQ) send them through a ROUTER backend, the frames the broker builds, the worker's side, and
// random frames that must give an error or a message, never a trap.
import Testing
@testable import ZswiftCore

private func text(_ string: String) -> [UInt8] { Array(string.utf8) }
private let worker = text("0A1B-2C3D")
private let client: [UInt8] = [0, 0x6b, 0x8b, 0x45, 0x67]

private func atBroker(_ frames: [[UInt8]]) -> Result<PirateMessage, PirateWireError> {
    PirateWire.parseAtBroker(frames).map { parsed in
        #expect(parsed.worker == frames[0])
        return parsed.message
    }
}

@Test func aParanoidPirateWorkerSaysReadyAndHeartbeatInOneFrame() {
    #expect(atBroker([worker, [1]]) == .success(.ready(.heartbeating)))
    #expect(atBroker([worker, [2]]) == .success(.heartbeat))
    #expect(atBroker([worker, [3]]) == .failure(.unknownCommand([3])))
    #expect(atBroker([worker, text("READY")]) == .failure(.unknownCommand(text("READY"))))
}

@Test func aParanoidPirateReplyIsForwardedFromTheClientsEnvelopeOn() {
    let frames = [worker, client, [], text("answer"), text("more")]
    #expect(atBroker(frames) == .success(.reply(.heartbeating, forward: 1..<5)))
    // through two hops: both addresses stay in the envelope
    #expect(atBroker([worker, text("hop"), client, [], text("x")]) == .success(.reply(.heartbeating, forward: 1..<5)))
    #expect(atBroker([worker, client, []]) == .success(.reply(.heartbeating, forward: 1..<3)))
}

@Test func aPlainREQWorkerSaysREADYAfterItsDelimiterThenRepliesBehindIt() {
    #expect(atBroker([worker, [], text("READY")]) == .success(.ready(.plain)))
    #expect(atBroker([worker, [], [1]]) == .success(.ready(.plain)))
    #expect(atBroker([worker, [], client, [], text("OK")]) == .success(.reply(.plain, forward: 2..<5)))
}

@Test func malformedBackendMessagesAreNamed() {
    #expect(atBroker([]) == .failure(.empty))
    #expect(atBroker([worker]) == .failure(.nothingAfterRoutingID))
    #expect(atBroker([worker, client, text("no delimiter")]) == .failure(.noEnvelope))
    #expect(atBroker([worker, []]) == .failure(.unknownCommand([])))
    #expect(atBroker([worker, [], []]) == .failure(.noEnvelope))
    #expect(atBroker([worker, [], text("READY"), text("extra")]) == .failure(.noEnvelope))
    #expect(atBroker([worker, [], client, text("x")]) == .failure(.noEnvelope))
    #expect(PirateWireError.unknownCommand([0xFF]).description.hasSuffix(": ff"))
    #expect(PirateWireError.unknownCommand(text("HELLO")).description.hasSuffix(": HELLO"))
}

@Test func theBrokerAddsTheWorkersIdAndForAREQWorkerItsDelimiter() {
    let request = [client, [], text("work")]
    #expect(PirateWire.isClientRequest(request))
    #expect(!PirateWire.isClientRequest([client, text("work")]))
    #expect(!PirateWire.isClientRequest([[], text("work")]))
    #expect(PirateWire.request(to: worker, kind: .heartbeating, client: request) == [worker] + request)
    #expect(PirateWire.request(to: worker, kind: .plain, client: request) == [worker, []] + request)
    #expect(PirateWire.heartbeat(to: worker) == [worker, [2]])
}

@Test func aWorkerReadsHeartbeatsAndRequestsAndBuildsItsReply() {
    #expect(PirateWire.parseAtWorker([[2]]) == .success(.heartbeat))
    #expect(PirateWire.parseAtWorker([[1]]) == .failure(.unknownCommand([1])))
    #expect(PirateWire.parseAtWorker([[UInt8]]()) == .failure(.empty))
    let request = [text("hop"), client, [], text("a"), text("b")]
    guard case .success(.request(let envelope, let body)) = PirateWire.parseAtWorker(request) else {
        Issue.record("no request")
        return
    }
    #expect(envelope == 0..<2 && body == 3..<5)
    let reply = PirateWire.reply(envelope: Array(request[envelope]), body: [text("A")])
    // what the worker sends comes back to the broker as a reply forwarding all but the worker's id
    #expect(reply.count == 4 && atBroker([worker] + reply) == .success(.reply(.heartbeating, forward: 1..<5)))
    #expect(PirateWire.parseAtWorker([client, text("x")]) == .failure(.noEnvelope))
}

@Test func parsingReadsPointersInPlaceToo() {
    let frames = [worker, client, [], text("r")]
    let joined = frames.flatMap { $0 }
    joined.withUnsafeBytes { raw in
        var start = 0
        var pointers: [UnsafeRawBufferPointer] = []
        for frame in frames {
            pointers.append(UnsafeRawBufferPointer(rebasing: raw[start..<start + frame.count]))
            start += frame.count
        }
        let parsed = PirateWire.parseAtBroker(pointers)
        #expect((try? parsed.get())?.message == .reply(.heartbeating, forward: 1..<4))
        #expect((try? parsed.get())?.worker == worker)
    }
}

@Test func randomFramesNeverTrapTheParsers() {
    var generator = SystemRandomNumberGenerator()
    let alphabet: [UInt8] = [0, 1, 2, 0x52, 0xFF]
    for _ in 0..<20_000 {
        let frames = (0..<Int.random(in: 0...6, using: &generator)).map { _ in
            (0..<Int.random(in: 0...3, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }
        }
        switch PirateWire.parseAtBroker(frames) {
        case .success(let parsed):
            if case .reply(_, let forward) = parsed.message {
                #expect(forward.upperBound == frames.count && forward.lowerBound >= 1)
                #expect(PirateWire.isClientRequest(Array(frames[forward])))
            }
        case .failure(let error): #expect(!error.description.isEmpty)
        }
        if case .success(.request(let envelope, let body)) = PirateWire.parseAtWorker(frames) {
            #expect(envelope.upperBound + 1 == body.lowerBound && body.upperBound == frames.count)
        }
    }
}

@Test func theEnvelopeTagTellsEnvelopesApartAndIgnoresTheBody() {
    func tag(_ frames: [[UInt8]]) -> UInt64 { PirateWire.envelopeTag(frames) }
    #expect(tag([[1, 2], [], [9]]) == tag([[1, 2], [], [8, 8]]))
    #expect(tag([[1, 2], [], [9]]) != tag([[1], [2], [], [9]]))
    #expect(tag([[0, 0x6b, 0x8b, 0x45, 0x67], []]) != tag([[0, 0x6b, 0x8b, 0x45, 0x68], []]))
    #expect(tag([[], [1]]) == tag([]))
}
