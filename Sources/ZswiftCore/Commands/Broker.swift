// broker: libzmq's own proxy (zmq_proxy_steerable) between a frontend and a backend, on a helper
// thread. This thread prints what --capture copies, asks the proxy for its counters (--stats,
// SIGUSR1) and stops it through its control socket on SIGINT/SIGTERM.
import Glibc
import ZMQ
import CZMQ

enum BrokerCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let settings = invocation.broker!
        let (frontType, backType) = settings.mode.socketTypes
        try Session.resolveHosts(settings.frontends + settings.backends)
        let context = Context()
        let (front, frontPeers) = try Session.open(frontType, context: context, invocation: invocation,
                                                   diagnostics: diagnostics, endpoints: settings.frontends)
        let (back, backPeers) = try Session.open(backType, context: context, invocation: invocation,
                                                 diagnostics: diagnostics, endpoints: settings.backends)
        let relay: Relay
        do {
            relay = try Relay(context: context, front: front, back: back, capture: settings.capture)
        } catch {
            throw Exit.runtime("cannot set up the broker: \(error)")
        }
        Signals.statisticsReport = nil  // the broker asks its proxy instead, in its loop
        let loop = BrokerLoop(invocation: invocation, io: io, diagnostics: diagnostics, relay: relay,
                              peers: [frontPeers, backPeers])
        var ending: Exit?
        do throws(Exit) { try loop.run() } catch { ending = error }
        if invocation.stats { loop.finalStatistics() }
        relay.stop()
        if !(ending?.isSignal ?? false) { try? loop.output.flush() }
        for socket in [front, back] {
            try? socket.set(.linger, 0)
            socket.close()
        }
        frontPeers.monitor.stop()
        backPeers.monitor.stop()
        relay.close()
        context.terminate()
        if let ending { throw ending }
    }
}

/// The proxy thread and the inproc sockets it is steered and tapped through.
final class Relay {
    let control: Socket        // ours: sends PAUSE/RESUME/TERMINATE/STATISTICS
    let proxyControl: Socket   // the proxy's end
    let captureOut: Socket?    // the proxy copies every frame here
    let captureIn: Socket?     // ... and this thread reads them
    private let donePipe: [Int32]
    private var thread = pthread_t()
    private var running = false

    init(context: Context, front: Socket, back: Socket, capture: Bool) throws(ZMQError) {
        let name = "inproc://zswift.broker.\(UInt(bitPattern: front.handle))"
        proxyControl = try Socket(context, type: .pair)
        try proxyControl.bind(name + ".control")
        control = try Socket(context, type: .pair)
        try control.connect(name + ".control")
        if capture {
            let out = try Socket(context, type: .pair)
            try out.bind(name + ".capture")
            let reader = try Socket(context, type: .pair)
            try reader.connect(name + ".capture")
            captureOut = out
            captureIn = reader
        } else {
            captureOut = nil
            captureIn = nil
        }
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        donePipe = fds
        let job = UnsafeMutablePointer<Job>.allocate(capacity: 1)
        job.initialize(to: Job(front: front.handle, back: back.handle, capture: captureOut?.handle,
                               control: proxyControl.handle, done: fds[1]))
        let rc = pthread_create(&thread, nil, { arg in
            Signals.blockInThisThread()
            let job = arg!.assumingMemoryBound(to: Job.self)
            let j = job.pointee
            job.deallocate()
            _ = zmq_proxy_steerable(j.front, j.back, j.capture, j.control)
            var byte: UInt8 = 1
            _ = write(j.done, &byte, 1)
            return nil
        }, job)
        running = rc == 0
        if !running { job.deallocate() }
    }

    struct Job {
        let front: UnsafeMutableRawPointer
        let back: UnsafeMutableRawPointer
        let capture: UnsafeMutableRawPointer?
        let control: UnsafeMutableRawPointer
        let done: Int32
    }

    /// The read end of a pipe that becomes readable when the proxy has returned.
    var doneFD: Int32 { donePipe[0] }

