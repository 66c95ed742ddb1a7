// ServiceRegistry, the Majordomo broker's model, fed parsed messages and hand-made times: routing
// by service, queueing until a worker is ready, least-recently-used workers, mmi.service, the
// protocol errors mdbroker answers with DISCONNECT, expiry, heartbeats and the bounds.
import Testing
@testable import ZswiftCore

private let second = 1_000_000_000
private func text(_ string: String) -> [UInt8] { Array(string.utf8) }
private let echo = text("echo")

private func ask(_ registry: inout ServiceRegistry, _ service: String, _ body: String, from client: String, at now: Int = 0) -> [ServiceRegistry.Output] {
    registry.clientRequest(MDPClientMessage(service: text(service), body: [text(body)]), from: text(client), now: now)
}

@Test func aRequestWaitsForItsServicesWorkerAndTheReplyGoesBackToItsClient() {
    var registry = ServiceRegistry()
    #expect(ask(&registry, "echo", "hi", from: "c1").isEmpty)
    #expect(registry.pendingCount == 1 && !registry.exists(echo))
    let dispatched = registry.workerMessage(.ready(service: echo), from: text("w1"), now: 1)
    #expect(dispatched == [.toWorker(text("w1"), .request(client: text("c1"), body: [text("hi")]))])
    #expect(dispatched[0].frames == [text("w1"), [], text("MDPW01"), [2], text("c1"), [], text("hi")])
    let answered = registry.workerMessage(.reply(client: text("c1"), body: [text("HI")]), from: text("w1"), now: 2)
    #expect(answered == [.toClient(text("c1"), MDPClientMessage(service: echo, body: [text("HI")]))])
    #expect(answered[0].frames == [text("c1"), [], text("MDPC01"), echo, text("HI")])
    #expect(registry.totals.requests == 1 && registry.totals.busyNanoseconds == 1)
}

@Test func requestsGoToTheirOwnServiceAndToItsLeastRecentlyUsedWorker() {
    var registry = ServiceRegistry()
    for (worker, service) in [("a1", "alpha"), ("b1", "beta"), ("a2", "alpha")] {
        #expect(registry.workerMessage(.ready(service: text(service)), from: text(worker), now: 0).isEmpty)
    }
    #expect(ask(&registry, "beta", "1", from: "c") == [.toWorker(text("b1"), .request(client: text("c"), body: [text("1")]))])
    #expect(ask(&registry, "alpha", "2", from: "c") == [.toWorker(text("a1"), .request(client: text("c"), body: [text("2")]))])
    #expect(ask(&registry, "alpha", "3", from: "d") == [.toWorker(text("a2"), .request(client: text("d"), body: [text("3")]))])
    #expect(ask(&registry, "alpha", "4", from: "e").isEmpty)
    // a2 answers first, so it takes the waiting request
    let outputs = registry.workerMessage(.reply(client: text("d"), body: [text("three")]), from: text("a2"), now: 5)
    #expect(outputs == [.toClient(text("d"), MDPClientMessage(service: text("alpha"), body: [text("three")])),
                        .toWorker(text("a2"), .request(client: text("e"), body: [text("4")]))])
}

@Test func mmiServiceAnswers200For404AgainstAndOtherMMINames501() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("w"), now: 0)
    let lookups = [("mmi.service", "echo", "200"), ("mmi.service", "nothing", "404"), ("mmi.workers", "echo", "501")]
    for (service, body, code) in lookups {
        #expect(ask(&registry, service, body, from: "c") == [.toClient(text("c"), MDPClientMessage(service: text(service), body: [text(code)]))])
    }
    // a busy worker still makes its service exist; a request alone does not create one that exists
    _ = ask(&registry, "echo", "x", from: "c")
    _ = ask(&registry, "ghost", "x", from: "c")
    #expect(registry.exists(echo) && !registry.exists(text("ghost")))
    let empty = registry.clientRequest(MDPClientMessage(service: text("mmi.service"), body: []), from: text("c"), now: 0)
    #expect(empty == [.toClient(text("c"), MDPClientMessage(service: text("mmi.service"), body: [text("404")]))])
}

@Test func protocolErrorsGetDisconnectAndTheWorkerIsForgotten() {
    var registry = ServiceRegistry()
    let disconnect = { (worker: String) in [ServiceRegistry.Output.toWorker(text(worker), .disconnect)] }
    #expect(registry.workerMessage(.heartbeat, from: text("stranger"), now: 0) == disconnect("stranger"))
    #expect(registry.workerMessage(.reply(client: text("c"), body: []), from: text("stranger"), now: 0) == disconnect("stranger"))
    #expect(registry.workerMessage(.ready(service: text("mmi.service")), from: text("sneaky"), now: 0) == disconnect("sneaky"))
    _ = registry.workerMessage(.ready(service: echo), from: text("w"), now: 0)
    #expect(registry.workerMessage(.ready(service: echo), from: text("w"), now: 1) == disconnect("w"))
    #expect(registry.workerCount == 0 && registry.protocolErrors == 2 && registry.strangers == 2)  // strangers: a restart, no error
    #expect(registry.workerMessage(.disconnect, from: text("nobody"), now: 1).isEmpty)
}

