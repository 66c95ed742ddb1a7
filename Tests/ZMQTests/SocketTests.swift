// Socket: sending and receiving single and multipart frames over inproc, "would block" as a value,
// endpoints, and the socket patterns the tool uses (REQ/REP, ROUTER/DEALER). Errors: ErrorTests.swift.
import Glibc
import Testing
import ZMQ

// MARK: - Single frames

@Test func aFrameSentOnPushArrivesOnPull() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send(Array("hello".utf8)))
    let frames = try receiveFrames(pair.bound)
    #expect(frames == [Array("hello".utf8)])
}

@Test func anEmptyFrameArrivesAsAnEmptyFrame() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send([UInt8]()))
    var message = Message([9, 9, 9])
    #expect(try receive(pair.bound, into: &message))
    let count = message.count
    #expect(count == 0)
    let more = message.hasMore
    #expect(!more)
}

@Test func binaryBytesIncludingNulAndFFSurviveUnchanged() throws {
    let pair = try inprocPair(.pull, .push)
    let bytes: [UInt8] = [0x00, 0xFF, 0x00, 0x0A, 0x0D, 0xFE, 0x80, 0x00, 0xFF]
    #expect(try pair.connected.send(bytes))
    #expect(try receiveFrames(pair.bound) == [bytes])
}

@Test func aOneMebibyteFrameArrivesWhole() throws {
    let pair = try inprocPair(.pull, .push)
    let big = [UInt8].pattern(count: 1 << 20)
    #expect(try pair.connected.send(big))
    var message = Message()
    #expect(try receive(pair.bound, into: &message))
    let count = message.count
    #expect(count == 1 << 20)
    let same = message.bytes.elementsEqual(big)
    #expect(same)
}

@Test func aOneMebibyteFrameCrossesTCPWhole() throws {
    let pair = try tcpPair(.pull, .push)
    let big = [UInt8].pattern(count: 1 << 20)
    #expect(try pair.connected.send(big))
    let frames = try #require(try receiveFrames(pair.bound))
    #expect(frames.count == 1)
    #expect(frames.first == big)
}

@Test func sendingFromARawBufferCopiesTheBytes() throws {
    let pair = try inprocPair(.pull, .push)
    var bytes: [UInt8] = [1, 2, 3, 4]
    let sent = try bytes.withUnsafeBytes { (raw) throws(ZMQError) -> Bool in try pair.connected.send(raw) }
    #expect(sent)
    bytes[0] = 42  // libzmq copied the frame; changing the source afterwards changes nothing
    #expect(try receiveFrames(pair.bound) == [[1, 2, 3, 4]])
}

@Test func sendingAnEmptyRawBufferSendsAnEmptyFrame() throws {
    let pair = try inprocPair(.pull, .push)
    let sent = try pair.connected.send(UnsafeRawBufferPointer(start: nil, count: 0))
    #expect(sent)
    #expect(try receiveFrames(pair.bound) == [[]])
}

@Test func framesArriveInTheOrderTheyWereSent() throws {
    let pair = try inprocPair(.pull, .push)
    for i in 0..<100 { #expect(try pair.connected.send([UInt8(i)])) }
    var received: [UInt8] = []
    var message = Message()
    for _ in 0..<100 {
        guard try receive(pair.bound, into: &message) else { break }
        received.append(contentsOf: message.array)
    }
    #expect(received == (0..<100).map { UInt8($0) })
}

// MARK: - Multipart

@Test func aMultipartMessageArrivesWithMoreSetOnAllButTheLastFrame() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send(Array("one".utf8), flags: .more))
    #expect(try pair.connected.send([], flags: .more))
    #expect(try pair.connected.send(Array("three".utf8)))

    var message = Message()
    var seen: [(bytes: [UInt8], messageMore: Bool, socketMore: Bool)] = []
    for _ in 0..<3 {
        guard try receive(pair.bound, into: &message) else { break }
        seen.append((message.array, message.hasMore, pair.bound.hasMore))
    }
    try #require(seen.count == 3)
    #expect(seen.map(\.bytes) == [Array("one".utf8), [], Array("three".utf8)])
    #expect(seen.map(\.messageMore) == [true, true, false])
    #expect(seen.map(\.socketMore) == [true, true, false])
}

