// ZMQError: libzmq failures arrive as typed, matchable values with libzmq's own text, for bad
// endpoints, addresses in use, wrong socket state and terminated contexts.
import Glibc
import Testing
import ZMQ

// MARK: - The type

@Test func anErrorDescribesItselfWithLibzmqsText() {
    #expect(ZMQError.wrongState.description == "Operation cannot be accomplished in current state")
    #expect(ZMQError.terminated.description == "Context was terminated")
    #expect(ZMQError.noCompatibleProtocol.description == "The protocol is not compatible with the socket type")
    #expect(ZMQError.wouldBlock.description == String(cString: strerror(EAGAIN)))
    #expect(ZMQError.addressInUse.description == String(cString: strerror(EADDRINUSE)))
    #expect("\(ZMQError.invalidArgument)" == "Invalid argument")
}

@Test func namedErrorsCarryTheirErrnoValues() {
    #expect(ZMQError.wouldBlock.code == EAGAIN)
    #expect(ZMQError.interrupted.code == EINTR)
    #expect(ZMQError.invalidArgument.code == EINVAL)
    #expect(ZMQError.addressInUse.code == EADDRINUSE)
    #expect(ZMQError.hostUnreachable.code == EHOSTUNREACH)
    #expect(ZMQError.protocolNotSupported.code == EPROTONOSUPPORT)
    // libzmq's own codes start at ZMQ_HAUSNUMERO (156384712): EFSM +51, ENOCOMPATPROTO +52, ETERM +53.
    #expect(ZMQError.wrongState.code == 156_384_712 + 51)
    #expect(ZMQError.noCompatibleProtocol.code == 156_384_712 + 52)
    #expect(ZMQError.terminated.code == 156_384_712 + 53)
}

@Test func errorsCompareByCode() {
    #expect(ZMQError(code: EAGAIN) == .wouldBlock)
    #expect(ZMQError(code: EAGAIN) != .interrupted)
    #expect(Set([ZMQError.wouldBlock, ZMQError(code: EAGAIN), .terminated]).count == 2)
}

@Test func anErrorCanBeMatchedInACatchClause() throws {
    let context = Context()
    let socket = try makeSocket(context, .req)
    var message = Message()
    do {
        _ = try socket.receive(&message, dontWait: true)
        Issue.record("a REQ socket received before sending")
    } catch .wrongState {
        // typed throws: the pattern is a ZMQError
    } catch {
        Issue.record("unexpected \(error)")
    }
}

// MARK: - Endpoints

@Test func bindingAMalformedEndpointThrows() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(throws: ZMQError.invalidArgument) { try socket.bind("not an endpoint") }
    #expect(throws: ZMQError.invalidArgument) { try socket.bind("tcp://") }
    #expect(throws: ZMQError.self) { try socket.bind("tcp://127.0.0.1:notaport") }
    #expect(throws: ZMQError.self) { try socket.bind("tcp://no-such-interface-zmqtests:1234") }
}

@Test func bindingAnUnknownTransportThrowsProtocolNotSupported() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(throws: ZMQError.protocolNotSupported) { try socket.bind("bogus://somewhere") }
    #expect(throws: ZMQError.protocolNotSupported) { try socket.connect("bogus://somewhere") }
}

@Test func bindingTheSameTCPPortTwiceThrowsAddressInUse() throws {
    let context = Context()
    let first = try makeSocket(context, .pull)
    try first.bind("tcp://127.0.0.1:*")
    let second = try makeSocket(context, .pull)
    #expect(throws: ZMQError.addressInUse) { try second.bind(first.lastEndpoint) }
}

@Test func bindingTheSameInprocNameTwiceThrowsAddressInUse() throws {
    let context = Context()
    let endpoint = uniqueEndpoint()
    let first = try makeSocket(context, .pull)
    try first.bind(endpoint)
    let second = try makeSocket(context, .pull)
    #expect(throws: ZMQError.addressInUse) { try second.bind(endpoint) }
}

@Test func unbindingAnEndpointThatWasNeverBoundThrowsNoSuchEntry() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(throws: ZMQError(code: ENOENT)) { try socket.unbind("tcp://127.0.0.1:1") }
}

@Test func connectingIncompatibleSocketTypesIsNotAnErrorAtConnectTime() throws {
    // libzmq checks compatibility during the handshake, not in zmq_connect.
    let pair = try inprocPair(.pull, .pull)
    var message = Message()
    #expect(try !pair.bound.receive(&message, dontWait: true))
}

// MARK: - Socket state

@Test func aRequestSocketReceivingBeforeSendingThrowsWrongState() throws {
    let pair = try inprocPair(.rep, .req)
    var message = Message()
    #expect(throws: ZMQError.wrongState) { try pair.connected.receive(&message, dontWait: true) }
}

@Test func aRequestSocketSendingTwiceThrowsWrongState() throws {
    let pair = try inprocPair(.rep, .req)
    #expect(try pair.connected.send([1]))
    #expect(throws: ZMQError.wrongState) { try pair.connected.send([2], flags: .dontWait) }
}

@Test func aReplySocketSendingBeforeReceivingThrowsWrongState() throws {
    let pair = try inprocPair(.rep, .req)
    #expect(throws: ZMQError.wrongState) { try pair.bound.send([1], flags: .dontWait) }
}

@Test func receivingOnAPushSocketThrowsNotSupported() throws {
    let pair = try inprocPair(.pull, .push)
    var message = Message()
    #expect(throws: ZMQError(code: ENOTSUP)) { try pair.connected.receive(&message, dontWait: true) }
    #expect(throws: ZMQError(code: ENOTSUP)) { try pair.bound.send([1], flags: .dontWait) }
}

@Test func aMandatoryRouterSendingToAnUnknownPeerThrowsHostUnreachable() throws {
    let context = Context()
    let router = try makeSocket(context, .router)
    try router.set(.routerMandatory, true)
    try router.bind(uniqueEndpoint())
    #expect(throws: ZMQError.hostUnreachable) { try router.send(Array("nobody".utf8), flags: [.more, .dontWait]) }
}

@Test func aSocketOfATerminatedContextThrowsTerminated() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    try socket.bind(uniqueEndpoint())
    try socket.set(.receiveTimeout, 2_000)  // the bound, should shutdown not end the wait
    context.shutdown()
    var message = Message()
    #expect(throws: ZMQError.terminated) { try socket.receive(&message) }
    #expect(throws: ZMQError.terminated) { try socket.send([1], flags: .dontWait) }
}

@Test func creatingASocketAfterShutdownThrowsTerminated() throws {
    let context = Context()
    context.shutdown()
    #expect(throws: ZMQError.terminated) { try Socket(context, type: .push) }
}

@Test func theLastErrorIsTheOneLibzmqJustReported() throws {
    let context = Context()
    let socket = try makeSocket(context, .pull)
    #expect(throws: ZMQError.protocolNotSupported) { try socket.bind("bogus://x") }
    #expect(ZMQError.last == .protocolNotSupported)
}
