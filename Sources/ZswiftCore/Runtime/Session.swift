// One run of a socket command: the context, the socket with its options and endpoints, the peer
// tracker, stdin/stdout, and the waits every command shares (for peers, for a writable or
// readable socket, for delivery at the end). The commands in Commands/ are loops over this.
import Glibc
import ZMQ

/// Where a command's bytes go: real stdin/stdout/stderr, or pipes in tests.
public struct StandardIO: Sendable {
    public var input: Int32
    public var output: Int32
    public var error: Int32
    public init(input: Int32 = 0, output: Int32 = 1, error: Int32 = 2) {
        self.input = input
        self.output = output
        self.error = error
    }

    /// Puts /dev/null on whichever of fds 0, 1 and 2 the process was started without (`<&-`,
    /// `>&-`), so that no socket or pipe opened later lands there and is taken for stdin or stdout.
    /// It is opened in the direction that fails: reading the closed stdin or writing the closed
    /// stdout then reports "Bad file descriptor" instead of succeeding on the wrong file.
    public static func reserveStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}

/// The ZAP domain a bound socket sets so that libzmq refuses ZMTP 1.0/2.0 peers (zmq-facts.md).
let refusingDomain = "zswift"

final class Session {
    let invocation: Invocation
    let diagnostics: Diagnostics
    let io: StandardIO
    let context = Context()
    private(set) var socket: Socket
    private(set) var peers: Peers
    lazy var input: InputReader = {
        let reader = InputReader(fd: io.input)
        reader.recordLimit = invocation.inputBytes(in: invocation.input.format)
        reader.recordLimitName = invocation.inputLimitName
        return reader
    }()
    let output: OutputWriter
    var stats = Stats()
    private let socketType: SocketType
    private(set) var subscribers = SubscriberTally()
    var subscribersCounted: Int { subscribers.counted }

    /// receiveBlocking's poll(2) set, built once per socket.
    var waitFDs: [pollfd] = []
    var waitFDsSocket: Socket?

    init(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics, type: SocketType? = nil) throws(Exit) {
        self.invocation = invocation
        self.diagnostics = diagnostics
        self.io = io
        output = OutputWriter(fd: io.output)
        socketType = type ?? invocation.command.socketType
        try Session.resolveHosts(invocation.endpoints)
        (socket, peers) = try Session.open(socketType, context: context, invocation: invocation, diagnostics: diagnostics)
        Signals.statisticsReport = { [unowned self] in self.printStats(always: true) }
        if let every = invocation.statsInterval?.milliseconds { Signals.requestStatistics(every: every) }
    }

    /// Creates the socket with every option, its peer tracker, and its binds and connects.
    static func open(_ type: SocketType, context: Context, invocation: Invocation, diagnostics: Diagnostics,
                     endpoints: [Endpoint]? = nil, reopening: Bool = false) throws(Exit) -> (Socket, Peers) {
        let endpoints = endpoints ?? invocation.endpoints
        let socket: Socket
        do { socket = try Socket(context, type: type) } catch { throw Exit.runtime("cannot create a socket: \(error)") }
        let binds = endpoints.contains { $0.role == .bind }
        let peers: Peers
        do {
            if binds && !invocation.legacyZMTP { try socket.set(.zapDomain, refusingDomain) }
            try Session.apply(invocation.socket, to: socket, command: invocation.command)
        } catch {
            throw Exit.runtime("cannot set up the socket: \(error)")
        }
        try Session.apply(invocation.socket.custom, to: socket)  // -o last: it may override
        do {
            peers = try Peers(socket: socket, diagnostics: diagnostics, events: invocation.events,
                              refusesLegacy: binds && !invocation.legacyZMTP)
            if invocation.command.writesOutput { peers.maxMessageSize = invocation.socket.maxMessageSize }
            for endpoint in endpoints where endpoint.role == .connect {
                if let resolved = Session.resolvedAddress(endpoint, ipv6: invocation.socket.ipv6) {
                    peers.name(resolved, as: endpoint.address)
                }
            }
        } catch {
            throw Exit.runtime("cannot set up the socket: \(error)")
        }
        for endpoint in endpoints where endpoint.role == .bind {
            do throws(Exit) { try IPCPath.checkBindable(endpoint, reopening: reopening) } catch {
                socket.close()
                throw error
            }
            var attempts = 0
            while true {
                do { try socket.bind(endpoint.address); break } catch {
                    // libzmq binds *, addresses and interface names, not host names: resolve one
                    if error == .noDevice || error == .wouldBlock,
                       let resolved = Session.resolvedBindAddress(endpoint.address, ipv6: invocation.socket.ipv6),
                       (try? socket.bind(resolved)) != nil {
                        break
                    }
                    // a socket just closed may hold its address for a moment (Lazy Pirate reopen)
                    attempts += 1
                    if reopening && error == .addressInUse && attempts < 50 {
                        var p = pollfd()
                        _ = Glibc.poll(&p, 0, 20)
                        continue
                    }
                    socket.close()
                    throw Session.bindError(error, endpoint)
                }
            }
            if !reopening { diagnostics.info("bound to \(socket.lastEndpoint)") }
        }
        for endpoint in endpoints where endpoint.role == .connect {
            do { try socket.connect(endpoint.address) } catch {
                socket.close()
                throw Exit.runtime("cannot connect to \(endpoint.address): \(error)")
            }
            if !reopening { diagnostics.info("connecting to \(endpoint.address)") }
        }
        return (socket, peers)
    }

