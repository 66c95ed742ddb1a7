// Black-box: `zswift probe` against pyzmq sockets of every type, a CURVE server with its key and
// a wrong one, Python's http.server, a listener that says nothing, a closed port, and its JSON
// Lines read back with Python's json module. Each target binds a free port (Tests/peers/probe_targets.py).
import Glibc
import Testing
import TestSupport

/// Starts a probe target and returns it with its endpoint (and a CURVE server's key).
private func startTarget(_ arguments: String...) throws -> (Process, String) {
    let target = try Process(["python3", Paths.peer("probe_targets.py")] + arguments)
    return (target, try target.boundEndpoint(within: 15))
}

@Test(arguments: ["PUB", "SUB", "REQ", "REP", "DEALER", "ROUTER", "PUSH", "PULL", "PAIR", "XPUB", "XSUB"])
func probeNamesTheSocketTypeOfAPyzmqSocket(type: String) throws {
    let (target, endpoint) = try startTarget("zmq", type)
    let r = try zswift(["probe", endpoint], within: 10)
    #expect(r.status == 0, "\(r)")
    let article = type.hasPrefix("X") ? "an" : "a"
    #expect(r.out.hasPrefix("\(endpoint): \(article) \(type) socket (ZMTP 3.1, NULL)\n"), "\(r)")
    #expect(r.out.contains("  socket-type: \(type)\n"))
    _ = target
}

@Test func aRouterShowsItsIdentityAndTheCommandThatTalksToIt() throws {
    let (target, endpoint) = try startTarget("zmq", "ROUTER", "svc-1")
    let r = try zswift(["probe", endpoint], within: 10)
    #expect(r.status == 0 && r.out.contains("  identity:    7376632d31 (svc-1)\n"), "\(r)")
    #expect(r.out.contains("  try:         zswift dealer \(endpoint)\n"), "\(r)")
    _ = target
}

@Test func aCurveServerAcceptsItsKeyWithStatus0AndRefusesAnotherWithStatus4() throws {
    let target = try Process(["python3", Paths.peer("probe_targets.py"), "curve"])
    let err = try target.waitForStderr("bound to ", within: 15)
    let key = try #require(err.split(separator: "\n").first { $0.hasPrefix("server-key ") }).dropFirst("server-key ".count)
    let endpoint = try target.boundEndpoint()
    let plain = try zswift(["probe", endpoint], within: 10)
    #expect(plain.status == 0 && plain.out.contains("  mechanism:   CURVE\n") && plain.out.contains("  as-server:   yes"), "\(plain)")
    let right = try zswift(["probe", endpoint, "--curve-server-key", String(key)], within: 10)
    #expect(right.status == 0 && right.out.contains("  curve key:   accepted\n"), "\(right)")
    let other = try zswift(["keygen"]).out.split(separator: "\n")[0].dropFirst("public-key: ".count)
    let wrong = try zswift(["probe", endpoint, "--curve-server-key", String(other)], within: 10)
    #expect(wrong.status == 4 && wrong.out.contains("  curve key:   refused\n"), "\(wrong)")
}

@Test func anHTTPServerIsNamedAndEndsWithStatus1() throws {
    let (target, endpoint) = try startTarget("http")
    let r = try zswift(["probe", endpoint, "-t", "2s"], within: 10)
    #expect(r.status == 1 && r.out.hasPrefix("\(endpoint): an HTTP server, not ZMTP\n"), "\(r)")
    _ = target
}

@Test func aListenerThatSaysNothingIsSilentWithStatus3WithinTheTimeout() throws {
    let (target, endpoint) = try startTarget("silent")
    let start = Clock.milliseconds()
    let r = try zswift(["probe", endpoint, "-t", "400ms"], within: 10)
    #expect(r.status == 3 && r.out.hasPrefix("\(endpoint): an open port that said nothing\n"), "\(r)")
    #expect(Clock.milliseconds() - start < 3000)
    _ = target
}

@Test func aClosedPortIsRefusedWithStatus3AndSeveralEndpointsEndWithTheHighestStatus() throws {
    let (target, endpoint) = try startTarget("zmq", "REP")
    let closed = try #require(try startTarget("silent").1.split(separator: ":").last).description  // its listener is gone with it
    let r = try zswift(["probe", endpoint, "tcp://127.0.0.1:\(closed)"], within: 10)
    #expect(r.status == 3, "\(r)")
    #expect(r.out.contains("tcp://127.0.0.1:\(closed): nothing listening (connection refused)\n"), "\(r)")
    _ = target
}

@Test func jsonLinesParseWithPythonAndHaveTheKeysOfTheContract() throws {
    let (target, endpoint) = try startTarget("zmq", "REP")
    let script = """
    import json, sys
    keys = {"endpoint", "kind", "zmtp", "mechanism", "as_server", "socket_type", "identity", "metadata", "connect_ms", "handshake_ms"}
    for line in sys.stdin:
        o = json.loads(line)
        missing = keys - set(o)
        print(o["kind"], o["socket_type"], o["metadata"]["Socket-Type"], sorted(missing))
    """
    let r = try shell("$Z probe \(endpoint) --format json | python3 -c '\(script)'", within: 10)
    #expect(r.status == 0 && r.out == "zmtp REP REP []\n", "\(r)")
    _ = target
}

@Test func aListenerThatHangsUpOnTheGreetingIsNotCalledSilent() throws {
    // a TCP server that closes each connection as soon as bytes arrive, as a TLS server does
    // with a record it cannot read
    let script = """
    import socket, sys
    l = socket.socket(); l.bind(("127.0.0.1", 0)); l.listen(4)
    print("bound to tcp://127.0.0.1:%d" % l.getsockname()[1], file=sys.stderr, flush=True)
    while True:
        c, _ = l.accept(); c.recv(16); c.close()
    """
    let server = try Process(["python3", "-c", script])
    defer { server.signal(SIGKILL); _ = server.wait(within: 5) }
    let endpoint = try server.boundEndpoint()
    let r = try zswift(["probe", endpoint, "-t", "2s"], within: 10)
    #expect(r.status == 1, "\(r)")
    #expect(r.out.hasPrefix("\(endpoint): something that is not ZMTP\n") && r.out.contains("closed the connection on a ZMTP greeting without a word")
            && r.out.contains("openssl s_client -connect 127.0.0.1:"), "\(r)")
}
