// The prober in process against real libzmq sockets of every type over tcp and ipc: the
// Socket-Type and Identity of each READY, CURVE peers and key checks, closed ports; and probe's
// command line (its own --format row, -t, --curve-server-key, and no other security flag).
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// A socket of `type` bound to a free tcp port (or `address`), with `identity` when given.
private func bound(_ context: Context, _ type: SocketType, _ address: String = "tcp://127.0.0.1:*",
                   identity: String? = nil, configure: (Socket) throws -> Void = { _ in }) throws -> (Socket, Endpoint) {
    let socket = try Socket(context, type: type)
    try socket.set(.linger, 0)
    if let identity { try socket.set(.routingID, Array(identity.utf8)) }
    try configure(socket)
    try socket.bind(address)
    let last = try socket.get(.lastEndpoint)
    return (socket, try Endpoint.parse(last, role: .connect))
}

private let prober = Prober(timeout: 2000)

@Test(arguments: [SocketType.pub, .sub, .req, .rep, .dealer, .router, .push, .pull, .pair, .xpub, .xsub])
func theProberReportsTheSocketTypeOfEveryKindOfSocketOverTCP(type: SocketType) throws {
    let context = Context()
    defer { context.terminate() }
    let (socket, endpoint) = try bound(context, type)
    defer { socket.close() }
    let result = prober.describe(endpoint)
    #expect(result.kind == .zmtp && result.zmtp == "3.1" && result.mechanism == "NULL")
    #expect(result.socketType == type.description)
    #expect(result.connectMilliseconds != nil && result.handshakeMilliseconds != nil && result.status == .success)
}

@Test(arguments: [SocketType.router, .dealer])
func aRoutingIdShowsAsTheIdentity(type: SocketType) throws {
    let context = Context()
    defer { context.terminate() }
    let (socket, endpoint) = try bound(context, type, identity: "svc-1")
    defer { socket.close() }
    let result = prober.describe(endpoint)
    #expect(result.identity == Array("svc-1".utf8) && result.socketType == type.description)
    #expect(result.metadata?.map(\.name) == ["Socket-Type", "Identity"])
}

@Test func anIPCEndpointIsDescribedLikeATCPOne() throws {
    let context = Context()
    defer { context.terminate() }
    let path = "/tmp/zswift-prober-\(getpid()).sock"
    defer { unlink(path) }
    let (socket, _) = try bound(context, .pull, "ipc://" + path)
    defer { socket.close() }
    let result = prober.describe(try Endpoint.parse("ipc://" + path, role: .connect))
    #expect(result.kind == .zmtp && result.socketType == "PULL")
}

@Test func aCurveServerIsTheServerAndItsKeyIsAcceptedAndAnotherRefused() throws {
    let context = Context()
    defer { context.terminate() }
    let keys = try CurveKeys.generate()
    let (socket, endpoint) = try bound(context, .rep) { s in
        try s.set(.curveServer, true)
        try s.set(.curveSecretKey, keys.secretKey.text)
    }
    defer { socket.close() }
    var result = prober.describe(endpoint)
    #expect(result.kind == .zmtp && result.mechanism == "CURVE" && result.asServer == true && result.socketType == nil)
    ProbeCommand.check(keys.publicKey, &result, timeout: 3000)
    #expect(result.keyAccepted == true && result.status == .success)
    ProbeCommand.check(try CurveKeys.generate().publicKey, &result, timeout: 3000)
    #expect(result.keyAccepted == false && result.status == .security)
}

@Test func aClosedPortIsRefusedWithStatus3() throws {
    let context = Context()
    let (socket, endpoint) = try bound(context, .rep)
    socket.close()
    context.terminate()
    let result = prober.describe(endpoint)
    #expect(result.kind == .refused && result.status == .timeout && result.connectMilliseconds == nil)
}

// MARK: - The command line

@Test func probeTakesItsOwnFormatTimeoutAndCurveServerKey() throws {
    let key = try CurveKeys.generate().publicKey.text
    let settings = try #require(try invocation("probe", ":5555", "ipc:///tmp/x", "--format", "json", "-t", "500ms", "--curve-server-key", key).probe)
    #expect(settings.endpoints.map(\.address) == ["tcp://127.0.0.1:5555", "ipc:///tmp/x"])
    #expect(settings.format == .json && settings.timeout == 500 && settings.serverKey?.text == key)
    #expect(try #require(try invocation("probe", "-f", "text", "h:1").probe).timeout == ProbeSettings.defaultTimeout)
}

@Test func probeRefusesMessageFormatsAndTheOtherSecurityFlags() {
    #expect(usageError("probe", ":5555", "--format", "hex")?.message == "--format: probe reports as text or json, not 'hex'")
    #expect(usageError("pull", ":5555", "--format", "text")?.message.contains("unknown format") == true)
    for flag in ["--curve-server", "--plain-user", "--allow", "-v", "--in"] {
        #expect(usageError("probe", ":5555", flag, "x")?.message == "\(flag) does not apply to probe")
    }
    #expect(usageError("probe")?.message == "probe needs an endpoint to describe")
    #expect(usageError("probe", "inproc://x")?.message == "probe speaks tcp and ipc, not inproc://x")
}
