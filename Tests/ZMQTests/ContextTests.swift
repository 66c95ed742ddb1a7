// The context (lifetime, termination, options), the library facts, and SocketType's names.
// Errors after shutdown: ErrorTests.swift.
import Testing
import ZMQ

@Test func theLinkedLibzmqIsVersionFour() {
    #expect(Library.version.major == 4)
}

@Test func theLibraryReportsTheCapabilitiesDebianBuildsIn() {
    #expect(Library.has("ipc"))
    #expect(Library.has("curve"))
    #expect(!Library.has("draft"))
    #expect(!Library.has("no-such-capability"))
}

// MARK: - Lifetime

@Test func aSocketKeepsItsContextAlive() throws {
    weak var weakContext: Context?
    var socket: Socket? = try {
        let context = Context()
        weakContext = context
        return try makeSocket(context, .push)
    }()
    #expect(weakContext != nil)
    #expect(socket?.context === weakContext)
    try socket?.bind(uniqueEndpoint())
    socket = nil
    #expect(weakContext == nil, "dropping the last socket lets the context go")
}

@Test func aClosedSocketStillKeepsItsContextAlive() throws {
    weak var weakContext: Context?
    let socket: Socket = try {
        let context = Context()
        weakContext = context
        return try makeSocket(context, .pull)
    }()
    socket.close()
    #expect(weakContext != nil)
    #expect(socket.isClosed)
}

@Test func terminatingAContextTwiceIsHarmless() {
    let context = Context()
    context.terminate()
    context.terminate()
    // deinit terminates again: also harmless
}

@Test func terminatingAContextWhoseSocketsAreClosedReturns() throws {
    let context = Context()
    let socket = try makeSocket(context, .push)
    try socket.bind(uniqueEndpoint())
    socket.close()
    context.terminate()
}

@Test func shuttingDownAContextTwiceIsHarmless() {
    let context = Context()
    context.shutdown()
    context.shutdown()
    context.terminate()
}

@Test func contextOptionsCanBeSetBeforeSocketsExist() throws {
    let context = Context()
    try context.set(1, 2)  // ZMQ_IO_THREADS
    try context.set(2, 64)  // ZMQ_MAX_SOCKETS
    let endpoint = uniqueEndpoint()
    let pull = try makeSocket(context, .pull)
    try pull.bind(endpoint)
    let push = try makeSocket(context, .push)
    try push.connect(endpoint)
    #expect(try push.send([1]))
    #expect(try receiveFrames(pull) == [[1]])
}

@Test func anUnknownContextOptionThrowsInvalidArgument() {
    let context = Context()
    #expect(throws: ZMQError.invalidArgument) { try context.set(9999, 1) }
}

// MARK: - Socket types

@Test func socketTypesAreDescribedByTheirZMTPNames() {
    let expected: [(SocketType, String)] = [
        (.pair, "PAIR"), (.pub, "PUB"), (.sub, "SUB"), (.req, "REQ"), (.rep, "REP"), (.dealer, "DEALER"),
        (.router, "ROUTER"), (.pull, "PULL"), (.push, "PUSH"), (.xpub, "XPUB"), (.xsub, "XSUB"),
        (.stream, "STREAM"),
    ]
    for (type, name) in expected { #expect(type.description == name) }
    #expect(SocketType.push.description == "PUSH")
    #expect("\(SocketType.router)" == "ROUTER")
    #expect(SocketType.allCases.count == expected.count)
}

@Test func socketTypesHaveLibzmqsValuesAndAreAllDistinct() {
    #expect(SocketType.pair.rawValue == 0)
    #expect(SocketType.push.rawValue == 8)
    #expect(SocketType.stream.rawValue == 11)
    #expect(Set(SocketType.allCases.map(\.rawValue)).count == SocketType.allCases.count)
}

@Test func anUnknownSocketTypeIsDescribedByItsNumberAndCannotBeCreated() {
    let odd = SocketType(rawValue: 99)
    #expect(odd.description == "type 99")
    let context = Context()
    #expect(throws: ZMQError.invalidArgument) { try Socket(context, type: odd) }
}

@Test func everySocketTypeCanBeCreated() throws {
    let context = Context()
    for type in SocketType.allCases {
        let socket = try makeSocket(context, type)
        #expect(socket.type == type)
    }
}
