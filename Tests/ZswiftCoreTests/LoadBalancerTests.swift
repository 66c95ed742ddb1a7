// In-process: broker --mode lb's LoadBalancer between two inproc ROUTERs, driven by hand (each
// handler called once what it reads has arrived, `tick` given the time): the least recently used
// idle worker first, requests left in libzmq while all are busy (taken each tick) and sent in
// order, replies to their own client, a silent worker forgotten, a stale request dropped.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// A LoadBalancer on fresh inproc endpoints, with the test's clients and workers in one context.
private final class BalancerRig {
    let context = Context()
    let front: Socket
    let back: Socket
    let lb: LoadBalancer
    let name: String

    init(_ label: String = #function) throws {
        name = "inproc://lb-\(label.filter(\.isLetter))-\(UInt64.random(in: 0...UInt64.max))"
        front = try Socket(context, type: .router)
        back = try Socket(context, type: .router)
        try back.set(.routerMandatory, true)
        try front.bind(name + "-front")
        try back.bind(name + "-back")
        lb = LoadBalancer(relay: Relay(front: front, back: back, capture: nil), heartbeat: .paranoidPirate,
                          diagnostics: Diagnostics(fd: -1))
    }

    /// A DEALER worker with routing id `id` that has said READY, and the broker has read it.
    func worker(_ id: String) throws -> Socket {
        let socket = try Socket(context, type: .dealer)
        try socket.set(.routingID, Array(id.utf8))
        try socket.connect(name + "-back")
        try socket.send([[0x01]])
        try backend()
        return socket
    }

    /// A REQ client that has sent `body`, read by the broker.
    func client(_ body: String) throws -> Socket {
        let socket = try Socket(context, type: .req)
        try socket.connect(name + "-front")
        try socket.send([Array(body.utf8)])
        try frontend()
        return socket
    }

    func frontend() throws { try waitReadable(front); _ = try lb.frontendReadable() }
    func backend() throws { try waitReadable(back); _ = try lb.backendReadable() }
}

private func waitReadable(_ socket: Socket) throws {
    var poller = Poller()
    poller.add(socket, .readable)
    guard try poller.poll(timeout: 5000) > 0 else { throw ZMQError.wouldBlock }
}

/// Receives one message (waiting at most 5 s) as arrays.
private func receive(_ socket: Socket) throws -> [[UInt8]] {
    try waitReadable(socket)
    var message = MultipartMessage(capacity: 256)
    guard try socket.receive(&message, dontWait: true) else { throw ZMQError.wouldBlock }
    return message.arrays
}

/// A worker answers the request it received with "ID:BODY" and the broker relays it.
private func answer(_ worker: Socket, as id: String, _ rig: BalancerRig) throws -> String {
    let request = try receive(worker)
    let body = String(decoding: request.last!, as: UTF8.self)
    try worker.send(request.dropLast() + [Array("\(id):\(body)".utf8)])
    try rig.backend()
    return body
}

private func text(_ frames: [[UInt8]]) -> String { String(decoding: frames.last!, as: UTF8.self) }

@Test func eachRequestGoesToTheLeastRecentlyUsedIdleWorkerAndTheReplyToItsOwnClient() throws {
    let rig = try BalancerRig()
    let w1 = try rig.worker("W1"), w2 = try rig.worker("W2")
    let a = try rig.client("a")
    #expect(try answer(w1, as: "W1", rig) == "a")
    #expect(text(try receive(a)) == "W1:a")
    let b = try rig.client("b")  // W2 has waited longest now
    #expect(try answer(w2, as: "W2", rig) == "b")
    #expect(text(try receive(b)) == "W2:b")
    #expect(rig.lb.pool.totals.requests == 2)
}

@Test func requestsWaitWhileEveryWorkerIsBusyAndGoOutInOrder() throws {
    let rig = try BalancerRig()
    let worker = try rig.worker("W")
    let clients = try ["one", "two", "three"].map { try rig.client($0) }
    // while every worker is busy the broker leaves requests in libzmq's queue (it is not woken
    // for each); a tick takes them into its own, bounded one
    #expect(rig.lb.pending.count == 0 && !rig.lb.readsFrontend)
    try rig.lb.tick(now: Clock.nanoseconds())
    #expect(rig.lb.pending.count == 2)
    for (client, body) in zip(clients, ["one", "two", "three"]) {
        #expect(try answer(worker, as: "W", rig) == body)
        #expect(text(try receive(client)) == "W:" + body)
    }
    #expect(rig.lb.pending.isEmpty && rig.lb.pending.peak == 2)
}

@Test func aSilentWorkerIsForgottenAndAStaleRequestIsDropped() throws {
    let rig = try BalancerRig()
    let worker = try rig.worker("W")
    let busy = try rig.client("held by W")
    let waiting = try rig.client("waits")
    defer { withExtendedLifetime((worker, busy, waiting)) {} }
    try rig.lb.tick(now: Clock.nanoseconds())
    #expect(rig.lb.pending.count == 1)
    try rig.lb.tick(now: Clock.nanoseconds() + 11_000_000_000)
    #expect(rig.lb.pool.count == 0 && rig.lb.pool.totals.requestsLost == 1)
    #expect(rig.lb.pending.isEmpty && rig.lb.pending.discarded == 1)
}

@Test func aLateReplyFromAWorkerForgottenWhileBusyStillReachesItsClient() throws {
    let rig = try BalancerRig()
    let worker = try rig.worker("W")
    let client = try rig.client("slow")
    try rig.lb.tick(now: Clock.nanoseconds() + 4_000_000_000)  // silent for longer than 3 s: forgotten
    #expect(rig.lb.pool.count == 0)
    #expect(try answer(worker, as: "W", rig) == "slow")
    #expect(text(try receive(client)) == "W:slow")
    #expect(rig.lb.pool.idle == [Array("W".utf8)] && rig.lb.strayReplies == 0)
}

@Test func aReplyFromAWorkerThisBrokerGaveNothingIsDroppedAndTheWorkerIsFree() throws {
    let rig = try BalancerRig()
    // a worker busy since before a restart: its heartbeat makes it nothing, its reply makes it idle
    let worker = try Socket(rig.context, type: .dealer)
    try worker.set(.routingID, Array("old".utf8))
    try worker.connect(rig.name + "-back")
    try worker.send([[0x02]])
    try rig.backend()
    #expect(rig.lb.pool.count == 0)
    let waiting = try rig.client("new")
    try worker.send([[0, 0x6b, 0x8b, 0x45, 0x67], [], Array("an answer for someone else".utf8)])
    try rig.backend()
    #expect(rig.lb.strayReplies == 1)
    #expect(try answer(worker, as: "old", rig) == "new")  // the waiting request went to it
    #expect(text(try receive(waiting)) == "old:new")
}
