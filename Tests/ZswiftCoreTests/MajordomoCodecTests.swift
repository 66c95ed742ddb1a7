// MDP/0.1 frames from the zguide's mdcliapi, mdcliapi2 and mdwrkapi as a ROUTER broker, a DEALER
// worker and a REQ or DEALER client see them: every command round-trips, each malformed shape is
// named, and random frames never trap the parsers.
import Testing
@testable import ZswiftCore

private func text(_ string: String) -> [UInt8] { Array(string.utf8) }
private let peer: [UInt8] = [0, 0x6b, 0x8b, 0x45, 0x67]
private let client = text("client-1")

@Test func everyWorkerCommandRoundTripsThroughTheBrokerAndTheWorker() {
    let fromWorkers: [MDPWorkerMessage] = [.ready(service: text("echo")), .reply(client: client, body: [text("a"), []]),
                                           .reply(client: client, body: []), .heartbeat, .disconnect]
    for message in fromWorkers {
        let sent = MDP.fromWorker(message)  // what mdwrkapi's DEALER sends
        #expect(sent.first == [] && sent[1] == text("MDPW01") && sent[2] == [message.command.rawValue])
        let parsed = MDP.parseAtBroker([peer] + sent)
        #expect((try? parsed.get())?.message == .worker(message) && (try? parsed.get())?.sender == peer)
    }
    let fromBroker: [MDPWorkerMessage] = [.request(client: client, body: [text("x")]), .heartbeat, .disconnect]
    for message in fromBroker {
        let routed = MDP.toWorker(peer, message)
        #expect(routed.first == peer)
        #expect(MDP.parseAtWorker(Array(routed.dropFirst())) == .success(message))
    }
}

@Test func aClientRequestAndItsReplyRoundTripOverREQAndDEALER() {
    let request = MDPClientMessage(service: text("echo"), body: [text("hello"), [0, 0xFF]])
    // REQ adds the delimiter itself; mdcliapi2's DEALER sends it
    #expect(MDP.fromClient(request, delimited: false) == [text("MDPC01"), text("echo"), text("hello"), [0, 0xFF]])
    for delimited in [false, true] {
        var atRouter = [peer] + MDP.fromClient(request, delimited: delimited)
        if !delimited { atRouter.insert([], at: 1) }
        #expect((try? MDP.parseAtBroker(atRouter).get())?.message == .client(request))
        let reply = MDP.toClient(peer, request)
        let received = delimited ? Array(reply.dropFirst()) : Array(reply.dropFirst(2))
        #expect(MDP.parseAtClient(received, delimited: delimited) == .success(request))
    }
    #expect(MDP.parseAtClient([text("MDPC01"), text("echo")], delimited: false)
        == .success(MDPClientMessage(service: text("echo"), body: [])))
}

@Test func malformedBrokerInputIsNamed() {
    let cases: [([[UInt8]], MDPError)] = [
        ([], .empty),
        ([peer], .missingDelimiter),
        ([peer, text("MDPC01"), text("echo")], .missingDelimiter),
        ([peer, []], .missingHeader),
        ([peer, [], text("MDPC02"), text("echo")], .unknownHeader(text("MDPC02"))),
        ([peer, [], text("MDPC01")], .missingService),
        ([peer, [], text("MDPC01"), []], .missingService),
        ([peer, [], text("MDPW01")], .missingCommand),
        ([peer, [], text("MDPW01"), [9]], .unknownCommand([9])),
        ([peer, [], text("MDPW01"), [1, 1]], .unknownCommand([1, 1])),
        ([peer, [], text("MDPW01"), []], .unknownCommand([])),
        ([peer, [], text("MDPW01"), [1]], .missingService),
        ([peer, [], text("MDPW01"), [2], client, [], text("x")], .wrongDirection(.request)),
        ([peer, [], text("MDPW01"), [3]], .missingClientAddress(.reply)),
        ([peer, [], text("MDPW01"), [3], client], .missingEnvelopeDelimiter(.reply)),
        ([peer, [], text("MDPW01"), [3], client, text("x")], .missingEnvelopeDelimiter(.reply)),
    ]
    for (frames, error) in cases {
        #expect(MDP.parseAtBroker(frames).map(\.message) == .failure(error), "\(frames)")
        #expect(!error.description.isEmpty)
    }
    #expect(MDPError.wrongDirection(.request).description == "REQUEST sent by the wrong side")
}

@Test func aWorkerRefusesWhatOnlyWorkersSendAndClientMessages() {
    let ready = MDP.fromWorker(.ready(service: text("echo")))
    #expect(MDP.parseAtWorker(ready) == .failure(.wrongDirection(.ready)))
    #expect(MDP.parseAtWorker(MDP.fromWorker(.reply(client: client, body: []))) == .failure(.wrongDirection(.reply)))
    #expect(MDP.parseAtWorker([[], text("MDPC01"), text("echo")]) == .failure(.wrongProtocol(expected: text("MDPW01"))))
    #expect(MDP.parseAtWorker([text("MDPW01"), [4]]) == .failure(.missingDelimiter))
    #expect(MDP.parseAtWorker([[]]) == .failure(.missingHeader))
    #expect(MDP.parseAtWorker([[], text("MDPW01"), [2], client]) == .failure(.missingEnvelopeDelimiter(.request)))
    #expect(MDP.parseAtClient([text("MDPW01"), [4]], delimited: false) == .failure(.wrongProtocol(expected: text("MDPC01"))))
    #expect(MDP.parseAtClient([], delimited: true) == .failure(.empty))
    #expect(MDP.parseAtClient([], delimited: false) == .failure(.missingHeader))
}

@Test func extraFramesAfterReadyHeartbeatOrDisconnectAreIgnored() {
    #expect(MDP.parseAtWorker([[], text("MDPW01"), [4], text("extra")]) == .success(.heartbeat))
    #expect(MDP.parseAtWorker([[], text("MDPW01"), [5], text("extra")]) == .success(.disconnect))
    let ready = [peer, [], text("MDPW01"), [1], text("echo"), text("metadata")]
    #expect((try? MDP.parseAtBroker(ready).get())?.message == .worker(.ready(service: text("echo"))))
}

@Test func randomFramesNeverTrapTheMajordomoParsers() {
    var generator = SystemRandomNumberGenerator()
    let pieces: [[UInt8]] = [[], [0], [1], [2], [3], [4], [5], [6], text("MDPC01"), text("MDPW01"), text("mmi.service"), client]
    for _ in 0..<20_000 {
        let frames = (0..<Int.random(in: 0...7, using: &generator)).map { _ in
            Bool.random(using: &generator) ? pieces.randomElement(using: &generator)!
                : (0..<Int.random(in: 0...4, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        }
        if case .success(let parsed) = MDP.parseAtBroker(frames) {
            // what parses re-encodes to the same frames, but for ignored extras
            let again: [[UInt8]]
            switch parsed.message {
            case .client(let request): again = [parsed.sender, []] + request.frames
            case .worker(let command): again = [parsed.sender] + MDP.fromWorker(command)
            }
            #expect(frames.starts(with: again), "\(frames)")
        }
        _ = MDP.parseAtWorker(frames)
        _ = MDP.parseAtClient(frames, delimited: Bool.random(using: &generator))
    }
}