    /// Closes the socket, dropping what it queued, and opens a new one like it (the Lazy Pirate step).
    func reopen() throws(Exit) {
        peers.monitor.stop()
        try? socket.set(.linger, 0)
        socket.close()
        // connect in a rotated order: the first request of the new socket goes to the next server
        reopened += 1
        let binds = invocation.endpoints.filter { $0.role == .bind }
        let connects = invocation.endpoints.filter { $0.role == .connect }
        let shift = connects.isEmpty ? 0 : reopened % connects.count
        let endpoints = binds + connects[shift...] + connects[..<shift]
        (socket, peers) = try Session.open(socketType, context: context, invocation: invocation,
                                           diagnostics: diagnostics, endpoints: endpoints, reopening: true)
        if correlating { try correlateReplies() }
    }

    private var correlating = false
    private var reopened = 0

    /// A REQ reopened with the same --identity would be handed a late reply meant for the socket it
    /// replaced: ZMQ_REQ_CORRELATE tags each request with an id the reply must carry back (an extra
    /// envelope frame; REP and envelope-keeping ROUTER servers return it untouched).
    func correlateReplies() throws(Exit) {
        correlating = true
        do { try socket.set(.requestCorrelate, true) } catch { throw Exit.runtime("cannot set ZMQ_REQ_CORRELATE: \(error)") }
    }

    /// The endpoints as the user would name them in a message.
    var endpointNames: String { invocation.endpoints.map(\.address).joined(separator: ", ") }

    // MARK: - Setting up

    static func apply(_ settings: SocketSettings, to socket: Socket, command: Command) throws(ZMQError) {
        if let hwm = settings.sendHighWaterMark { try socket.set(.sendHighWaterMark, hwm) }
        if let hwm = settings.receiveHighWaterMark { try socket.set(.receiveHighWaterMark, hwm) }
        if let id = settings.identity { try socket.set(.routingID, id) }
        if settings.conflate { try socket.set(.conflate, true) }
        if command == .router { try socket.set(.routerMandatory, true) }
        if settings.immediate { try socket.set(.immediate, true) }
        if settings.ipv6 { try socket.set(.ipv6, true) }
        if let ivl = settings.reconnectInterval { try socket.set(.reconnectInterval, ivl.zmqMilliseconds) }
        if let hb = settings.heartbeat, let ms = hb.milliseconds {
            try socket.set(.heartbeatInterval, Int32(clamping: ms))
            try socket.set(.heartbeatTimeout, Int32(clamping: ms * 3))
            try socket.set(.heartbeatTTL, Int32(clamping: min(ms * 3, 6_553_500)))
        }
        // libzmq applies ZMQ_MAXMSGSIZE to handshake commands too: only a socket that receives gets it
        if let max = settings.maxMessageSize, command.writesOutput { try socket.set(.maxMessageSize, max) }
        if command == .sub {
            for prefix in settings.subscriptions.isEmpty ? [[]] : settings.subscriptions {
                try socket.set(.subscribe, prefix)
            }
        }
        // an XSUB subscribes by sending \x01PREFIX; it keeps them and sends them to every new peer
        if command == .xsub {
            for prefix in settings.subscriptions { _ = try socket.send([1] + prefix, flags: .dontWait) }
        }
    }