    /// Asks the proxy to stop and waits (up to 2 s) for it to return.
    func stop() {
        guard running else { return }
        _ = try? control.send(Array("TERMINATE".utf8), flags: .dontWait)
        var p = pollfd(fd: donePipe[0], events: Int16(POLLIN), revents: 0)
        let deadline = Clock.now() + 2000
        var discard = Message()
        var done = false
        while Clock.now() < deadline {
            // the proxy may be blocked copying to a full capture: keep it moving until it stops
            if let reader = captureIn { while (try? reader.receive(&discard, dontWait: true)) == true {} }
            if Glibc.poll(&p, 1, 20) > 0 { done = true; break }
        }
        if done { pthread_join(thread, nil) } else { pthread_detach(thread) }  // exit anyway
        running = false
    }

    func close() {
        for socket in [control, proxyControl] + [captureOut, captureIn].compactMap({ $0 }) {
            try? socket.set(.linger, 0)
            socket.close()
        }
        Glibc.close(donePipe[0])
        Glibc.close(donePipe[1])
    }
}

/// The broker's own thread: capture output, statistics, signals.
final class BrokerLoop {
    let invocation: Invocation
    let io: StandardIO
    let diagnostics: Diagnostics
    let relay: Relay
    let peers: [Peers]
    let output: OutputWriter
    private var encoder: any MessageEncoder
    private let captured = ByteBuffer(capacity: 4096)
    private var ends: [Int] = []
    /// queue mode: clients whose last captured message was a request (the next is the reply).
    private var awaitingReply: Set<[UInt8]> = []
    private var counters: [UInt64] = Array(repeating: 0, count: 8)
    private var statisticsAsked = false
    /// Control commands sent and not yet seen again on the capture socket (libzmq 4.3.4's proxy
    /// copies each control message there).
    private var controlEchoes = 0

    init(invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, relay: Relay, peers: [Peers]) {
        self.invocation = invocation
        self.io = io
        self.diagnostics = diagnostics
        self.relay = relay
        self.peers = peers
        output = OutputWriter(fd: io.output)
        encoder = invocation.output.makeEncoder(diagnostics: diagnostics)
    }

