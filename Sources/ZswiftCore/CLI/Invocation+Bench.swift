// bench's part of the command line: the mode (the first positional), the message size and count,
// and where it runs: both ends in this process over a transport, one end of a split run (-b or
// -c, one endpoint), or, for req, push and pub, load on a running service (LoadPlan).

/// What bench measures.
enum BenchMode: String, CaseIterable, Sendable {
    case thr, lat, req, push, pub

    /// Whether the mode loads a running service (req, push, pub) rather than timing two ends of its own.
    var loads: Bool { self == .req || self == .push || self == .pub }
}

/// How bench reports (--format).
enum BenchFormat: String, CaseIterable, Sendable { case text, json }

/// The transport between the two ends of a run in one process (--transport).
enum BenchTransport: String, CaseIterable, Sendable { case tcp, ipc, inproc }

/// Which end(s) of the test this process runs.
enum BenchEnd: Equatable, Sendable {
    /// Both, on two threads, over a transport.
    case both(BenchTransport)
    /// The binding end of a split run (thr receives and reports, lat echoes), or of a load run.
    case bound(Endpoint)
    /// The connecting end (thr sends, lat measures and reports), or of a load run.
    case connected(Endpoint)

    var endpoint: Endpoint? {
        switch self {
        case .both: nil
        case let .bound(e), let .connected(e): e
        }
    }
}

/// What bench does.
struct BenchSettings: Sendable {
    var mode: BenchMode
    var size: Int
    var count: Int
    var end: BenchEnd
    var format: BenchFormat
    /// -t: how long a split run waits for its peer and for each message (nil: for ever, as
    /// libzmq's perf programs).
    var timeout: Interval?
    /// The load run's plan (req, push, pub only).
    var load: LoadPlan?

    static let defaultSize = 100
    static let largestSize: Int64 = 1 << 30
    static func defaultCount(_ mode: BenchMode) -> Int { mode == .thr ? 1_000_000 : 10_000 }
    static let modesInWords = "thr (throughput), lat (latency), req, push or pub (load on a service)"

    init(_ raw: RawArguments) throws(UsageError) {
        guard let word = raw.positionals.first else {
            throw UsageError("bench needs a mode: thr, lat, req, push or pub",
                             hint: "for example: zswift bench thr, zswift bench lat, or zswift bench req -c :5555")
        }
        guard let mode = BenchMode(rawValue: word) else {
            let near = NearMiss.suggestion(for: word, among: BenchMode.allCases.map(\.rawValue))
            throw UsageError("bench: unknown mode '\(word)'", hint: near.map { "did you mean \($0)?" } ?? "modes: " + BenchSettings.modesInWords)
        }
        if raw.positionals.count > 1 {
            throw UsageError("bench takes one mode, not '\(raw.positionals[1])' too", hint: "an endpoint goes after -b or -c")
        }
        self.mode = mode
        size = raw.benchSize ?? (raw.data.isEmpty ? BenchSettings.defaultSize : raw.data.reduce(0) { $0 + $1.count })
        format = raw.benchFormat ?? .text
        timeout = raw.timeout
        end = try BenchSettings.end(raw, mode)
        if raw.service != nil && mode != .req {
            throw UsageError("--service is for bench req (a Majordomo client's requests), not bench \(mode.rawValue)",
                             hint: "zswift bench req -c BROKER --service NAME")
        }
        if mode.loads {
            count = raw.count ?? 0
            load = try LoadPlan(raw, size: size, binds: raw.binds.count == 1)
        } else {
            count = raw.count ?? BenchSettings.defaultCount(mode)
            try BenchSettings.refuseLoadFlags(raw, mode)
        }
    }

    /// -b, -c or --transport: one of them at most, and one endpoint; a load run needs one.
    static func end(_ raw: RawArguments, _ mode: BenchMode) throws(UsageError) -> BenchEnd {
        let given = raw.binds.count + raw.connects.count
        if given > 1 {
            throw UsageError(mode.loads ? "bench \(mode.rawValue) loads one endpoint: give one -b or one -c"
                                        : "bench runs one end of a split run: give one -b or one -c",
                             hint: mode.loads ? "--clients N opens N connections to it" : "run the other end in another process")
        }
        if given == 1 || mode.loads, raw.benchTransport != nil {
            throw UsageError("--transport is for a run in one process; a split run's transport is its endpoint's",
                             hint: "drop --transport, or drop -b/-c to run both ends here")
        }
        if let text = raw.binds.first { return .bound(try Endpoint.parse(text, role: .bind)) }
        if let text = raw.connects.first { return .connected(try Endpoint.parse(text, role: .connect)) }
        if mode.loads {
            throw UsageError("bench \(mode.rawValue) loads a running service: give its endpoint with -c (or -b for one that connects)",
                             hint: "for example: zswift bench \(mode.rawValue) -c localhost:5555")
        }
        return .both(raw.benchTransport ?? .tcp)
    }

    /// --rate, --duration, --clients and --data are for load runs.
    static func refuseLoadFlags(_ raw: RawArguments, _ mode: BenchMode) throws(UsageError) {
        let given = [("--rate", raw.benchRate != nil), ("--duration", raw.benchDuration != nil),
                     ("--clients", raw.benchClients != nil), ("--data", !raw.data.isEmpty)]
        if let (flag, _) = given.first(where: { $0.1 }) {
            throw UsageError("\(flag) is for load runs (bench req, push, pub), not bench \(mode.rawValue)",
                             hint: "bench \(mode.rawValue) takes --size, --count and --transport")
        }
    }
}