    /// Applies the -o settings. Invocation held them to the option table; one libzmq refuses all
    /// the same (EINVAL) is still the command line's mistake, so a usage error.
    static func apply(_ custom: [SocketOptionSetting], to socket: Socket) throws(Exit) {
        for setting in custom {
            do {
                try setting.bytes.withBytes { (raw) throws(ZMQError) in try socket.setRaw(setting.option.code, raw) }
            } catch {
                let refusal = setting.refused(on: socket.type)
                throw error == .invalidArgument ? .failed(.usage, refusal.message, hint: refusal.hint)
                    : .runtime("cannot set -o \(setting.text): \(error)")
            }
        }
    }

    /// Resolves connect hosts up front: libzmq would retry an unknown host for ever in silence.
    static func resolveHosts(_ endpoints: [Endpoint]) throws(Exit) {
        for endpoint in endpoints {
            guard let host = endpoint.hostToResolve else { continue }
            if case let .failure(failure) = lookUp(host, family: AF_UNSPEC) {
                throw Exit.runtime("unknown host '\(host)' in \(endpoint.address): \(failure.reason)",
                                   hint: "check the name, or give an IP address")
            }
        }
    }

    struct LookupFailure: Error { let reason: String }

    /// The first address `host` resolves to, in numeric form ("127.0.0.1", "[::1]").
    static func lookUp(_ host: String, family: Int32) -> Result<String, LookupFailure> {
        var hints = addrinfo()
        hints.ai_family = family
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(host, nil, &hints, &result)
        guard rc == 0, let first = result else { return .failure(LookupFailure(reason: String(cString: gai_strerror(rc)))) }
        defer { freeaddrinfo(result) }
        var name = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let named = getnameinfo(first.pointee.ai_addr, first.pointee.ai_addrlen, &name, socklen_t(name.count), nil, 0, NI_NUMERICHOST)
        guard named == 0 else { return .failure(LookupFailure(reason: String(cString: gai_strerror(named)))) }
        let numeric = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return .success(first.pointee.ai_family == AF_INET6 ? "[\(numeric)]" : numeric)
    }

    /// A connect endpoint's address with its host name resolved, as libzmq names it in events.
    static func resolvedAddress(_ endpoint: Endpoint, ipv6: Bool) -> String? {
        guard let host = endpoint.hostToResolve, let range = endpoint.address.firstRange(of: "//" + host + ":"),
              case let .success(numeric) = lookUp(host, family: ipv6 ? AF_UNSPEC : AF_INET) else { return nil }
        return String(endpoint.address[..<range.lowerBound]) + "//" + numeric + ":" + endpoint.address[range.upperBound...]
    }

    /// A tcp or ws bind address with its host name resolved to a numeric address
    /// (tcp://localhost:5555 -> tcp://127.0.0.1:5555), or nil when the host does not resolve.
    static func resolvedBindAddress(_ address: String, ipv6: Bool) -> String? {
        guard let schemeEnd = address.firstRange(of: "://") else { return nil }
        let scheme = String(address[..<schemeEnd.lowerBound])
        guard ["tcp", "ws", "wss"].contains(scheme) else { return nil }
        var hostPort = address[schemeEnd.upperBound...]
        var path = ""
        if scheme != "tcp", let slash = hostPort.firstIndex(of: "/") {
            path = String(hostPort[slash...])
            hostPort = hostPort[..<slash]
        }
        guard !hostPort.hasPrefix("["), !hostPort.contains(";"), let colon = hostPort.lastIndex(of: ":") else { return nil }
        let host = String(hostPort[..<colon])
        guard !host.isEmpty, host != "*", case let .success(numeric) = lookUp(host, family: ipv6 ? AF_UNSPEC : AF_INET) else {
            return nil
        }
        return "\(scheme)://\(numeric)\(hostPort[colon...])\(path)"
    }

