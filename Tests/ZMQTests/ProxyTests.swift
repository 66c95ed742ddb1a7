// SteerableProxy: libzmq's proxy on its own thread over inproc, relaying both ways, copying to a
// capture socket, steered with PAUSE/RESUME/STATISTICS/TERMINATE, and saying when and why it ended.
import Foundation  // only to read /proc
import Glibc
import Testing
import ZMQ

/// A streamer (PULL frontend, PUSH backend) with a client pushing into it and a worker pulling from it.
struct Streamer {
    let context = Context()
    let client: Socket, frontend: Socket, backend: Socket, worker: Socket

    init(label: String = #function) throws {
        let front = uniqueEndpoint(label + "front"), back = uniqueEndpoint(label + "back")
        frontend = try makeSocket(context, .pull)
        try frontend.bind(front)
        backend = try makeSocket(context, .push)
        try backend.bind(back)
        client = try makeSocket(context, .push)
        try client.connect(front)
        worker = try makeSocket(context, .pull)
        try worker.connect(back)
    }
}

/// Waits up to `timeout` milliseconds for `fd` to be readable.
func isReadable(_ fd: Int32, within timeout: Int = patience) -> Bool {
    var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
    return poll(&p, 1, Int32(timeout)) > 0
}

/// Ends the proxy (bounded) so that no test leaves its thread using sockets that are being closed.
func stop(_ proxy: SteerableProxy) {
    _ = try? proxy.send(.terminate)
    _ = proxy.waitUntilFinished(timeout: patience)
    proxy.close()
}

/// Asks for the counters and waits (bounded) for the answer.
func statistics(of proxy: SteerableProxy) throws -> ProxyStatistics? {
    guard try proxy.send(.statistics) else { return nil }
    var poller = Poller()
    poller.add(proxy.control, .readable)
    let deadline = ContinuousClock.now + .milliseconds(patience)
    while ContinuousClock.now < deadline {
        if let answer = try proxy.receiveStatistics() { return answer }
        _ = try poller.poll(timeout: 50)
    }
    return nil
}

@Test func aProxyRelaysWholeMessagesFromFrontendToBackend() throws {
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { stop(proxy) }
    try sendFrames(s.client, [Array("a".utf8), Array("b".utf8)])
    #expect(try receiveFrames(s.worker) == [Array("a".utf8), Array("b".utf8)])
    #expect(!proxy.hasFinished)
}

@Test func aQueueProxyCarriesRequestsToAWorkerAndRepliesBack() throws {
    let context = Context()
    let front = uniqueEndpoint(), back = uniqueEndpoint()
    let router = try makeSocket(context, .router), dealer = try makeSocket(context, .dealer)
    try router.bind(front)
    try dealer.bind(back)
    let proxy = try SteerableProxy(frontend: router, backend: dealer)
    defer { stop(proxy) }
    let client = try makeSocket(context, .req), worker = try makeSocket(context, .rep)
    try client.connect(front)
    try worker.connect(back)
    #expect(try client.send(Array("ping".utf8)))
    #expect(try receiveFrames(worker) == [Array("ping".utf8)])
    #expect(try worker.send(Array("pong".utf8)))
    #expect(try receiveFrames(client) == [Array("pong".utf8)])
}

@Test func statisticsCountMessagesAndBytesOnEachSide() throws {
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { stop(proxy) }
    for _ in 0..<3 { try sendFrames(s.client, [Array("12345".utf8), [1]]) }
    for _ in 0..<3 { #expect(try receiveFrames(s.worker) != nil) }
    let counters = try #require(try statistics(of: proxy))
    #expect(counters.frontend.messagesReceived == 3 && counters.frontend.bytesReceived == 18)
    #expect(counters.backend.messagesSent == 3 && counters.backend.bytesSent == 18)
    #expect(counters.frontend.messagesSent == 0 && counters.backend.messagesReceived == 0)
}

@Test func theCaptureSocketGetsACopyOfEveryMessageAndOfEachCommand() throws {
    let s = try Streamer()
    let tap = uniqueEndpoint("tap")
    let capture = try makeSocket(s.context, .push), reader = try makeSocket(s.context, .pull)
    try capture.bind(tap)
    try reader.connect(tap)
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend, capture: capture)
    defer { stop(proxy) }
    try sendFrames(s.client, [Array("x".utf8), Array("y".utf8)])
    #expect(try receiveFrames(s.worker) != nil)
    var copy = MultipartMessage()
    #expect(try receive(reader, into: &copy))
    #expect(copy.arrays == [Array("x".utf8), Array("y".utf8)])
    _ = try statistics(of: proxy)
    #expect(try receive(reader, into: &copy))
    #expect(copy.arrays == [Array("STATISTICS".utf8)])
}

@Test func aPausedProxyRelaysNothingUntilResumed() throws {
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { stop(proxy) }
    #expect(try proxy.send(.pause))
    _ = try statistics(of: proxy)  // the answer comes after PAUSE has been acted on
    try sendFrames(s.client, [Array("held".utf8)])
    #expect(try receiveFrames(s.worker, timeout: 200) == nil)
    #expect(try proxy.send(.resume))
    #expect(try receiveFrames(s.worker) == [Array("held".utf8)])
}

@Test func terminateEndsTheProxyCleanlyAndItsFinishedFDSaysSo() throws {
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { proxy.close() }
    #expect(!isReadable(proxy.finishedFD, within: 0))
    #expect(try proxy.send(.terminate))
    #expect(isReadable(proxy.finishedFD))
    #expect(proxy.waitUntilFinished(timeout: patience))
    #expect(proxy.hasFinished && proxy.error == nil)
}

@Test func aProxyWhoseContextShutsDownEndsWithThatError() throws {
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { proxy.close() }
    s.context.shutdown()
    #expect(proxy.waitUntilFinished(timeout: patience))
    #expect(proxy.error == .terminated)
}

/// The signal masks (SigBlk) of this process's threads named `name`.
private func blockedSignals(ofThreadsNamed name: String) -> [UInt64] {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    return tasks.compactMap { tid in
        guard (try? String(contentsOfFile: "/proc/self/task/\(tid)/comm", encoding: .utf8)) == name + "\n",
              let status = try? String(contentsOfFile: "/proc/self/task/\(tid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }) else { return nil }
        return UInt64(line.dropFirst(7).trimmingPrefix(while: \.isWhitespace), radix: 16)
    }
}

@Test func theProxyThreadBlocksEverySignalSoNoneCanCutItsPollShort() throws {
    // a SIGUSR1 or SIGALRM that landed on the proxy thread made zmq_poll return EINTR, and the
    // proxy returned with it: the broker stopped
    let s = try Streamer()
    let proxy = try SteerableProxy(frontend: s.frontend, backend: s.backend)
    defer { stop(proxy) }
    try sendFrames(s.client, [[1]])
    #expect(try receiveFrames(s.worker) == [[1]])  // the proxy thread is running and named
    let masks = blockedSignals(ofThreadsNamed: SteerableProxy.threadName)
    #expect(!masks.isEmpty)
    for mask in masks {
        for signal in [SIGHUP, SIGINT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGPIPE, SIGCHLD] {
            #expect(mask & (1 << UInt64(signal - 1)) != 0, "signal \(signal) is not blocked: SigBlk \(String(mask, radix: 16))")
        }
    }
}
