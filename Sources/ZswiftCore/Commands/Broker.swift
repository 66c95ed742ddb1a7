// broker: libzmq's own proxy (zmq_proxy_steerable) between a frontend and a backend, on a helper
// thread. This thread writes what --capture copies (CaptureTap), asks the proxy for its counters
// (--stats, SIGUSR1) and stops it through its control socket on SIGINT/SIGTERM.
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
        let tap = relay.captureIn.map {
            CaptureTap(reader: $0, stdout: io.output, invocation: invocation, diagnostics: diagnostics)
        }
        let loop = BrokerLoop(invocation: invocation, io: io, diagnostics: diagnostics, relay: relay, tap: tap,
                              peers: [frontPeers, backPeers])
        var ending: Exit?
        do throws(Exit) { try loop.run() } catch { ending = error }
        loop.finish(outputClosed: ending.map { if case .outputClosed = $0 { true } else { false } } ?? false)
        for socket in [front, back] {
            try? socket.set(.linger, 0)
            socket.close()
        }
        for peers in [frontPeers, backPeers] { peers.flushCoalesced(); peers.monitor.stop() }
        relay.close()
        context.terminate()
        if let ending { throw ending }
    }
}

/// The proxy thread and the inproc sockets it is steered and tapped through.
final class Relay {
    let control: Socket        // ours: sends PAUSE/TERMINATE/STATISTICS
    let proxyControl: Socket   // the proxy's end
    let captureOut: Socket?    // the proxy copies every frame here: an XPUB, which drops instead of blocking
    let captureIn: Socket?     // ... and this thread reads them: a SUB
    private let donePipe: [Int32]
    private var thread = pthread_t()
    private(set) var running = false