@Test func aWorkerThatSaysDisconnectLeavesAndItsRequestIsLost() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("w"), now: 0)
    _ = ask(&registry, "echo", "x", from: "c")
    #expect(registry.workerMessage(.disconnect, from: text("w"), now: 1).isEmpty)
    #expect(registry.workerCount == 0 && registry.services.isEmpty)
    #expect(registry.totals == PoolTotals(requests: 0, busyNanoseconds: 0, workersLost: 0, workersLeft: 1, requestsLost: 1))
}

@Test func silentIdleWorkersExpireAndHeartbeatsGoToIdleWorkers() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("idle"), now: 0)
    _ = registry.workerMessage(.ready(service: echo), from: text("busy"), now: 0)
    _ = registry.workerMessage(.heartbeat, from: text("busy"), now: 1)
    _ = ask(&registry, "echo", "x", from: "c")  // goes to "idle", the least recently used
    #expect(registry.heartbeatsDue(now: 2_500_000_000) == [.toWorker(text("busy"), .heartbeat)])
    #expect(registry.nextDeadline == 5_000_000_000)
    // mdbroker's 2.5 s x 3; a busy worker is not expired by default (mdwrkapi is silent while it works)
    #expect(registry.expire(now: 7_500_000_000).isEmpty)
    let gone = registry.expire(now: 7_500_000_001)
    #expect(gone.map(\.departure.worker.id) == [text("busy")] && gone.map(\.service) == [echo])
    #expect(registry.workerMessage(.heartbeat, from: text("busy"), now: 8 * second) == [.toWorker(text("busy"), .disconnect)])
    #expect(registry.exists(echo))
}

@Test func requestsPastTheLimitsAreRefusedAndStaleOnesDiscarded() {
    var registry = ServiceRegistry(limits: .init(pending: 3, pendingBytes: 100, services: 2))
    for n in 0..<3 { _ = ask(&registry, "echo", "\(n)", from: "c", at: n * second) }
    _ = ask(&registry, "echo", "past the count", from: "c")
    _ = ask(&registry, "third service", "x", from: "c")
    #expect(registry.refused == 2 && registry.pendingCount == 3)
    #expect(registry.discardRequests(waitingSince: 2 * second) == 2)
    _ = ask(&registry, "other", String(repeating: "x", count: 100), from: "c")
    #expect(registry.refused == 3)
    _ = ask(&registry, "other", "y", from: "c")
    #expect(registry.pendingCount == 2 && registry.services.count == 2)
    #expect(registry.workerMessage(.ready(service: text("third")), from: text("w"), now: 0) == [.toWorker(text("w"), .disconnect)])
}

@Test func atShutdownEveryWorkerIsToldToDisconnect() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("w2"), now: 0)
    _ = registry.workerMessage(.ready(service: text("other")), from: text("w1"), now: 0)
    #expect(registry.disconnectAll() == [.toWorker(text("w1"), .disconnect), .toWorker(text("w2"), .disconnect)])
    #expect(registry.workerCount == 0 && registry.services.isEmpty && registry.totals.workersLeft == 2)
}

@Test func parsedBrokerInputDrivesTheRegistry() throws {
    var registry = ServiceRegistry()
    for frames in [[text("w"), [], text("MDPW01"), [1], echo], [text("c"), [], text("MDPC01"), echo, text("ping")]] {
        let parsed = try MDP.parseAtBroker(frames).get()
        let outputs = registry.received(parsed.message, from: parsed.sender, now: 0)
        if parsed.sender == text("c") {
            #expect(outputs.map(\.frames) == [[text("w"), [], text("MDPW01"), [2], text("c"), [], text("ping")]])
        }
    }
}

@Test func aWorkerThatHasGoneWithoutAWordIsLostAndStaysCountedAfterItsServiceIsGone() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("w"), now: 0)
    _ = ask(&registry, "echo", "x", from: "c")
    registry.lose(text("w"))
    registry.lose(text("nobody"))
    #expect(registry.workerCount == 0 && registry.services.isEmpty && !registry.knows(text("w")))
    #expect(registry.totals == PoolTotals(requests: 0, busyNanoseconds: 0, workersLost: 1, workersLeft: 0, requestsLost: 1))
}

@Test func aRequestThatCouldNotBeSentGoesToTheNextIdleWorkerAndIsNotCountedLost() {
    var registry = ServiceRegistry()
    _ = registry.workerMessage(.ready(service: echo), from: text("w1"), now: 0)
    _ = registry.workerMessage(.ready(service: echo), from: text("w2"), now: 0)
    _ = ask(&registry, "echo", "first", from: "c0")   // to w1
    _ = ask(&registry, "echo", "waits", from: "c2")   // to w2
    _ = ask(&registry, "echo", "later", from: "c3")   // waits for a worker
    // w2 had gone: the request it could not be sent goes back ahead of the one waiting
    #expect(registry.undelivered(to: text("w2"), client: text("c2"), body: [text("waits")], now: 1).isEmpty)
    #expect(!registry.knows(text("w2")) && registry.pendingCount == 2)
    let next = registry.workerMessage(.reply(client: text("c0"), body: [text("FIRST")]), from: text("w1"), now: 2)
    #expect(next.last == .toWorker(text("w1"), .request(client: text("c2"), body: [text("waits")])))
    #expect(registry.totals.workersLost == 1 && registry.totals.requestsLost == 0)
    #expect(registry.undelivered(to: text("nobody"), client: text("c"), body: [], now: 3).isEmpty)
}
