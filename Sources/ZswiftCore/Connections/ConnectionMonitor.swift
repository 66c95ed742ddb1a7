// Reads a socket's monitor into a ConnectionTracker and hands each change to the reporters (-v
// text, --events json). The one piece of connection tracking that does I/O: it reads the monitor
// socket and the clock. Whoever waits calls drain() when the monitor is readable, tick(at:) by nextDue.
import ZMQ

final class ConnectionMonitor {
    let monitor: Monitor
    private(set) var tracker: ConnectionTracker
    private var verbose: VerboseReporter
    private var json: EventsJSONReporter?

    /// Starts watching `socket`; `refusesLegacy` when zswift set its ZAP domain to refuse ZMTP
    /// 1.0/2.0 peers. With `events`, every monitor event is also written as JSON.
    /// `refusalsExplained`: zswift's ZAP handler says why it refuses peers of this socket.
    init(socket: Socket, diagnostics: Diagnostics, events: EventsFormat?, refusesLegacy: Bool,
         refusalsExplained: Bool = false) throws(ZMQError) {
        let mechanism = (try? socket.mechanism) ?? .null
        let zapDomain = (try? socket.get(.zapDomain)) ?? ""
        tracker = ConnectionTracker(.init(type: socket.type, mechanism: mechanism,
                                          acceptsLegacy: mechanism == .null && zapDomain.isEmpty,
                                          refusesLegacy: refusesLegacy,
                                          isSecurityClient: mechanism != .null && !ConnectionMonitor.isServer(socket)),
                                    peerName: PeerSocket.peerAddress)
        monitor = try Monitor(socket)
        // an inproc reader's fd signals a new message only once the reader has looked and found
        // none: look now, so the first event already wakes a poll(2) on the monitor's ZMQ_FD
        _ = monitor.socket.events
        verbose = VerboseReporter(diagnostics: diagnostics)
        verbose.refusalsExplained = refusalsExplained
        verbose.socketType = socket.type
        verbose.mechanism = mechanism
        json = events.map { _ in EventsJSONReporter(diagnostics: diagnostics, origin: Clock.now()) }
    }

    /// Whether the socket is a CURVE or PLAIN server.
    static func isServer(_ socket: Socket) -> Bool {
        ((try? socket.get(.curveServer)) ?? false) || ((try? socket.get(.plainServer)) ?? false)
    }

    /// Handles every event that is waiting, then writes what is due; returns whether there were
    /// any events.
    @discardableResult
    func drain() throws(Exit) -> Bool {
        var any = false
        defer { if nextDue != nil { tick(at: Clock.now()) } }
        while true {
            let event: MonitorEvent?
            do { event = try monitor.receive(dontWait: true) } catch {
                if error == .interrupted { try Signals.check(); continue }
                return any
            }
            // an empty receive may have been throttled by libzmq; ZMQ_EVENTS takes every pending
            // command, so the monitor's fd signals again for the next event (edge-triggered)
            guard let event else {
                if monitor.socket.events.contains(.readable) { continue }
                return any
            }
            any = true
            handle(event, at: Clock.now())
        }
    }

    /// Takes one event read at `now`: the tracker's changes go to every reporter.
    func handle(_ event: MonitorEvent, at now: Int) {
        for change in tracker.handle(event, at: now) {
            verbose.report(change, at: now)
            json?.report(change, at: now)
        }
    }

    /// When a folded --events line is next due (Clock milliseconds); nil when none is waiting.
    var nextDue: Int? { json?.nextDue }

    /// Writes the folded --events lines due by `now`.
    func tick(at now: Int) { json?.tick(at: now) }

    /// Writes every folded --events line still held back (at the end of the run).
    func flush() { json?.flush() }

    /// Reports events on `resolved` under the endpoint as the user gave it.
    func name(_ resolved: String, as given: String) { tracker.name(resolved, as: given) }

    /// --max-msg-size on a receiving socket: its disconnections may be refusals of large frames.
    var maxMessageSize: Int64? {
        get { tracker.maxMessageSize }
        set { tracker.maxMessageSize = newValue }
    }
}