@Test func aMultipartMessageOfOnlyEmptyFramesKeepsItsShape() throws {
    let pair = try inprocPair(.pull, .push)
    try sendFrames(pair.connected, [[], [], []])
    #expect(try receiveFrames(pair.bound) == [[], [], []])
}

@Test func theFramesOfAMultipartMessageAreDeliveredTogether() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send([1], flags: .more))
    // Only the first part is queued: the receiver must not see a partial message.
    var message = Message()
    #expect(try !pair.bound.receive(&message, dontWait: true))
    #expect(try pair.connected.send([2]))
    #expect(try receiveFrames(pair.bound) == [[1], [2]])
}

@Test func aMessageSentWithMoreAndDontWaitIsStillOneMessage() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send([1], flags: [.more, .dontWait]))
    #expect(try pair.connected.send([2], flags: .dontWait))
    #expect(try receiveFrames(pair.bound) == [[1], [2]])
}

// MARK: - Sending Message values

@Test func sendingAMessageLeavesItEmpty() throws {
    let pair = try inprocPair(.pull, .push)
    var message = Message(Array("payload".utf8))
    #expect(try pair.connected.send(&message))
    let count = message.count
    #expect(count == 0)
    #expect(try receiveFrames(pair.bound) == [Array("payload".utf8)])
}

@Test func aReceivedMessageCanBeForwardedAsIs() throws {
    let context = Context()
    let first = uniqueEndpoint(), second = uniqueEndpoint()
    let inbound = try makeSocket(context, .pull); try inbound.bind(first)
    let outbound = try makeSocket(context, .push); try outbound.bind(second)
    let source = try makeSocket(context, .push); try source.connect(first)
    let sink = try makeSocket(context, .pull); try sink.connect(second)

    try sendFrames(source, [Array("head".utf8), Array("tail".utf8)])
    var message = Message()
    while try receive(inbound, into: &message) {
        let more = message.hasMore
        #expect(try outbound.send(&message, flags: more ? .more : []))
        if !more { break }
    }
    #expect(try receiveFrames(sink) == [Array("head".utf8), Array("tail".utf8)])
}

// MARK: - Would block is a value

@Test func receivingWithoutWaitingOnAnEmptySocketReturnsFalse() throws {
    let pair = try inprocPair(.pull, .push)
    var message = Message()
    #expect(try !pair.bound.receive(&message, dontWait: true))
}

@Test func aBoundPushWithNoPeerSaysWouldBlockInsteadOfThrowing() throws {
    let context = Context()
    let push = try makeSocket(context, .push)
    try push.bind(uniqueEndpoint())
    #expect(try !push.send(Array("nobody".utf8), flags: .dontWait))
    let sent = try [1, 2].withUnsafeBytes { (raw) throws(ZMQError) -> Bool in try push.send(raw, flags: .dontWait) }
    #expect(!sent)
}

@Test func aMessageThatWouldBlockIsKeptForTheNextTry() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let push = try makeSocket(context, .push)
    try push.bind(endpoint)
    var message = Message(Array("kept".utf8))
    #expect(try !push.send(&message, flags: .dontWait))
    #expect(message.array == Array("kept".utf8))

    let pull = try makeSocket(context, .pull)
    try pull.connect(endpoint)
    // The bound PUSH learns of its new peer when it next processes commands: poll until writable.
    var poller = Poller()
    poller.add(push, .writable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(try push.send(&message, flags: .dontWait))
    #expect(try receiveFrames(pull) == [Array("kept".utf8)])
}

@Test func aPushWithImmediateQueuesNothingBeforeItHasAPeer() throws {
    let context = Context()
    let push = try makeSocket(context, .push)
    try push.set(.immediate, true)
    let refusing = refusingTCPEndpoint()
    defer { close(refusing.fd) }
    try push.connect(refusing.endpoint)
    #expect(try !push.send([1], flags: .dontWait))
}