    static func bindError(_ error: ZMQError, _ endpoint: Endpoint) -> Exit {
        let address = endpoint.address
        switch error {
        case .addressInUse:
            return .runtime("address already in use: \(address)",
                            hint: address.hasPrefix("ipc://") ? "another process has it; pick another path" : "another process has it; pick another port, or * for any free one")
        case .addressNotAvailable:
            return .runtime("address not available on this machine: \(address)", hint: "bind an address of this machine, or * for all")
        case .noDevice:
            return .runtime("no such interface, address or host name: \(address)", hint: "bind an address of this machine, or * for all")
        case .permissionDenied:
            return .runtime("permission denied: \(address)",
                            hint: address.hasPrefix("tcp") ? "ports below 1024 need privileges"
                                : address.hasPrefix("ipc://") ? "an ipc path must be in a directory you can write" : nil)
        case .protocolNotSupported:
            return .runtime("this libzmq has no transport for \(address)")
        case .wouldBlock where address.hasPrefix("tcp://") || address.hasPrefix("ws"):
            return .runtime("cannot bind \(address): a bind address is *, an IP address, an interface name or a host name of this machine",
                            hint: "bind 127.0.0.1 for this machine only, or * (:PORT) for every interface")
        default:
            if error.code == ENOENT {
                return .runtime("cannot bind \(address): its directory does not exist")
            }
            return .runtime("cannot bind \(address): \(error)")
        }
    }

    // MARK: - Waiting

    /// Waits for something on the socket (`events`), handling monitor events, signals, a reader
    /// that left stdout (when `watchOutput`), and the deadline. Returns false when the deadline
    /// passed first.
    func wait(for events: PollEvents, until deadline: Deadline, watchOutput: Bool = false) throws(Exit) -> Bool {
        var poller = Poller()
        poller.add(socket, events)
        let monitorIndex = poller.add(peers.monitor.socket, .readable)
        let outputIndex = watchOutput ? poller.add(fd: io.output, []) : -1
        let wakeIndex = poller.add(fd: Signals.wakeFD, .readable)  // a signal just after the check still wakes us
        while true {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed { return false }
            do {
                _ = try poller.poll(timeout: deadline.remaining(cap: peers.untilDue(cap: 1000)))
            } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            if !poller.events(monitorIndex).isEmpty { try peers.drain() } else { peers.tick() }
            if outputIndex >= 0, poller.events(outputIndex).contains(.error) { throw Exit.outputClosed }
            if !poller.events(wakeIndex).isEmpty { Signals.drainWake() }
            if !poller.events(0).isEmpty { return true }
        }
    }

