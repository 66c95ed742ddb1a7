// pair, dealer, router, xpub and xsub: stdin to the socket and the socket to stdout at once, on
// the run's event loop (the socket, stdin, the monitor, stdout). At end of input the loop keeps
// receiving; it ends when every peer has gone, with -q once nothing arrived for that long, after
// --count received messages, at --timeout (status 3), or on a signal. The frames each command
// reads and writes differently are in Duplex+Frames.swift.
import ZMQ

enum DuplexCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let invocation = scope.invocation
        let channel = try scope.open()
        if invocation.command == .xpub {
            do { try channel.socket.set(.xpubVerbose, true) } catch { throw Exit.runtime("cannot set up xpub: \(error)") }
        }
        if let delay = invocation.delay { try scope.pause(delay) }
        var inputError: Exit?
        let loop = try DuplexLoop(channel: channel)
        do throws(Exit) {
            try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, loop)
        } catch {
            guard case .badInput = error else { throw error }
            inputError = error
        }
        try scope.output.flush()
        try channel.deliver()
        if let inputError { throw inputError }
        if loop.unroutable > 0 {
            throw Exit.unroutable("\(Words.count(loop.unroutable, "message")) could not be routed")
        }
    }
}

/// The loop, specialised per input format; output goes through the format's encoder as an
/// existential (this loop is not the throughput path).
final class DuplexLoop: DecoderUser {
    let channel: Channel
    let scope: RunScope
    let invocation: Invocation
    var encoder: any MessageEncoder
    let scratch = ByteBuffer(capacity: 256)
    /// Messages a router could not deliver (reported one by one; the status is 1 at the end).
    private(set) var unroutable = 0

    private var message = Message()
    private var frames: [UnsafeRawBufferPointer] = []
    /// The next frame of a message the socket could not take yet.
    private var pendingFrom: Int?
    private var record = 0
    private var inputDone = false
    /// --data/--file: the fixed message (sent once or every --interval); nil: stdin.
    private var fixed: RepeatedMessage?
    /// When the next repeat of the fixed message is due.
    private var fixedDue: Int?
    /// router: the socket is writable when any peer is, not the one a message is for.
    private var lastAttempt: Int?
    private var sendMadeNoProgress = false
    private var stuckTurns = 0
    private let gateDeadline: Deadline
    private var idle: Deadline
    /// -q: from the end of input, restarted by each arrival.
    private var quiet: Deadline?
    private let stdin: Reactor.Watch
    /// An end met where nothing can throw (xpub's subscription counting), thrown at the next step.
    var pendingExit: Exit?

    init(channel: Channel) throws(Exit) {
        self.channel = channel
        scope = channel.scope
        invocation = channel.invocation
        encoder = invocation.output.makeEncoder(diagnostics: channel.diagnostics)
        if invocation.command == .router && invocation.output.format == .line { encoder = HexFirstFrame(inner: encoder) }
        let interval = channel.invocation.interval
        fixed = try channel.invocation.fixedMessage().map { RepeatedMessage($0, count: nil, interval: interval) }
        gateDeadline = Deadline(after: invocation.timeout)
        idle = Deadline(after: invocation.timeout)
        stdin = scope.reactor.watch(fd: scope.io.input, for: [])
    }

    deinit { scope.reactor.remove(stdin) }

