// What zswift says about its ZAP handler's decisions: under -v, each peer let in (as which user)
// and each refused (and why), a run of the same decision once every 5 s with its count; with
// --events json, one line per decision ("authenticated" or "refused"), folded to one a second per
// address and reason as monitor events are (Coalescer). The handler decides on its own thread;
// this reads its decisions on the run's.
import ZMQ

final class AccessReporter {
    let diagnostics: Diagnostics
    let json: Bool
    /// The moment "time" counts from, in Clock milliseconds.
    let origin: Int
    private var spoken = RepeatCounter()
    private var written = Coalescer<ZAPDecision, String>(window: 1000)

    init(diagnostics: Diagnostics, json: Bool, origin: Int = Clock.now()) {
        self.diagnostics = diagnostics
        self.json = json
        self.origin = origin
    }

    /// Says what `decision`, read at `now`, calls for.
    func report(_ decision: ZAPDecision, at now: Int) {
        guard decision.domain == securedDomain else { return }  // a socket the security flags leave out
        let key = "\(decision.allowed) \(decision.address) \(decision.mechanism) \(decision.userID) \(decision.reason)"
        if diagnostics.verbosity > 0, let count = spoken.count(key, at: now) {
            let text = AccessReporter.words(decision)
            diagnostics.info(count == 1 ? text : text + " (\(count) times)")
        }
        guard json, let line = written.admit(decision, key: key, at: now) else { return }
        write(line)
    }

    /// Writes the folded --events lines that are due at `now` (nil: all of them, at the end).
    func flush(at now: Int?) {
        for line in written.pending(at: now) { write(line) }
    }

    private func write(_ line: Coalescer<ZAPDecision, String>.Line) {
        diagnostics.line(AccessReporter.render(line.event, time: line.time - origin, repeated: line.repeated))
    }

    /// "let in 127.0.0.1 (CURVE, user id KEY): its key is in --curve-allow", or "refused ...".
    static func words(_ decision: ZAPDecision) -> String {
        let who = decision.address.isEmpty ? "a peer" : decision.address
        if decision.allowed {
            let user = decision.userID.isEmpty ? "" : ", user id \(decision.userID)"
            return "let in \(who) (\(decision.mechanism)\(user)): \(decision.reason)"
        }
        return "refused \(who) (\(decision.mechanism)): \(decision.reason)"
    }

    /// {"event":"refused","address":"10.1.2.3","mechanism":"CURVE","user_id":"","reason":"...","time":0.042}
    static func render(_ decision: ZAPDecision, time: Int, repeated: Int) -> String {
        let buffer = ByteBuffer(capacity: 192)
        func field(_ name: String, _ value: String) {
            buffer.append(Array(",\"\(name)\":".utf8))
            Array(value.utf8).withUnsafeBytes { JSONText.encodeString($0, into: buffer) }
        }
        buffer.append(Array("{\"event\":\"\(decision.allowed ? "authenticated" : "refused")\"".utf8))
        field("address", decision.address)
        field("mechanism", decision.mechanism)
        if decision.allowed && !decision.userID.isEmpty { field("user_id", decision.userID) }  // a refused key is in the reason
        field("reason", decision.reason)
        return EventsJSONReporter.closeLine(buffer, time: time, repeated: repeated)
    }
}

extension RunScope {
    /// Starts the ZAP handler when the security flags need one (before any socket exists, so that
    /// every handshake meets it), reports its decisions on the event loop, and stops it when the
    /// run ends, before the context does.
    func startAccessControl() throws(Exit) {
        guard let policy = invocation.security.policy else { return }
        let handler = try ZAPHandler.start(context: context, policy: policy)
        let reporter = AccessReporter(diagnostics: diagnostics, json: invocation.events != nil)
        let readAll = {
            while true {
                while let decision = handler.nextDecision() { reporter.report(decision, at: Clock.now()) }
                // ZMQ_EVENTS takes pending commands, so the fd signals again for the next one
                guard !handler.isStopped, handler.decisions.events.contains(.readable) else { return }
            }
        }
        _ = handler.decisions.events
        let watch = reactor.watch(handler.decisions, for: .readable) { (_) throws(Exit) -> Bool in
            readAll()
            return true
        }
        // folded --events lines go out on time, even when no further decision comes
        let tick = invocation.events == nil ? nil : reactor.timer(after: 250, repeating: true) { reporter.flush(at: Clock.now()) }
        onEnd { [unowned self] in
            readAll()
            reporter.flush(at: nil)
            reactor.remove(watch)
            if let tick { reactor.cancel(tick) }
            let dropped = handler.droppedDecisions
            if dropped > 0 { diagnostics.info("\(Words.count(dropped, "ZAP decision")) not reported: they came faster than they could be said") }
            handler.stop()
        }
    }
}