@Test func aPushWithoutImmediateQueuesForAPeerThatIsNotThereYet() throws {
    let context = Context()
    let push = try makeSocket(context, .push)
    let refusing = refusingTCPEndpoint()
    defer { close(refusing.fd) }
    try push.connect(refusing.endpoint)
    #expect(try push.send([1], flags: .dontWait))
}

@Test func aConnectedPushWithNoPeerQueuesUpToItsHighWaterMarkThenSaysWouldBlock() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let push = try makeSocket(context, .push)
    try push.set(.sendHighWaterMark, 5)
    try push.connect(endpoint)
    var accepted = 0
    while accepted < 100, try push.send([UInt8(accepted)], flags: .dontWait) { accepted += 1 }
    #expect(accepted == 5)

    // The queued frames reach a receiver that binds later.
    let pull = try makeSocket(context, .pull)
    try pull.bind(endpoint)
    var message = Message()
    var received: [UInt8] = []
    while received.count < accepted, try receive(pull, into: &message) { received.append(contentsOf: message.array) }
    #expect(received == [0, 1, 2, 3, 4])
}

@Test func aReceiveTimeoutIsReportedAsFalseNotAsAnError() throws {
    let pair = try inprocPair(.pull, .push)
    try pair.bound.set(.receiveTimeout, 20)
    var message = Message()
    let start = ContinuousClock.now
    #expect(try !pair.bound.receive(&message))  // blocking, but bounded by the 20 ms timeout
    #expect(ContinuousClock.now - start < .seconds(patience / 1000))
}

@Test func aSendTimeoutIsReportedAsFalseNotAsAnError() throws {
    let context = Context()
    let push = try makeSocket(context, .push)
    try push.set(.sendTimeout, 20)
    try push.bind(uniqueEndpoint())
    #expect(try !push.send([1]))  // blocking, but bounded by the 20 ms timeout
}

// MARK: - Socket state

@Test func aSocketKnowsItsType() throws {
    let context = Context()
    for type in SocketType.allCases {
        let socket = try makeSocket(context, type)
        #expect(socket.type == type)
        #expect(try socket.get(.type) == type.rawValue)
    }
}

@Test func eventsShowWritableForAConnectedPushAndReadableForAPullWithAMessage() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(pair.connected.events.contains(.writable))
    #expect(!pair.bound.events.contains(.readable))
    #expect(try pair.connected.send([1]))
    #expect(pair.bound.events.contains(.readable))
}

@Test func closingASocketTwiceIsHarmless() throws {
    let context = Context()
    let socket = try Socket(context, type: .pull)
    #expect(!socket.isClosed)
    socket.close()
    #expect(socket.isClosed)
    socket.close()
    #expect(socket.isClosed)
}

@Test func unbindingAnInprocNameFreesItAtOnce() throws {
    // (Closing does too, but later: libzmq's reaper thread unregisters a closed socket's names.)
    let context = Context()
    let endpoint = uniqueEndpoint()
    let first = try makeSocket(context, .pull)
    try first.bind(endpoint)
    try first.unbind(endpoint)
    let second = try makeSocket(context, .pull)
    try second.bind(endpoint)
}

@Test func unbindingATCPEndpointTwiceFailsTheSecondTime() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    try socket.bind("tcp://127.0.0.1:*")
    let endpoint = socket.lastEndpoint
    try socket.unbind(endpoint)
    #expect(throws: ZMQError(code: ENOENT)) { try socket.unbind(endpoint) }
}

