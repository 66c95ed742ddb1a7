// The rules for broker's two sides and for the heartbeat a balancing broker and its workers
// exchange: one step of Invocation's init each.

extension Invocation {
    /// broker's frontend and backend: --frontend/--backend, else the first and second positional;
    /// each side binds unless --connect-frontend/--connect-backend.
    static func brokerSides(_ raw: RawArguments) throws(UsageError) -> BrokerSettings {
        var frontends = raw.frontends
        var backends = raw.backends
        var positionals = raw.positionals[...]
        if frontends.isEmpty, let first = positionals.popFirst() { frontends = [first] }
        if backends.isEmpty, let next = positionals.popFirst() { backends = [next] }
        if let extra = positionals.first {
            throw UsageError("broker takes a frontend and a backend; '\(extra)' is one too many", hint: "repeat --frontend or --backend to give a side several endpoints")
        }
        guard !frontends.isEmpty, !backends.isEmpty else {
            throw UsageError("broker needs a \(frontends.isEmpty ? "frontend" : "backend")",
                             hint: "zswift broker --frontend :5559 --backend :5560 (or the two as positional endpoints)")
        }
        var f: [Endpoint] = [], b: [Endpoint] = []
        for text in frontends { f.append(try Endpoint.parse(text, role: raw.connectFrontend ? .connect : .bind)) }
        for text in backends { b.append(try Endpoint.parse(text, role: raw.connectBackend ? .connect : .bind)) }
        return BrokerSettings(mode: raw.mode ?? .queue, frontends: f, backends: b, capture: raw.capture, heartbeat: raw.heartbeat)
    }

    /// --heartbeat 0 turns ZMTP heartbeats off, but a balancing broker and its workers would take
    /// each other for gone at once; under 10 ms, at the first delay.
    static func checkHeartbeat(_ raw: RawArguments, command: Command) throws(UsageError) {
        guard let heartbeat = raw.heartbeat, let ms = heartbeat.milliseconds, ms < 10 else { return }
        let peer: String? = switch command {
        case .worker: "the broker"
        case .broker where raw.mode == .lb || raw.mode == .majordomo: "every worker"
        default: nil
        }
        if let peer {
            throw UsageError(ms == 0 ? "--heartbeat 0 would take \(peer) for gone at once: it is how often they tell each other they are alive"
                                     : "--heartbeat \(heartbeat) is too short to tell a busy peer from a gone one: it is at least 10ms here",
                             hint: "leave --heartbeat out for the default (1s; majordomo 2.5s), or give an interval such as 500ms")
        }
    }
}
