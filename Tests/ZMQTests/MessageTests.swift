// Message: construction, its byte views, reuse across receives, multipart flags and metadata
// properties of received frames. Sending and receiving paths themselves: SocketTests.swift.
import Glibc
import Testing
import ZMQ

// MARK: - Construction and bytes

@Test func aNewMessageIsEmpty() {
    let message = Message()
    let count = message.count, bytes = message.bytes.count, more = message.hasMore
    #expect(count == 0)
    #expect(bytes == 0)
    #expect(!more)
    #expect(message.array == [])
}

@Test func aMessageFromAnArrayHoldsACopyOfIt() {
    var source: [UInt8] = [0, 1, 0xFF, 0]
    let message = Message(source)
    source[0] = 42
    #expect(message.array == [0, 1, 0xFF, 0])
    let count = message.count
    #expect(count == 4)
}

@Test func aMessageOfZerosHasItsSizeAndOnlyZeroBytes() {
    for size in [0, 1, 33, 34, 65536] {
        let message = Message(zeros: size)
        let count = message.count, zeros = message.bytes.allSatisfy { $0 == 0 }
        #expect(count == size)
        #expect(zeros)
    }
}

@Test func aTemplateOfZerosSentByCopyArrivesWholeEachTime() throws {
    let sockets = try inprocPair(.pull, .push)
    let (push, pull) = (sockets.connected, sockets.bound)
    let template = Message(zeros: 100)
    var outgoing = Message()
    for _ in 0..<3 {
        outgoing.copy(from: template)
        #expect(try push.send(&outgoing))
    }
    var incoming = Message()
    for _ in 0..<3 {
        #expect(try receive(pull, into: &incoming))
        let count = incoming.count
        #expect(count == 100)
    }
    let kept = template.count
    #expect(kept == 100)  // sending a copy leaves the template whole
}

@Test func aMessageCopyingARawBufferHoldsItsBytes() {
    let source: [UInt8] = [7, 0, 7, 0xFF]
    // Array.withUnsafeBytes cannot return a noncopyable value, so copy out of a buffer we own.
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 1)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: source)
    let message = Message(copying: UnsafeRawBufferPointer(buffer))
    buffer[0] = 42  // the message holds its own copy
    #expect(message.array == source)
    let same = message.bytes.elementsEqual(source)
    #expect(same)
}

@Test func aMessageCopyingAnEmptyBufferIsEmpty() {
    let message = Message(copying: UnsafeRawBufferPointer(start: nil, count: 0))
    let count = message.count
    #expect(count == 0)
}

@Test func aLargeMessageHoldsAllItsBytes() {
    let big = [UInt8].pattern(count: 1 << 20)
    let message = Message(big)
    let count = message.count
    #expect(count == 1 << 20)
    #expect(message.array == big)
}

@Test func mutableBytesChangeTheMessageInPlace() throws {
    var message = Message([1, 2, 3])
    message.mutableBytes[0] = 9
    message.mutableBytes.storeBytes(of: 0xFF, toByteOffset: 2, as: UInt8.self)
    #expect(message.array == [9, 2, 0xFF])

    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send(&message))
    #expect(try receiveFrames(pair.bound) == [[9, 2, 0xFF]])
}

@Test func copyingFromAnotherMessageReplacesTheContent() {
    let source = Message(Array("source".utf8))
    var target = Message(Array("old content".utf8))
    target.copy(from: source)
    #expect(target.array == Array("source".utf8))
    #expect(source.array == Array("source".utf8))
}

@Test func aCopiedLargeMessageSharesItsDataAsDocumented() {
    // Message.copy(from:) is zmq_msg_copy, which shares the buffer of any frame over 33 bytes
    // (zmq_msg_copy(3): "Avoid modifying message content after a message has been copied"); its doc
    // comment says so. Writing through mutableBytes of one therefore shows in the other.
    let source = Message([UInt8](repeating: 1, count: 100))
    var target = Message()
    target.copy(from: source)
    target.mutableBytes[0] = 2
    #expect(source.array[0] == 2, "the data is shared, as the doc comment warns")
}

// MARK: - Receiving into a message

@Test func oneMessageCanBeReusedAcrossReceivesOfDifferentSizes() throws {
    let pair = try inprocPair(.pull, .push)
    let frames: [[UInt8]] = [Array("a".utf8), .pattern(count: 1000), [], Array("short again".utf8), .pattern(count: 70_000)]
    for frame in frames { #expect(try pair.connected.send(frame)) }

    var message = Message()
    for frame in frames {
        try #require(try receive(pair.bound, into: &message))
        let count = message.count
        #expect(count == frame.count)
        #expect(message.array == frame)
    }
}

@Test func receivingIntoAMessageReplacesWhatItHeld() throws {
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send([5]))
    var message = Message(Array("previous content".utf8))
    try #require(try receive(pair.bound, into: &message))
    #expect(message.array == [5])
}

@Test func aMessageKnowsWhetherMoreFramesFollow() throws {
    let pair = try inprocPair(.pull, .push)
    try sendFrames(pair.connected, [[1], [2]])
    var message = Message()
    try #require(try receive(pair.bound, into: &message))
    let firstMore = message.hasMore
    #expect(firstMore)
    try #require(try receive(pair.bound, into: &message))
    let lastMore = message.hasMore
    #expect(!lastMore)
}

// MARK: - Metadata properties

@Test func aMessageReceivedOverTCPCarriesThePeersSocketTypeAndAddress() throws {
    let pair = try tcpPair(.pull, .push)
    #expect(try pair.connected.send(Array("meta".utf8)))
    var message = Message()
    try #require(try receive(pair.bound, into: &message))
    #expect(message.property("Socket-Type") == "PUSH")
    #expect(message.property("Peer-Address") == "127.0.0.1")
}

@Test func aMessageReceivedOverTCPByADealerCarriesTheRoutersSocketType() throws {
    let context = Context()
    let router = try makeSocket(context, .router)
    try router.bind("tcp://127.0.0.1:*")
    let dealer = try makeSocket(context, .dealer)
    try dealer.set(.routingID, Array("me".utf8))  // before connect: it applies to later connections only
    try dealer.connect(router.lastEndpoint)
    #expect(try dealer.send([1]))
    let request = try receiveFrames(router)
    #expect(request == [Array("me".utf8), [1]])
    try #require(request?.first == Array("me".utf8))
    try sendFrames(router, [Array("me".utf8), [2]])
    var message = Message()
    try #require(try receive(dealer, into: &message))
    #expect(message.property("Socket-Type") == "ROUTER")
    #expect(message.property("Routing-Id") == nil)  // only ROUTER-bound frames carry the peer's id
}

@Test func anUnknownPropertyIsNil() throws {
    let pair = try tcpPair(.pull, .push)
    #expect(try pair.connected.send([1]))
    var message = Message()
    try #require(try receive(pair.bound, into: &message))
    #expect(message.property("No-Such-Property") == nil)
}

@Test func aMessageReceivedOverInprocHasNoMetadata() throws {
    // libzmq attaches metadata in the ZMTP engine; inproc frames never pass through one.
    let pair = try inprocPair(.pull, .push)
    #expect(try pair.connected.send([1]))
    var message = Message()
    try #require(try receive(pair.bound, into: &message))
    #expect(message.property("Socket-Type") == nil)
}

@Test func aMessageThatWasNeverReceivedHasNoProperties() {
    let message = Message([1, 2])
    #expect(message.property("Socket-Type") == nil)
}