@Test func disconnectingStopsDeliveryToThatPeer() throws {
    let context = Context()
    let a = uniqueEndpoint(), b = uniqueEndpoint()
    let pullA = try makeSocket(context, .pull); try pullA.bind(a)
    let pullB = try makeSocket(context, .pull); try pullB.bind(b)
    let push = try makeSocket(context, .push)
    try push.connect(a)
    try push.connect(b)
    try push.disconnect(a)
    for i in 0..<4 { #expect(try push.send([UInt8(i)])) }
    #expect(try receiveFrames(pullB)?.count == 1)
    var message = Message()
    #expect(try !pullA.receive(&message, dontWait: true))
}

@Test func connectingBeforeTheInprocEndpointIsBoundStillDelivers() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let push = try makeSocket(context, .push)
    try push.connect(endpoint)
    #expect(try push.send(Array("early".utf8)))
    let pull = try makeSocket(context, .pull)
    try pull.bind(endpoint)
    #expect(try receiveFrames(pull) == [Array("early".utf8)])
}

// MARK: - Patterns

@Test func aRequestGetsItsReply() throws {
    let pair = try inprocPair(.rep, .req)
    #expect(try pair.connected.send(Array("ping".utf8)))
    #expect(try receiveFrames(pair.bound) == [Array("ping".utf8)])
    #expect(try pair.bound.send(Array("pong".utf8)))
    #expect(try receiveFrames(pair.connected) == [Array("pong".utf8)])
}

@Test func aRouterSeesTheDealersRoutingIDAndCanReplyThroughIt() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let router = try makeSocket(context, .router)
    try router.bind(endpoint)
    let dealer = try makeSocket(context, .dealer)
    try dealer.set(.routingID, Array("client-1".utf8))
    try dealer.connect(endpoint)

    #expect(try dealer.send(Array("hi".utf8)))
    #expect(try receiveFrames(router) == [Array("client-1".utf8), Array("hi".utf8)])
    try sendFrames(router, [Array("client-1".utf8), Array("hello back".utf8)])
    #expect(try receiveFrames(dealer) == [Array("hello back".utf8)])
}

@Test func aSubscriberGetsOnlyTheTopicsItSubscribedTo() throws {
    let pair = try inprocPair(.pub, .sub)
    try pair.connected.set(.subscribe, Array("news".utf8))
    // A SUB subscription reaches the PUB asynchronously; with inproc it is in place once the
    // PUB has processed its commands, which a send does first. Send until the first one arrives.
    var message = Message()
    var arrived = false
    for _ in 0..<500 where !arrived {
        #expect(try pair.bound.send(Array("sports: ignored".utf8)))
        #expect(try pair.bound.send(Array("news: first".utf8)))
        arrived = try receive(pair.connected, into: &message, timeout: 10)
    }
    try #require(arrived)
    #expect(String(decoding: message.array, as: UTF8.self) == "news: first")
    // Drain: nothing that does not start with "news" ever arrives.
    while try pair.connected.receive(&message, dontWait: true) {
        #expect(message.array.starts(with: Array("news".utf8)))
    }
}

@Test func anXPubReceivesTheSubscriptionsOfItsSubscribers() throws {
    let pair = try inprocPair(.xpub, .sub)
    try pair.connected.set(.subscribe, Array("topic".utf8))
    #expect(try receiveFrames(pair.bound) == [[1] + Array("topic".utf8)])
    try pair.connected.set(.unsubscribe, Array("topic".utf8))
    #expect(try receiveFrames(pair.bound) == [[0] + Array("topic".utf8)])
}

@Test func aConflatingPullKeepsOnlyTheNewestMessage() throws {
    // Over inproc the connecting side's options shape the pipe, so the PULL connects.
    let context = Context()
    let endpoint = uniqueEndpoint()
    let push = try makeSocket(context, .push)
    try push.bind(endpoint)
    let pull = try makeSocket(context, .pull)
    try pull.set(.conflate, true)
    try pull.connect(endpoint)
    for i in 1...3 { #expect(try push.send([UInt8(i)])) }
    var message = Message()
    try #require(try receive(pull, into: &message))
    #expect(message.array == [3])
    #expect(try !pull.receive(&message, dontWait: true))
}

@Test func pairSocketsTalkBothWays() throws {
    let pair = try inprocPair(.pair, .pair)
    #expect(try pair.connected.send([1]))
    #expect(try pair.bound.send([2]))
    #expect(try receiveFrames(pair.bound) == [[1]])
    #expect(try receiveFrames(pair.connected) == [[2]])
}
