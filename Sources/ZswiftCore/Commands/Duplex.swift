// pair, xpub and xsub: stdin to the socket and the socket to stdout at once, in one zmq_poll loop
// over the socket, stdin, the monitor and stdout. At end of input the loop keeps receiving; it
// ends when every peer has gone, after --count received messages, at --timeout (status 3), or on
// a signal. xpub shows subscriptions as +TOPIC/-TOPIC; xsub reads them in that form.
import ZMQ

enum DuplexCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let session = try Session(invocation, io: io, diagnostics: diagnostics)
        defer { session.printStats() }
        do throws(Exit) {
            if invocation.command == .xpub {
                do { try session.socket.set(.xpubVerbose, true) } catch { throw Exit.runtime("cannot set up xpub: \(error)") }
            }
            if let delay = invocation.delay { try session.pause(delay) }
            var inputError: Exit?
            let loop = DuplexLoop(session: session)
            do throws(Exit) {
                try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, loop)
            } catch {
                guard case .badInput = error else { throw error }
                inputError = error
            }
            try session.output.flush()
            try session.deliver()
            if let inputError { throw inputError }
            if loop.unroutable > 0 {
                throw Exit.unroutable("\(loop.unroutable) message\(loop.unroutable == 1 ? "" : "s") could not be routed")
            }
        } catch {
            if !error.isSignal { try? session.output.flush() }
            session.abandon()
            throw error
        }
    }
}

/// The poll loop, specialised per input format; output goes through the format's encoder as an
/// existential (this loop is not the throughput path).
final class DuplexLoop: DecoderUser {
    let session: Session
    private var encoder: any MessageEncoder
    private let scratch = ByteBuffer(capacity: 256)

    /// Messages a router could not deliver (reported one by one; the status is 1 at the end).
    private(set) var unroutable = 0
    /// router in line format: routing ids are hex on stdout and stdin.
    private let hexRoutingIDs: Bool

    init(session: Session) {
        self.session = session
        let invocation = session.invocation
        encoder = invocation.output.makeEncoder(diagnostics: session.diagnostics)
        hexRoutingIDs = invocation.command == .router
        if hexRoutingIDs && invocation.output.format == .line { encoder = HexFirstFrame(inner: encoder) }
    }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        let invocation = session.invocation
        let command = invocation.command
        let input = session.input
        let limit = invocation.count
        var message = Message()
        var frames: [UnsafeRawBufferPointer] = []
        var pendingFrom: Int?  // next frame of a message the socket could not take yet
        var lastAttempt: Int?
        var sendMadeNoProgress = false
        var stuckPolls = 0
        var record = 0
        var inputDone = false

        // --data/--file: one fixed message, sent once or every --interval
        let fixedStore = ByteBuffer(capacity: 64)
        var fixedFrames: [UnsafeRawBufferPointer] = []
        var fixedLeft = 0
        var fixedDue = Clock.now()
        var fixedMessage: [[UInt8]] = []
        switch invocation.source {
        case .stdin: break
        case let .frames(f): fixedMessage = f
        case let .file(path): fixedMessage = [try SendCommand.readFile(path, invocation)]
        }
        if !fixedMessage.isEmpty {
            var ends: [Int] = []
            for frame in fixedMessage { fixedStore.append(frame); ends.append(fixedStore.count) }
            var start = 0
            for end in ends { fixedFrames.append(fixedStore.bytes(start, end)); start = end }
            fixedLeft = invocation.interval == nil ? 1 : Int.max
        }
        let usesStdin = fixedMessage.isEmpty

        let gateDeadline = Deadline(after: invocation.timeout)
        var idle = Deadline(after: invocation.timeout)
        var quiet: Deadline?  // -q: from the end of input, restarted by each arrival
        let transform: ((inout Message) -> Void)? = command == .xpub ? { [unowned self] in self.showSubscription(&$0) } : nil

        var poller = Poller()
        let socketIndex = poller.add(session.socket, .readable)
        let stdinIndex = poller.add(fd: -1, [])
        let monitorIndex = poller.add(session.peers.monitor.socket, .readable)
        let outputIndex = poller.add(fd: session.io.output, [])
        let wakeIndex = poller.add(fd: Signals.wakeFD, .readable)  // a signal just after the check still wakes us

