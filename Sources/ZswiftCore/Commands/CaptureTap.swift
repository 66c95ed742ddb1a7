// broker --capture: reads the copies libzmq's proxy sends to its capture socket and writes them to
// stdout, marked with their direction, without ever making the proxy wait. The balancing brokers
// (--mode lb, majordomo) send their copies to the same XPUB themselves, each after a frame that
// gives its direction (`tagged`), and count what they relayed instead of asking a proxy. What a slow reader of
// stdout cannot take is dropped, in whole messages, and counted exactly.
//
// libzmq 4.3.4's proxy (src/proxy.cpp) sends each frame it relays to the capture socket with a
// plain blocking send, before relaying it; its STATISTICS counters count whole messages after the
// last frame. It copies each control command it receives (PAUSE, STATISTICS, ...) there too,
// before acting on it, so a STATISTICS copy marks the exact place in the stream where the counters
// it answers were read. Two places can drop:
// - the proxy's end is an XPUB: at its high-water mark it drops whole messages instead of
//   blocking (dist_t drops a full pipe for the rest of the message). Those are the messages the
//   proxy relayed and this end never read: counters minus messages read.
// - this end reads eagerly and drops a message itself when the backlog for stdout is full (stdout
//   is written without waiting). So the XPUB's queue stays short and the copies are seen.
import Glibc
import ZMQ

/// A count of dropped messages, exact or a lower bound.
struct DropCount {
    let messages: Int
    let exact: Bool
}

/// The captured messages dropped in a whole run, by cause.
struct CaptureDrops {
    /// Dropped by the proxy's end: this thread could not read and format them as fast as they came.
    let fellBehind: Int
    /// Dropped here: stdout's backlog was full, or they still waited for stdout at the end.
    let slowReader: Int
    /// Of `slowReader`, the ones still waiting for stdout at the end.
    let waiting: Int
    var total: Int { fellBehind + slowReader }

    /// Why they were dropped, in words.
    var reasons: String {
        let reader = "the reader of stdout was slower than the traffic"
            + (waiting > 0 ? " (\(waiting) of them were still waiting to be written when the broker stopped)" : "")
        let behind = "the capture could not keep up with the traffic"
        switch (slowReader > 0, fellBehind > 0) {
        case (true, true): return "\(slowReader) because \(reader), \(fellBehind) because \(behind)"
        case (false, true): return behind
        default: return reader
        }
    }
}

final class CaptureTap {
    /// Messages that may queue between the proxy and this thread, at each end (inproc adds them).
    static let queueLimit: Int32 = 1000
    /// Output waiting for stdout: a message that arrives when this much waits is dropped.
    static let backlogBytes = 1 << 20
    static let backlogMessages = 100_000
    /// Messages read per call of `read`, so that a flood cannot starve the rest of the loop.
    static let batch = 4096

    /// The capture's two inproc ends: the proxy's (an XPUB, which drops instead of blocking it) and
    /// this thread's (a SUB that takes everything).
    struct Sockets {
        let proxyEnd: Socket
        let reader: Socket
    }

    let sockets: Sockets
    var reader: Socket { sockets.reader }
    let output: OutputWriter
    private let mode: BrokerMode
    private var encoder: any MessageEncoder
    private let hexIDs: Bool
    /// Each message starts with a one-byte frame giving its direction (the balancing brokers
    /// know it; libzmq's proxy does not say).
    private let tagged: Bool

    /// Messages read from the capture socket, and of those the relayed ones (not control copies).
    private var messagesRead = 0
    private var relayedRead = 0
    /// Of those, the ones dropped here because the backlog was full.
    private var droppedHere = 0
    /// Bytes stdout has taken, and where each message not yet written whole ends in that stream.
    private var writtenBytes = 0
    private var pendingEnds: [Int] = []
    private var firstPending = 0
    private var pendingMessages: Int { pendingEnds.count - firstPending }

    /// Control commands sent to the proxy whose copies have not been read yet, oldest first.
    private var expectedCopies: [ProxyCommand] = []
    /// The STATISTICS request in flight, if any (the loop sends one at a time).
    private var request: StatisticsRequest?
    private var lastReported = 0