    init(context: Context, front: Socket, back: Socket, capture: Bool) throws(ZMQError) {
        let name = "inproc://zswift.broker.\(UInt(bitPattern: front.handle))"
        proxyControl = try Socket(context, type: .pair)
        try proxyControl.bind(name + ".control")
        control = try Socket(context, type: .pair)
        try control.connect(name + ".control")
        if capture {
            let out = try Socket(context, type: .xpub)
            try out.set(.sendHighWaterMark, CaptureTap.queueLimit)  // before bind: inproc reads it then
            try out.bind(name + ".capture")
            let reader = try Socket(context, type: .sub)
            try reader.set(.receiveHighWaterMark, CaptureTap.queueLimit)
            try reader.set(.subscribe, [])
            try reader.connect(name + ".capture")
            // the XPUB drops what matches no subscription: start the proxy only once it has taken ours
            var poller = Poller()
            poller.add(out, .readable)
            var subscription = Message()
            guard try poller.poll(timeout: 1000) > 0, try out.receive(&subscription, dontWait: true) else {
                throw ZMQError.wouldBlock
            }
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

    /// Whether the proxy has returned (it never blocks on the capture, so it answers at once).
    var hasReturned: Bool {
        var p = pollfd(fd: donePipe[0], events: Int16(POLLIN), revents: 0)
        return !running || Glibc.poll(&p, 1, 0) > 0
    }

    /// Waits (up to 2 s) for the proxy to return after TERMINATE.
    func waitUntilStopped() {
        guard running else { return }
        var p = pollfd(fd: donePipe[0], events: Int16(POLLIN), revents: 0)
        let deadline = Clock.now() + 2000
        var done = false
        while !done && Clock.now() < deadline {
            done = Glibc.poll(&p, 1, Int32(max(1, deadline - Clock.now()))) > 0
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

/// The broker's own thread: capture output, statistics, signals. It never waits for stdout.
final class BrokerLoop {
    let invocation: Invocation
    let io: StandardIO
    let diagnostics: Diagnostics
    let relay: Relay
    let tap: CaptureTap?
    let peers: [Peers]
    private var statisticsAsked = false
    /// Counters that arrived and wait for the tap to tell how many captured messages were dropped.
    private var unprinted: [UInt64]?

    init(invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, relay: Relay, tap: CaptureTap?,
         peers: [Peers]) {
        self.invocation = invocation
        self.io = io
        self.diagnostics = diagnostics
        self.relay = relay
        self.tap = tap
        self.peers = peers
    }

    func run() throws(Exit) {
        var poller = Poller()
        let controlIndex = poller.add(relay.control, .readable)
        let doneIndex = poller.add(fd: relay.doneFD, .readable)
        if let tap { poller.add(tap.reader, .readable) }
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
            if let tap {
                try tap.read(&message)
                try tap.writeOut()
                if let counters = unprinted, let drops = tap.dropsAtAnswer() {
                    printStatistics(counters, capture: drops)
                    unprinted = nil
                }
                poller.setEvents(outputIndex, tap.hasBacklog ? .writable : [])
            }
            let wait = nextStatistics.map { max(0, $0 - Clock.now()) } ?? 1000
            do { _ = try poller.poll(timeout: peers.reduce(min(wait, 1000)) { $1.untilDue(cap: $0) }) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(controlIndex).isEmpty { readStatistics(&message) }
            if !poller.events(doneIndex).isEmpty {
                throw Exit.runtime("the proxy stopped: \(ZMQError.last)")
            }
            for (i, index) in monitorIndexes.enumerated() { if poller.events(index).isEmpty { peers[i].tick() } else { try peers[i].drain() } }
            if poller.events(outputIndex).contains(.error) && tap != nil { throw Exit.outputClosed }
        }
    }

    // MARK: - Statistics

    /// Sends a control command to the proxy (which copies it to the capture socket).
    private func command(_ name: String) -> Bool {
        let sent = (try? relay.control.send(Array(name.utf8), flags: .dontWait)) ?? false
        if sent { tap?.sent(name) }
        return sent
    }

    private func askStatistics() {
        guard !statisticsAsked && unprinted == nil else { return }
        statisticsAsked = command("STATISTICS")
    }

    /// An answer to STATISTICS if one has come: 8 frames of 8 bytes, nil for anything else.
    private func receiveAnswer(_ message: inout Message) -> [UInt64]? {
        var values: [UInt64] = []
        while (try? relay.control.receive(&message, dontWait: true)) == true {
            if message.count == 8 { values.append(message.bytes.loadUnaligned(as: UInt64.self)) }
            if !message.hasMore { return values.count == 8 ? values : nil }
        }
        return nil
    }

    private func readStatistics(_ message: inout Message) {
        guard let values = receiveAnswer(&message) else { return }
        statisticsAsked = false
        if let tap {
            tap.answered(relayed: relayed(values))
            unprinted = values  // printed once the tap can count its drops up to this answer
        } else {
            printStatistics(values, capture: nil)
        }
    }

    /// Messages relayed both ways.
    private func relayed(_ counters: [UInt64]) -> Int { Int(counters[0] + counters[4]) }

    /// Ends the run: pauses the proxy (nothing more is relayed), asks for its last counters (bounded),
    /// terminates it, writes what the capture still holds as far as stdout takes it without waiting,
    /// then prints the counters (--stats) and what the capture dropped.
    func finish(outputClosed: Bool) {
        var counters: [UInt64]?
        if !relay.hasReturned && (invocation.stats || tap != nil) {
            _ = command("PAUSE")
            let pending = statisticsAsked ? 1 : 0  // an answer to an earlier request comes first
            statisticsAsked = false
            if command("STATISTICS") { counters = lastStatistics(after: pending) }
        }
        if !relay.hasReturned { _ = command("TERMINATE") }
        relay.waitUntilStopped()
        var drops: CaptureDrops?
        if let tap, !outputClosed {
            var message = Message()
            while (try? tap.read(&message)) == false {}
            try? tap.writeOut()
            drops = counters.map { tap.dropsAtEnd(relayed: relayed($0)) }
            if drops == nil && tap.dropsSeen > 0 {
                diagnostics.note("capture: dropped at least \(Session.count(tap.dropsSeen, "message")): the reader of stdout was slower than the traffic")
            }
        }
        if invocation.stats, let counters {
            printStatistics(counters, capture: drops.map { DropCount(messages: $0.total, exact: true) })
        }
        if let drops, let counters, drops.total > 0 {
            diagnostics.note("capture: dropped \(drops.total) of \(Session.count(relayed(counters), "relayed message")): \(drops.reasons)")
        }
    }

    /// Reads answers from the proxy (up to 1 s) until the one after `earlier` others has come.
    private func lastStatistics(after earlier: Int) -> [UInt64]? {
        var message = Message()
        var poller = Poller()
        poller.add(relay.control, .readable)
        let deadline = Clock.now() + 1000
        var answers = 0
        while Clock.now() < deadline {
            guard ((try? poller.poll(timeout: 100)) ?? 0) > 0 else { continue }
            while let values = receiveAnswer(&message) {
                if answers == earlier { return values }
                answers += 1
            }
        }
        return nil
    }

    /// Prints the per-direction counters (frontend to backend, backend to frontend) and, with
    /// --capture, how many captured messages were dropped.
    func printStatistics(_ c: [UInt64], capture drops: DropCount?) {
        var line = "frontend to backend: \(Session.count(Int(c[0]), "message")), \(Session.bytes(Int(c[1]))); backend to frontend: \(Session.count(Int(c[4]), "message")), \(Session.bytes(Int(c[5])))"
        if let drops {
            line += "; capture: \(drops.exact ? "" : "at least ")\(Session.count(drops.messages, "message")) dropped"
        }
        diagnostics.note(line)
    }
}