        while true {
            try Signals.check()
            try session.checkSecurity()
            // 1. everything that is waiting goes to stdout
            if try session.receiveWaiting(&encoder, &message, limit: limit, transform: transform) > 0 {
                idle = Deadline(after: invocation.timeout)
                quiet = nil
            }
            if let limit, session.stats.receivedMessages >= limit { return }

            // 2. send what the socket takes, once the --wait-* gate is open
            let gateOpen = try gateIsOpen(deadline: gateDeadline)
            while gateOpen {
                if let from = pendingFrom {
                    lastAttempt = from
                    let next: Int
                    do { next = try session.sendFrames(frames, from: from, record: record) } catch {
                        guard case let .unroutable(what) = error else { throw error }
                        unroutable += 1
                        session.diagnostics.error(what + ": \(Hex.string(frames[0])) (message dropped)")
                        next = frames.count
                    }
                    sendMadeNoProgress = next == from
                    if next < frames.count { pendingFrom = next; break }
                    pendingFrom = nil
                }
                if !usesStdin {
                    if fixedLeft == 0 { inputDone = true; break }
                    if Clock.now() < fixedDue { break }
                    fixedLeft -= 1
                    fixedDue = Clock.now() + (invocation.interval?.milliseconds ?? 0)
                    record += 1
                    frames = fixedFrames
                    pendingFrom = 0
                    continue
                }
                if inputDone { break }
                let taken: Int?
                do { taken = try decoder.decode(input.unread, atEnd: input.atEnd, frames: &frames) } catch {
                    throw Exit.badInput("input record \(record + 1) is not valid \(invocation.input.format.rawValue): \(error.reason)")
                }
                guard let taken else {
                    if input.atEnd { inputDone = true }
                    break
                }
                input.consume(taken)
                record += 1
                if frames.isEmpty { continue }
                if command == .xsub { try subscriptionFrame(&frames, record: record) }
                if command == .router && invocation.input.format == .line { try routingIDFrame(&frames, record: record) }
                pendingFrom = 0
            }

            // 3. after end of input, the run ends when every peer has gone
            if inputDone && pendingFrom == nil && session.peers.everReady && session.peers.connections.isEmpty {
                // what the last peer sent may be queued behind the monitor's news of its leaving
                // (xpub: its unsubscriptions); take it before ending
                if try session.wait(for: .readable, until: Deadline(after: .ms(100))) {
                    _ = try session.receiveWaiting(&encoder, &message, limit: limit, transform: transform)
                    continue
                }
                if let short = ReceiveCommand.shortOfCount(session, "every peer has gone") { throw short }
                session.diagnostics.info("end of input and no peer left")
                return
            }
            // ... or, with -q, when nothing arrived for that long after it
            if inputDone && pendingFrom == nil, let quitAfter = invocation.quitAfter {
                let deadline = quiet ?? Deadline(after: quitAfter)
                if deadline.hasPassed {
                    if let short = ReceiveCommand.shortOfCount(session, "nothing arrived for --quit-after \(quitAfter) after end of input") { throw short }
                    session.diagnostics.info("nothing arrived for --quit-after \(quitAfter) after end of input")
                    return
                }
                quiet = deadline
            }

            // 4. wait for the socket, stdin, the monitor or the clock
            if let spent = try session.flushOutput() {
                idle = idle.postponed(by: spent)
                quiet = quiet?.postponed(by: spent)
                continue
            }
            if idle.hasPassed { throw ReceiveCommand.timedOut(session) }
            // a router is writable when any peer is, not the one a message is for: when that peer's
            // queue is full, look again every millisecond for 50 ms, then every 10 ms. Other sockets say
            // exactly when they take the next message.
            let stuck = command == .router && pendingFrom != nil && pendingFrom == lastAttempt && sendMadeNoProgress
            stuckPolls = stuck ? stuckPolls + 1 : 0
            poller.setEvents(socketIndex, pendingFrom != nil && !stuck ? [.readable, .writable] : .readable)
            let wantInput = gateOpen && usesStdin && !inputDone && pendingFrom == nil
            poller.setFD(stdinIndex, wantInput ? session.io.input : -1, wantInput ? .readable : [])
            var wait = idle.remaining(cap: stuck ? (stuckPolls <= 50 ? 1 : 10) : 1000)
            if !usesStdin && fixedLeft > 0 && pendingFrom == nil { wait = min(wait, max(0, fixedDue - Clock.now())) }
            if let quiet { wait = min(wait, quiet.remaining()) }
            wait = session.peers.untilDue(cap: wait)
            do { _ = try poller.poll(timeout: wait) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(wakeIndex).isEmpty { Signals.drainWake() }
            if !poller.events(monitorIndex).isEmpty { try session.peers.drain() } else { session.peers.tick() }
            if poller.events(outputIndex).contains(.error) { throw Exit.outputClosed }
            if wantInput && !poller.events(stdinIndex).isEmpty { try input.fill(record: record + 1) }
        }
    }