    private struct StatisticsRequest {
        /// Messages dropped here before it was sent: all of them come before its copy.
        let droppedHereBefore: Int
        /// When its copy was read: messages read and dropped here by then.
        var copy: (read: Int, droppedHere: Int)?
        /// The proxy's count of relayed messages once its answer has arrived, and messages read by then.
        var relayed: Int?
        var readAtAnswer = 0
        /// Whether a read has found the socket empty since the answer arrived.
        var caughtUp = false
    }

    init(sockets: Sockets, stdout: Int32, invocation: Invocation, diagnostics: Diagnostics, tagged: Bool = false) {
        self.sockets = sockets
        output = OutputWriter.withoutWaiting(fd: stdout)
        mode = invocation.broker!.mode
        encoder = invocation.output.makeEncoder(diagnostics: diagnostics)
        hexIDs = (mode == .queue || tagged) && invocation.output.format == .line
        self.tagged = tagged
    }

    /// Opens the capture's two ends. The XPUB drops what matches no subscription, so this returns
    /// only once it has taken the SUB's: then the proxy may start.
    static func openSockets(_ context: Context) throws(ZMQError) -> Sockets {
        let out = try Socket(context, type: .xpub)
        let name = "inproc://zswift.capture.\(UInt(bitPattern: out.handle))"
        try out.set(.sendHighWaterMark, CaptureTap.queueLimit)  // before bind: inproc reads it then
        try out.bind(name)
        let reader = try Socket(context, type: .sub)
        try reader.set(.receiveHighWaterMark, CaptureTap.queueLimit)
        try reader.set(.subscribe, [])
        try reader.connect(name)
        var poller = Poller()
        poller.add(out, .readable)
        var subscription = Message()
        guard try poller.poll(timeout: 1000) > 0, try out.receive(&subscription, dontWait: true) else {
            throw ZMQError.wouldBlock
        }
        return Sockets(proxyEnd: out, reader: reader)
    }

    /// Closes both ends, dropping what they hold (after the proxy has returned).
    func close() {
        for socket in [sockets.proxyEnd, sockets.reader] {
            try? socket.set(.linger, 0)
            socket.close()
        }
    }

    // MARK: - Reading

    private var message = MultipartMessage(capacity: 4096)
    /// queue mode: clients whose last captured message was a request (the next is the reply).
    private var awaitingReply: Set<[UInt8]> = []