    func run() throws(Exit) {
        var poller = Poller()
        let controlIndex = poller.add(relay.control, .readable)
        let doneIndex = poller.add(fd: relay.doneFD, .readable)
        let captureIndex = relay.captureIn.map { poller.add($0, .readable) }
        let monitorIndexes = peers.map { poller.add($0.monitor.socket, .readable) }
        let outputIndex = poller.add(fd: io.output, [])
        var nextStatistics = invocation.statsInterval.flatMap(\.milliseconds).map { Clock.now() + $0 }
        var message = Message()
        while true {
            try Signals.check()
            if Signals.takeStatisticsRequest() { askStatistics() }
            if let due = nextStatistics, Clock.now() >= due {
                askStatistics()
                nextStatistics = due + invocation.statsInterval!.milliseconds!
            }
            if let reader = relay.captureIn { try drainCapture(reader, &message) }
            try output.flush()
            let wait = nextStatistics.map { max(0, $0 - Clock.now()) } ?? 1000
            do { _ = try poller.poll(timeout: min(wait, 1000)) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(controlIndex).isEmpty { try readStatistics(&message) }
            if !poller.events(doneIndex).isEmpty {
                throw Exit.runtime("the proxy stopped: \(ZMQError.last)")
            }
            for (i, index) in monitorIndexes.enumerated() where !poller.events(index).isEmpty { try peers[i].drain() }
            if poller.events(outputIndex).contains(.error) && captureIndex != nil { throw Exit.outputClosed }
        }
    }

    // MARK: - Capture

    private func drainCapture(_ reader: Socket, _ message: inout Message) throws(Exit) {
        while true {
            let got: Bool
            do { got = try reader.receive(&message, dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw Exit.runtime("cannot read the capture: \(error)")
            }
            guard got else { return }
            captured.count = 0
            ends.removeAll(keepingCapacity: true)
            while true {
                captured.append(message.bytes)
                ends.append(captured.count)
                guard message.hasMore else { break }
                do { _ = try reader.receive(&message) } catch { throw Exit.runtime("cannot read the capture: \(error)") }
            }
            if controlEchoes > 0 && ends == [10] && memcmp(captured.base, "STATISTICS", 10) == 0 {
                controlEchoes -= 1  // our own request, not relayed traffic
                continue
            }
            try writeCaptured()
        }
    }

    /// The direction of a captured message: libzmq's proxy does not say, so it is read from the mode.
    private func direction(_ frames: [UnsafeRawBufferPointer]) -> UInt8 {
        switch invocation.broker!.mode {
        case .streamer:
            return UInt8(ascii: ">")
        case .forwarder:
            // subscriptions travel up from the XPUB backend: one frame starting with 1 or 0
            let first = frames[0]
            return frames.count == 1 && first.count > 0 && first[0] <= 1 ? UInt8(ascii: "<") : UInt8(ascii: ">")
        case .queue:
            // a client's request and its reply carry the same envelope; they alternate per client
            let client = Array(frames[0])
            if awaitingReply.remove(client) != nil { return UInt8(ascii: "<") }
            if awaitingReply.count >= 100_000 { awaitingReply.removeAll() }
            awaitingReply.insert(client)
            return UInt8(ascii: ">")
        }
    }

    private func writeCaptured() throws(Exit) {
        var frames: [UnsafeRawBufferPointer] = []
        var start = 0
        for end in ends {
            frames.append(captured.bytes(start, end))
            start = end
        }
        var arrow = direction(frames)
        let hexID = invocation.broker!.mode == .queue && invocation.output.format == .line
        let idText = ByteBuffer(capacity: 32)
        if hexID { Hex.encode(frames[0], into: idText) }
        try withUnsafeBytes(of: &arrow) { (a) throws(Exit) in
            try encoder.frame(a, index: 0, more: true, to: output)
        }
        for (i, frame) in frames.enumerated() {
            let bytes = i == 0 && hexID ? idText.bytes(0, idText.count) : frame
            try encoder.frame(bytes, index: i + 1, more: i < frames.count - 1, to: output)
        }
        try output.flushIfFull()
    }

    // MARK: - Statistics

    private func askStatistics() {
        guard !statisticsAsked else { return }
        statisticsAsked = (try? relay.control.send(Array("STATISTICS".utf8), flags: .dontWait)) ?? false
        if statisticsAsked && relay.captureIn != nil { controlEchoes += 1 }
    }

    private func readStatistics(_ message: inout Message) throws(Exit) {
        var values: [UInt64] = []
        while true {
            guard (try? relay.control.receive(&message, dontWait: true)) == true else { break }
            if message.count == 8 { values.append(message.bytes.loadUnaligned(as: UInt64.self)) }
            if !message.hasMore && values.count >= 8 { break }
        }
        statisticsAsked = false
        guard values.count == 8 else { return }
        counters = values
        printStatistics()
    }

    /// Asks the proxy for its counters one last time (bounded) and prints them.
    func finalStatistics() {
        var message = Message()
        if !statisticsAsked { askStatistics() }
        var poller = Poller()
        poller.add(relay.control, .readable)
        let deadline = Clock.now() + 1000
        while statisticsAsked && Clock.now() < deadline {
            if ((try? poller.poll(timeout: 100)) ?? 0) > 0 { try? readStatistics(&message) }
        }
    }

    /// Prints the per-direction counters: frontend to backend, backend to frontend.
    func printStatistics() {
        let c = counters
        diagnostics.note("frontend to backend: \(Session.count(Int(c[0]), "message")), \(Session.bytes(Int(c[1]))); backend to frontend: \(Session.count(Int(c[4]), "message")), \(Session.bytes(Int(c[5])))")
    }
}