    /// Whether --wait-peers / --wait-subscribers allow sending yet; past --timeout it is a failure.
    private func gateIsOpen(deadline: Deadline) throws(Exit) -> Bool {
        let invocation = session.invocation
        let (wanted, present, what): (Int?, Int, String)
        if let n = invocation.waitSubscribers {
            (wanted, present, what) = (n, session.subscribersCounted, "subscribers arrived")
        } else {
            (wanted, present, what) = (invocation.waitPeers, session.peers.ready, "peers connected")
        }
        guard let wanted, present < wanted else { return true }
        if deadline.hasPassed {
            throw Exit.timeout("\(present) of \(wanted) \(what) within --timeout \(invocation.timeout!)")
        }
        return false
    }

    /// xpub output: a subscription message's first byte 1/0 is shown as +/-.
    private func showSubscription(_ message: inout Message) {
        let bytes = message.mutableBytes
        guard bytes.count > 0 else { return }
        if bytes[0] == 1 {
            bytes[0] = UInt8(ascii: "+")
            _ = try? session.countSubscription()  // a signal it met is still pending for the loop
        } else if bytes[0] == 0 {
            bytes[0] = UInt8(ascii: "-")
            // an unsubscription counts nothing down: the subscriber may still hold other prefixes
        }
    }

    /// router input in line format: the first field is the routing id in hex.
    private func routingIDFrame(_ frames: inout [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        guard frames.count >= 2 else {
            throw Exit.badInput("input record \(record): a router message is ROUTING-ID<TAB>FRAME..., the routing id in hex")
        }
        scratch.count = 0
        do { try Hex.decode(frames[0], into: scratch) } catch {
            throw Exit.badInput("input record \(record): the routing id is not hex: \(error.reason)")
        }
        frames[0] = scratch.bytes(0, scratch.count)
    }

    /// xsub input: +TOPIC subscribes and -TOPIC unsubscribes (the raw 1/0 bytes are accepted too).
    private func subscriptionFrame(_ frames: inout [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        guard let first = frames.first, let kind = first.first,
              [UInt8(ascii: "+"), UInt8(ascii: "-"), 0, 1].contains(kind) else {
            throw Exit.badInput("input record \(record): an xsub message is +TOPIC to subscribe or -TOPIC to unsubscribe")
        }
        scratch.count = 0
        scratch.append(kind == UInt8(ascii: "+") || kind == 1 ? 1 : 0)
        scratch.append(UnsafeRawBufferPointer(rebasing: first.dropFirst()))
        frames[0] = scratch.bytes(0, scratch.count)
    }
}

/// router in line format: the routing id (first frame) is written as hex, so binary ids stay on one line.
struct HexFirstFrame: MessageEncoder {
    var inner: any MessageEncoder
    private let scratch = ByteBuffer(capacity: 64)

    init(inner: any MessageEncoder) { self.inner = inner }

    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        guard index == 0 else { return try inner.frame(bytes, index: index, more: more, to: out) }
        scratch.count = 0
        Hex.encode(bytes, into: scratch)
        try inner.frame(scratch.bytes(0, scratch.count), index: 0, more: more, to: out)
    }
}