    /// Reads what the capture socket holds (up to `batch` messages) and writes or drops each one;
    /// returns whether it found the socket empty.
    @discardableResult
    func read() throws(Exit) -> Bool {
        for _ in 0..<CaptureTap.batch {
            let got: Bool
            do { got = try reader.receive(&message, dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw Exit.runtime("cannot read the capture: \(error)")
            }
            guard got else {
                if request?.relayed != nil { request!.caughtUp = true }
                return true
            }
            messagesRead += 1
            if message.count == 1 && !expectedCopies.isEmpty && isCopyOfCommand() { continue }
            relayedRead += 1
            let full = output.pendingBytes >= CaptureTap.backlogBytes || pendingMessages >= CaptureTap.backlogMessages
            if full && mode != .queue {
                droppedHere += 1
                continue
            }
            var parts = message.frames
            if tagged && parts.count < 2 { continue }
            let arrow = tagged ? parts.removeFirst().first ?? UInt8(ascii: ">") : direction(parts)  // in queue mode also for a dropped one: the alternation counts it
            if full {
                droppedHere += 1
                continue
            }
            try write(parts, arrow)
        }
        return false
    }

    /// Whether the message just read is the proxy's copy of one of our control commands (one frame,
    /// the command's name). Copies come in the order the commands were sent; one missing was dropped.
    private func isCopyOfCommand() -> Bool {
        let bytes = message[0]
        guard let i = expectedCopies.firstIndex(where: { $0.rawValue.utf8.elementsEqual(bytes) }) else { return false }
        if expectedCopies[i] == .statistics && request != nil && request!.copy == nil {
            request!.copy = (relayedRead, droppedHere)
        }
        expectedCopies.removeFirst(i + 1)
        return true
    }

    /// The direction of a captured message: libzmq's proxy does not say, so it is read from the mode.
    private func direction(_ frames: [UnsafeRawBufferPointer]) -> UInt8 {
        switch mode {
        case .streamer:
            return UInt8(ascii: ">")
        case .forwarder:
            // subscriptions travel up from the XPUB backend: one frame starting with 1 or 0
            let first = frames[0]
            return frames.count == 1 && first.count > 0 && first[0] <= 1 ? UInt8(ascii: "<") : UInt8(ascii: ">")
        case .queue, .lb, .majordomo:
            // a client's request and its reply carry the same envelope; they alternate per client
            let client = Array(frames[0])
            if awaitingReply.remove(client) != nil { return UInt8(ascii: "<") }
            if awaitingReply.count >= 100_000 { awaitingReply.removeAll() }
            awaitingReply.insert(client)
            return UInt8(ascii: ">")
        }
    }

    // MARK: - Writing

    private let idText = ByteBuffer(capacity: 32)

    private func write(_ frames: [UnsafeRawBufferPointer], _ direction: UInt8) throws(Exit) {
        var arrow = direction
        idText.count = 0
        if hexIDs { Hex.encode(frames[0], into: idText) }
        try withUnsafeBytes(of: &arrow) { (a) throws(Exit) in
            try encoder.frame(a, index: 0, more: true, to: output)
        }
        for (i, frame) in frames.enumerated() {
            let bytes = i == 0 && hexIDs ? idText.bytes(0, idText.count) : frame
            try encoder.frame(bytes, index: i + 1, more: i < frames.count - 1, to: output)
        }
        pendingEnds.append(writtenBytes + output.pendingBytes)
    }

    /// Whether output waits for stdout to take it.
    var hasBacklog: Bool { output.pendingBytes > 0 }

    /// Hands stdout what it takes now, without waiting.
    func writeOut() throws(Exit) {
        writtenBytes += try output.writeWithoutWaiting()
        while firstPending < pendingEnds.count && pendingEnds[firstPending] <= writtenBytes { firstPending += 1 }
        if firstPending == pendingEnds.count {
            pendingEnds.removeAll(keepingCapacity: true)
            firstPending = 0
        } else if firstPending >= 4096 {
            pendingEnds.removeFirst(firstPending)
            firstPending = 0
        }
    }

    // MARK: - Counting

    /// The loop sent `command` to the proxy, which will copy it to the capture socket.
    func sent(_ command: ProxyCommand) {
        expectedCopies.append(command)
        if command == .statistics { request = StatisticsRequest(droppedHereBefore: droppedHere) }
    }

    /// The proxy answered the STATISTICS request: `relayed` messages so far, both ways.
    func answered(relayed: Int) {
        request?.relayed = relayed
        request?.readAtAnswer = messagesRead
    }

    /// The messages dropped up to the proxy's answer, once it can be told: exactly when the
    /// request's copy has been read; otherwise (the copy itself was dropped) a lower bound once
    /// everything before it has surely been read: the socket was found empty, or more messages
    /// than its queue holds were read since the answer.
    func dropsAtAnswer() -> DropCount? {
        guard let request, let relayed = request.relayed else { return nil }
        let count: DropCount
        if let copy = request.copy {
            count = DropCount(messages: relayed - copy.read + copy.droppedHere, exact: true)
        } else if request.caughtUp || messagesRead - request.readAtAnswer > 2 * Int(CaptureTap.queueLimit) {
            if let i = expectedCopies.firstIndex(of: .statistics) { expectedCopies.remove(at: i) }
            let atLeast = max(0, relayed - relayedRead) + request.droppedHereBefore
            count = DropCount(messages: max(atLeast, lastReported), exact: false)
        } else {
            return nil
        }
        self.request = nil
        lastReported = count.messages
        return count
    }

    /// At the end, after the proxy has returned and `read` found the socket empty: how many of the
    /// `relayed` messages were dropped, and why.
    func dropsAtEnd(relayed: Int) -> CaptureDrops {
        CaptureDrops(fellBehind: max(0, relayed - relayedRead), slowReader: droppedHere + pendingMessages,
                     waiting: pendingMessages)
    }

    /// A lower bound when the proxy's last counters never came.
    var dropsSeen: Int { droppedHere + pendingMessages }
}
