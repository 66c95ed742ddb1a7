// Whole messages in one call: a multipart send that can stop at "would block" and resume where it
// stopped, and a receive into one reused MultipartMessage. Single frames: SocketTests.swift.
import Glibc
import Testing
import ZMQ

/// Calls `body` with pointers to the frames' bytes.
func withFrames<R>(_ frames: [[UInt8]], _ body: ([UnsafeRawBufferPointer]) throws -> R) rethrows -> R {
    func nest(_ i: Int, _ pointers: [UnsafeRawBufferPointer]) throws -> R {
        if i == frames.count { return try body(pointers) }
        return try frames[i].withUnsafeBytes { try nest(i + 1, pointers + [$0]) }
    }
    return try nest(0, [])
}

// MARK: - Sending

@Test func aMultipartSendArrivesAsOneMessageWithEveryFrameInOrder() throws {
    let pair = try inprocPair(.pull, .push)
    let frames: [[UInt8]] = [Array("one".utf8), [], [0, 0xFF, 10], .pattern(count: 5000)]
    let queued = try withFrames(frames) { try pair.connected.send($0) }
    #expect(queued == 4)
    #expect(try receiveFrames(pair.bound) == frames)
}

@Test func aSendThatWouldBlockLeavesTheCountAtTheFrameNotSentAndResumesThere() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let push = try makeSocket(context, .push)
    try push.set(.sendHighWaterMark, 1)
    try push.connect(endpoint)  // no peer yet: one message fits in the pipe
    let frames: [[UInt8]] = [Array("a".utf8), Array("b".utf8), Array("c".utf8)]
    var next = 0
    #expect(try withFrames(frames) { try push.send($0, from: &next, dontWait: true) })
    #expect(next == 3)
    next = 0
    #expect(try withFrames(frames) { try push.send($0, from: &next, dontWait: true) } == false)
    #expect(next == 0)

    let pull = try makeSocket(context, .pull)
    try pull.bind(endpoint)
    #expect(try receiveFrames(pull) == frames)
    // the pipe has room again: the message that would have blocked goes from where it stopped
    var sent = false
    for _ in 0..<patience / 10 where !sent {
        sent = try withFrames(frames) { try push.send($0, from: &next, dontWait: true) }
        if !sent { usleep(10_000) }
    }
    #expect(sent && next == 3)
    #expect(try receiveFrames(pull) == frames)
}

@Test func aSendResumedAtALaterFrameFinishesTheMessageBegun() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send(Array("head".utf8), flags: .more))
    var next = 1
    let frames: [[UInt8]] = [Array("ignored".utf8), Array("body".utf8), Array("tail".utf8)]
    #expect(try withFrames(frames) { try pair.connected.send($0, from: &next) })
    #expect(next == 3)
    #expect(try receiveFrames(pair.bound) == [Array("head".utf8), Array("body".utf8), Array("tail".utf8)])
}

@Test func aRouterAnswersThroughTheEnvelopeItReceived() throws {
    let pair = try inprocPair(.router, .dealer)
    try withFrames([Array("question".utf8)]) { _ = try pair.connected.send($0) }
    var request = MultipartMessage()
    #expect(try receive(pair.bound, into: &request))
    #expect(request.count == 2)  // the dealer's routing id, then the frame
    let id = Array(request[0])
    #expect(try withFrames([id, Array("answer".utf8)]) { try pair.bound.send($0) } == 2)
    #expect(try receiveFrames(pair.connected) == [Array("answer".utf8)])
}

// MARK: - Receiving

@Test func aMultipartReceiveHoldsEveryFrameAndTheirSizes() throws {
    let pair = try inprocPair(.pull, .push)
    let frames: [[UInt8]] = [[1], [], .pattern(count: 70_000), Array("last".utf8)]
    try sendFrames(pair.connected, frames)
    var message = MultipartMessage(capacity: 16)
    #expect(try receive(pair.bound, into: &message))
    #expect(message.count == 4)
    #expect(message.arrays == frames)
    #expect(message.byteCount == 70_005)
    #expect(message.frames.map(\.count) == [1, 0, 70_000, 4])
}

@Test func oneMultipartMessageIsReusedAcrossReceivesWithoutKeepingOldFrames() throws {
    let pair = try inprocPair(.pull, .push)
    var message = MultipartMessage()
    try sendFrames(pair.connected, [.pattern(count: 3000), Array("x".utf8), Array("end".utf8)])
    #expect(try receive(pair.bound, into: &message))
    let buffer = message[0].baseAddress
    try sendFrames(pair.connected, [Array("small".utf8), Array("end".utf8)])
    #expect(try receive(pair.bound, into: &message))
    #expect(message.arrays == [Array("small".utf8), Array("end".utf8)])
    #expect(message[0].baseAddress == buffer)  // the grown buffer is kept, not allocated again
    try sendFrames(pair.connected, [Array("alone".utf8)])
    #expect(try receive(pair.bound, into: &message))
    #expect(message.arrays == [Array("alone".utf8)])
}

@Test func aReceiveThatFindsNothingReturnsFalseAndLeavesTheMessageEmpty() throws {
    let pair = try inprocPair(.pull, .push)
    var message = MultipartMessage()
    try sendFrames(pair.connected, [[1], [2]])
    #expect(try receive(pair.bound, into: &message))
    #expect(try !pair.bound.receive(&message, dontWait: true))
    #expect(message.count == 0 && message.byteCount == 0)
}

@Test func aMultipartMessageReceivedOverTCPCarriesThePeersMetadata() throws {
    let pair = try tcpPair(.pull, .push)
    try sendFrames(pair.connected, [[1], [2]])
    var message = MultipartMessage()
    #expect(try receive(pair.bound, into: &message))
    #expect(message.property("Socket-Type") == "PUSH")
    #expect(message.propertyBytes("Peer-Address") == Array("127.0.0.1".utf8))
}

@Test func framesGivenAsBytesGoAsOneMessageOrNotAtAllWhenTheFirstWouldBlock() throws {
    let pair = try inprocPair(.pull, .push)
    let frames: [[UInt8]] = [Array("a".utf8), [], Array("c".utf8)]
    #expect(try pair.connected.send(frames, dontWait: true))
    #expect(try receiveFrames(pair.bound) == frames)
    let context = Context()
    defer { context.terminate() }
    let lonely = try Socket(context, type: .push)  // no peer: a PUSH cannot take a frame
    defer { lonely.close() }
    try lonely.set(.linger, 0)
    #expect(try lonely.send(frames, dontWait: true) == false)
}