    func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
        var input = DecodedInput(decoder, input: scope.input, format: invocation.input.format)
        while true {
            if let pendingExit { throw pendingExit }
            try channel.checkSecurity()
            // 1. everything that is waiting goes to stdout
            if try receiveWaiting() { return }
            // 2. send what the socket takes, once the --wait-* gate is open
            let gateOpen = try gateIsOpen()
            let sent = gateOpen ? try sendWhatTheSocketTakes(&input) : false
            // 3. the run may be over
            if try isOver() { return }
            // 4. wait for the socket, stdin, the monitor or the clock
            if let spent = try scope.flushOutput() {
                idle = idle.postponed(by: spent)
                quiet = quiet?.postponed(by: spent)
                continue
            }
            if idle.hasPassed { throw ReceiveCommand.timedOut(scope) }
            try wait(gateOpen: gateOpen, sent: sent)
        }
    }

    /// Writes every message that is waiting; true when --count is reached.
    private func receiveWaiting() throws(Exit) -> Bool {
        let transform: ((inout Message) -> Void)? = invocation.command == .xpub ? { [unowned self] in showSubscription(&$0) } : nil
        if try channel.receiveWaiting(&encoder, &message, limit: invocation.count, transform: transform) > 0 {
            idle = Deadline(after: invocation.timeout)
            quiet = nil
        }
        guard let limit = invocation.count else { return false }
        return scope.stats.receivedMessages >= limit
    }

    /// Sends from stdin (or the fixed message) while the socket takes it; whether it sent any.
    private func sendWhatTheSocketTakes<D: MessageDecoder>(_ input: inout DecodedInput<D>) throws(Exit) -> Bool {
        var sent = false
        while true {
            if let from = pendingFrom {
                lastAttempt = from
                let next = try sendPending(from: from)
                sendMadeNoProgress = next == from
                sent = sent || next > from
                if next < frames.count { pendingFrom = next; return sent }
                pendingFrom = nil
            }
            guard try nextMessage(&input) else { return sent }
            pendingFrom = 0
        }
    }

    /// Sends the pending message's frames from `from` on; an unroutable one is reported and dropped.
    private func sendPending(from: Int) throws(Exit) -> Int {
        do { return try channel.sendFrames(frames, from: from, record: record) } catch {
            guard case let .unroutable(what) = error else { throw error }
            unroutable += 1
            channel.diagnostics.error(what + ": \(Hex.string(frames[0])) (message dropped)")
            return frames.count
        }
    }

    /// Takes the next message to send into `frames`; false when there is none for now.
    private func nextMessage<D: MessageDecoder>(_ input: inout DecodedInput<D>) throws(Exit) -> Bool {
        let next = fixed != nil ? try fixed!.next(&frames, waiting: false) : try input.next(&frames, waiting: false)
        switch next {
        case let .message(number):
            record = number
            fixedDue = nil
            // --data frames are taken literally; stdin's are in the command's input form
            if fixed == nil { try inputFrames(&frames, record: record) }
            return true
        case let .notYet(due):
            fixedDue = due
            return false
        case .end:
            inputDone = true
            return false
        }
    }

    /// Whether the run is over: every peer gone after end of input, or -q's quiet time passed.
    private func isOver() throws(Exit) -> Bool {
        guard inputDone && pendingFrom == nil else { return false }
        if channel.peers.tracker.everReady && channel.peers.tracker.connections.isEmpty {
            // what the last peer sent may be queued behind the monitor's news of its leaving
            // (xpub: its unsubscriptions); take it before ending
            if try channel.wait(for: .readable, until: Deadline(after: .ms(100))) { return false }
            if let short = ReceiveCommand.shortOfCount(scope, "every peer has gone") { throw short }
            channel.diagnostics.info("end of input and no peer left")
            return true
        }
        guard let quitAfter = invocation.quitAfter else { return false }
        let deadline = quiet ?? Deadline(after: quitAfter)
        quiet = deadline
        guard deadline.hasPassed else { return false }
        let why = "nothing arrived for --quit-after \(quitAfter) after end of input"
        if let short = ReceiveCommand.shortOfCount(scope, why) { throw short }
        channel.diagnostics.info(why)
        return true
    }

    /// One turn of the event loop, watching what the next step needs. A router is writable when
    /// any peer is, not the one a message is for: when that peer's queue is full, it looks again
    /// every millisecond for 50 ms, then every 10 ms. Other sockets say when they take more.
    private func wait(gateOpen: Bool, sent: Bool) throws(Exit) {
        let stuck = invocation.command == .router && pendingFrom != nil && pendingFrom == lastAttempt && sendMadeNoProgress
        stuckTurns = stuck ? stuckTurns + 1 : 0
        let reactor = scope.reactor
        reactor.change(channel.watch, to: pendingFrom != nil && !stuck ? [.readable, .writable] : .readable)
        // the receive and the send that came before ended on "would block", unless a send went through
        if !sent { reactor.drained(channel.watch) }
        let wantInput = gateOpen && fixed == nil && !inputDone && pendingFrom == nil
        reactor.change(stdin, to: wantInput ? .readable : [])
        var timeout = idle.remaining(cap: stuck ? (stuckTurns <= 50 ? 1 : 10) : 1000)
        if let due = fixedDue, pendingFrom == nil { timeout = min(timeout, max(0, due - Clock.now())) }
        if let quiet { timeout = min(timeout, quiet.remaining()) }
        try reactor.turn(timeout: timeout)
        reactor.change(channel.watch, to: [])
        if wantInput && !reactor.take(stdin).isEmpty { try scope.input.fill(record: record + 1, waiting: false) }
    }

    /// Whether --wait-peers / --wait-subscribers allow sending yet; past --timeout it is a failure.
    private func gateIsOpen() throws(Exit) -> Bool {
        let (wanted, present, what): (Int?, Int, String)
        if let n = invocation.waitSubscribers {
            (wanted, present, what) = (n, channel.subscribers.counted, "subscribers arrived")
        } else {
            (wanted, present, what) = (invocation.waitPeers, channel.peers.tracker.ready, "peers connected")
        }
        guard let wanted, present < wanted else { return true }
        if gateDeadline.hasPassed {
            throw Exit.timeout("\(present) of \(wanted) \(what) within --timeout \(invocation.timeout!)")
        }
        return false
    }
}