    /// Sleeps for `interval`, still answering signals and monitor events.
    func pause(_ interval: Interval) throws(Exit) {
        let deadline = Deadline(after: interval)
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        while !deadline.hasPassed {
            try Signals.check()
            do { _ = try poller.poll(timeout: deadline.remaining(cap: peers.untilDue(cap: 1000))) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            try peers.drain()
        }
    }

    /// Ends the run when a connect endpoint's handshake cannot succeed: status 4 for security,
    /// 1 for an incompatible peer (libzmq would retry or drop the messages in silence).
    func checkSecurity() throws(Exit) {
        if let failure = peers.fatalHandshake {
            throw Exit.failed(failure.status, "handshake with \(failure.endpoint) failed: \(failure.reason)",
                              hint: failure.status == .security ? "both sides must use the same mechanism and keys" : nil)
        }
    }

    /// Counts a subscription message toward --wait-subscribers (see SubscriberTally).
    func countSubscription() throws(Exit) -> Bool {
        try subscribers.subscription { (refresh) throws(Exit) in
            if refresh { try peers.drain() }
            return peers.handshakes
        }
    }

    /// Hands the --data/--file `message` to `body` once, --count times, or every --interval.
    func repeatFixed(_ message: [[UInt8]], _ body: ([UnsafeRawBufferPointer], Int) throws(Exit) -> Void) throws(Exit) {
        let times = invocation.count ?? (invocation.interval == nil ? 1 : Int.max)
        var sent = 0
        while sent < times {
            try message.withFramePointers { (frames) throws(Exit) in try body(frames, sent + 1) }
            sent += 1
            if sent < times, let interval = invocation.interval { try pause(interval) }
        }
    }

    /// Holds the first send until `count` peers completed their handshake (--wait-peers).
    func waitForPeers(_ count: Int) throws(Exit) {
        let deadline = Deadline(after: invocation.timeout)
        var noticed = false
        let started = Clock.now()
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        try peers.drain()
        while peers.ready < count {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed {
                throw Exit.timeout("\(peers.ready) of \(count) peer\(count == 1 ? "" : "s") connected within --timeout \(invocation.timeout!)")
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for \(count - peers.ready) more peer\(count - peers.ready == 1 ? "" : "s") (--wait-peers \(count))")
            }
            do { _ = try poller.poll(timeout: deadline.remaining(cap: peers.untilDue(cap: 1000))) } catch {
                if error == .interrupted { continue }
                throw Exit.runtime("poll failed: \(error)")
            }
            try peers.drain()
        }
    }

    // MARK: - Sending

    /// Sends one message, waiting (bounded by --timeout) while the socket cannot take it.
    @inline(__always)
    func send(_ frames: [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        var next = try sendFrames(frames, from: 0, record: record)
        if next == frames.count { return }
        let deadline = Deadline(after: invocation.timeout)
        while next < frames.count {
            guard try wait(for: .writable, until: deadline) else {
                throw Exit.timeout("could not send message \(record) within --timeout \(invocation.timeout!): "
                                   + (peers.ready == 0 ? "no peer is connected" : "the peers are not taking messages"))
            }
            next = try sendFrames(frames, from: next, record: record)
        }
    }

    /// Sends frames from `start` on without blocking; returns the index of the first frame not
    /// sent (`frames.count` when the message is complete).
    @inline(__always)
    func sendFrames(_ frames: [UnsafeRawBufferPointer], from start: Int, record: Int) throws(Exit) -> Int {
        let last = frames.count - 1
        if start == 0, let max = invocation.socket.maxMessageSize {
            for frame in frames where frame.count > max {
                throw Exit.badInput("message \(record) has a frame of \(frame.count) bytes, over --max-msg-size \(max)")
            }
        }
        if start == 0 && frames.count > 1 && invocation.socket.conflate {
            diagnostics.warnOnce("conflate", "message \(record) has \(frames.count) frames, but --conflate keeps single-frame messages only: libzmq queues just one of its frames; drop --conflate to send multipart messages")
        }
        var i = start
        while i <= last {
            let frame = frames[i]
            let sent: Bool
            do { sent = try socket.send(frame, flags: i < last ? [.dontWait, .more] : .dontWait) } catch {
                if error == .interrupted { try Signals.check(); continue }
                throw sendError(error, record: record)
            }
            if !sent { return i }
            stats.sentBytes += frame.count
            i += 1
        }
        stats.sentMessages += 1
        stats.noteActivity()
        if diagnostics.verbosity >= 2 { diagnostics.trace("sent " + Session.describe(frames)) }
        return i
    }

    func sendError(_ error: ZMQError, record: Int) -> Exit {
        if error == .hostUnreachable {
            return .unroutable("message \(record): no connected peer has that routing id")
        }
        return .runtime("cannot send message \(record): \(error)")
    }

    /// "2 frames, 11 bytes: "hello" "world"" for -vv traces.
    static func describe(_ frames: [UnsafeRawBufferPointer]) -> String {
        let total = frames.reduce(0) { $0 + $1.count }
        let preview = ByteBuffer(capacity: 80)
        for (i, frame) in frames.prefix(4).enumerated() {
            if i > 0 { preview.append(32) }
            Quoted.encode(UnsafeRawBufferPointer(rebasing: frame.prefix(32)), into: preview)
            if frame.count > 32 { preview.append("...") }
        }
        if frames.count > 4 { preview.append(" ...") }
        let shown = String(decoding: preview.bytes(0, preview.count), as: UTF8.self)
        return "\(frames.count) frame\(frames.count == 1 ? "" : "s"), \(total) bytes: \(shown)"
    }

    // MARK: - Ending

    /// At end of input: waits until what was sent has left this process, bounded by --linger
    /// (zmq-facts: libzmq may drop its last batch at close while the kernel buffer is full, so the
    /// kernel queues must be empty before the socket closes), then closes and terminates.
    func deliver() throws(Exit) {
        let linger = invocation.linger
        if linger.milliseconds == 0 {
            if stats.sentMessages > 0 {
                stats.delivery = peers.everReady ? .uncertain("--linger 0 dropped at exit whatever the peers had not taken yet")
                                                 : .dropped("no peer took them before --linger 0 closed the socket")
            }
            try? socket.set(.linger, 0)
            finish()
            return
        }
        var deadline = Deadline(after: linger)
        // bounded by --timeout, the wait is for progress, as every other --timeout is: it restarts
        // whenever the peers take more of the queue
        var lastQueued = -1
        let started = Clock.now()
        var noticed = false
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        var emptyChecks = 0
        var checks = 0
        try peers.drain()
        // what a connect-side sender queued goes nowhere until a handshake succeeds, and a failed
        // one must end the run as such: wait for the outcome before the kernel queues are checked
        // (a PUB drops by design: only sockets that queue for a peer wait). A ZMTP 1.0/2.0 peer has
        // no handshake event: a connection that may be one ends the wait too, and terminate() goes
        // on watching for a failed handshake until libzmq has handed everything over.
        let connectEndpoints = invocation.endpoints.filter { $0.role == .connect }.map(\.address)
        let queues = [SocketType.push, .pair, .dealer, .xsub].contains(socket.type)
        while queues && !connectEndpoints.isEmpty && stats.sentMessages > 0 && !peers.everReady && !peers.mayHaveLegacyPeer {
            try Signals.check()
            try checkSecurity()
            if deadline.hasPassed {
                let why = "no peer completed the handshake at \(connectEndpoints.joined(separator: ", "))"
                stats.delivery = .dropped(why + " within \(invocation.lingerSource) \(linger)")
                throw Exit.timeout("\(invocation.lingerSource) \(linger) ran out with messages undelivered: " + why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for a peer at \(connectEndpoints.joined(separator: ", ")) to take the queued messages (\(lingerBound))")
            }
            // a connection with no handshake event becomes a possible ZMTP 1.0/2.0 peer in time
            do { _ = try poller.poll(timeout: deadline.remaining(cap: peers.connections.isEmpty ? 250 : 25)) } catch {
                if error == .interrupted { continue }
            }
            try peers.drain()
        }
        while emptyChecks < 2 {
            try checkSecurity()
            try Signals.check()
            let queued = peers.kernelQueued()
            if invocation.lingerIsTimeout && queued != lastQueued { deadline = Deadline(after: linger) }
            lastQueued = queued
            if queued == 0 {
                emptyChecks += 1
                if emptyChecks == 2 || peers.fds.isEmpty { break }
            } else {
                emptyChecks = 0
            }
            if deadline.hasPassed {
                let why = "\(invocation.lingerSource) \(linger) ran out with \(queued) bytes not yet taken by \(peers.fds.count) peer\(peers.fds.count == 1 ? "" : "s")"
                stats.delivery = .uncertain(why)
                throw Exit.timeout(why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for \(peers.fds.count) peer\(peers.fds.count == 1 ? "" : "s") to take \(queued) queued bytes (\(lingerBound))")
            }
            // look again soon (the queue usually drains in a few milliseconds), less often on a long drain
            checks += 1
            do { _ = try poller.poll(timeout: deadline.remaining(cap: queued == 0 ? 1 : min(checks, 10))) } catch {
                if error == .interrupted { continue }
            }
            try peers.drain()
        }
        // a connect-side PUB keeps the pipe of a subscriber that has gone, for a reconnect that may
        // never come: with no subscriber connected, what is left is dropped, as a PUB does by design
        if (socket.type == .pub || socket.type == .xpub) && peers.fds.isEmpty {
            if peers.everReady { diagnostics.info("no subscriber is connected any more: what was queued for one that left is dropped (a PUB drops by design)") }
            stats.delivery = .delivered  // to the subscribers there were: a PUB claims no more
            finish()
            return
        }
        // libzmq lingers without limit: only the deadline decides, so "delivered" can never be a
        // tie between libzmq's timer and ours
        try? socket.set(.linger, -1)
        try terminate(until: deadline, started: started, noticed: noticed)
        stats.delivery = .delivered
    }

    /// What bounds the wait at end of input, for the notice given while it lasts.
    private var lingerBound: String {
        invocation.linger == .forever ? "--linger bounds this; Ctrl-C gives up"
            : "for up to \(invocation.lingerSource) \(invocation.linger); Ctrl-C gives up"
    }

    /// Closes the socket and waits for libzmq to hand over what it still queues: the socket is gone
    /// (MONITOR_STOPPED) once every session has, and until then its monitor still reports a
    /// handshake that fails. Then terminates the context (zmq_ctx_term, on a helper thread so that
    /// this one can report, time out and answer signals).
    private func terminate(until deadline: Deadline, started: Int, noticed: Bool) throws(Exit) {
        let endpoints = invocation.endpoints.filter { $0.role == .connect }.map(\.address)
        socket.close()
        var poller = Poller()
        poller.add(peers.monitor.socket, .readable)
        var done: ContextTerminator?
        defer { done?.close() }
        var noticed = noticed
        while true {
            if let done {
                if done.isFinished(waitingUpTo: deadline.remaining(cap: 250)) { break }
            } else {
                try peers.drain()
                try checkSecurity()
                if peers.socketGone {
                    peers.flushCoalesced()
                    peers.monitor.stop()
                    done = ContextTerminator.start(context)
                    continue
                }
                do { _ = try poller.poll(timeout: deadline.remaining(cap: 250)) } catch {
                    if error != .interrupted { throw Exit.runtime("poll failed: \(error)") }
                }
            }
            try Signals.check()
            if deadline.hasPassed {
                let why = "\(invocation.lingerSource) \(invocation.linger) ran out with messages undelivered"
                    + (endpoints.isEmpty ? "" : " to " + endpoints.joined(separator: ", "))
                stats.delivery = .uncertain(why)
                throw Exit.timeout(why)
            }
            if !noticed && Clock.now() - started >= 1000 {
                noticed = true
                diagnostics.note("waiting for a peer to take the queued messages"
                                 + (endpoints.isEmpty ? "" : " at " + endpoints.joined(separator: ", "))
                                 + " (\(lingerBound))")
            }
        }
    }

    /// Closes without waiting for anything (receivers, and after --linger 0).
    func finish() {
        abandon()
    }

    /// Drops whatever is still queued and closes (on errors: nothing may block the exit).
    func abandon() {
        stats.endUnconfirmed("the run ended before delivery was confirmed")
        if Signals.pending == 0 { _ = try? peers.drain() }  // what -v and --events have not said yet
        peers.flushCoalesced()
        // closed by terminate() already, lingering: zmq_ctx_term would wait for the peer, so it
        // runs on a helper thread that the exit leaves behind
        let lingering = socket.isClosed
        if !lingering { try? socket.set(.linger, 0) }
        peers.monitor.stop()
        socket.close()
        if lingering { ContextTerminator.start(context).close() } else { context.terminate() }
    }

    func printStats(always: Bool = false) {
        guard invocation.stats || always else { return }
        diagnostics.note(stats.summary(sends: invocation.command.readsInput, receives: invocation.command.writesOutput,
                                       publishes: socket.type == .pub || socket.type == .xpub))
    }

    static func format(_ value: Double) -> String {
        if value >= 100 { return String(Int(value.rounded())) }
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(String(hundredths % 100).leftPadded(2))"
    }

    /// "1 message", "2 messages".
    static func count(_ n: Int, _ noun: String) -> String { "\(n) \(noun)\(n == 1 ? "" : "s")" }

    static func bytes(_ n: Int) -> String {
        if n < 1024 { return count(n, "byte") }
        if n < 1 << 20 { return format(Double(n) / 1024) + " KiB" }
        if n < 1 << 30 { return format(Double(n) / 1048576) + " MiB" }
        return format(Double(n) / 1073741824) + " GiB"
    }
}
