// bench's part of the command line: the mode (thr or lat, the first positional), the message
// size and count, and where it runs: both ends in this process over a transport, or one end of a
// split run (-b or -c, one endpoint).

/// What bench measures.
enum BenchMode: String, CaseIterable, Sendable { case thr, lat }

/// How bench reports (--format).
enum BenchFormat: String, CaseIterable, Sendable { case text, json }

/// The transport between the two ends of a run in one process (--transport).
enum BenchTransport: String, CaseIterable, Sendable { case tcp, ipc, inproc }

/// Which end(s) of the test this process runs.
enum BenchEnd: Equatable, Sendable {
    /// Both, on two threads, over a transport.
    case both(BenchTransport)
    /// The binding end of a split run: thr receives and reports, lat echoes.
    case bound(Endpoint)
    /// The connecting end: thr sends, lat measures and reports.
    case connected(Endpoint)
}

/// What bench does.
struct BenchSettings: Sendable {
    var mode: BenchMode
    var size: Int
    var count: Int
    var end: BenchEnd
    var format: BenchFormat

    static let defaultSize = 100
    static let largestSize: Int64 = 1 << 30
    static func defaultCount(_ mode: BenchMode) -> Int { mode == .thr ? 1_000_000 : 10_000 }

    init(_ raw: RawArguments) throws(UsageError) {
        guard let word = raw.positionals.first else {
            throw UsageError("bench needs a mode: thr or lat", hint: "for example: zswift bench thr, or zswift bench lat")
        }
        guard let mode = BenchMode(rawValue: word) else {
            let near = NearMiss.suggestion(for: word, among: BenchMode.allCases.map(\.rawValue))
            throw UsageError("bench: unknown mode '\(word)'", hint: near.map { "did you mean \($0)?" } ?? "modes: thr (throughput), lat (latency)")
        }
        if raw.positionals.count > 1 {
            throw UsageError("bench takes one mode, not '\(raw.positionals[1])' too", hint: "a split run's endpoint goes after -b or -c")
        }
        self.mode = mode
        size = raw.benchSize ?? BenchSettings.defaultSize
        count = raw.count ?? BenchSettings.defaultCount(mode)
        format = raw.benchFormat ?? .text
        end = try BenchSettings.end(raw)
    }

    /// -b, -c or --transport: one of them at most, and one endpoint.
    static func end(_ raw: RawArguments) throws(UsageError) -> BenchEnd {
        let given = raw.binds.count + raw.connects.count
        if given > 1 {
            throw UsageError("bench runs one end of a split run: give one -b or one -c", hint: "run the other end in another process")
        }
        if given == 1, raw.benchTransport != nil {
            throw UsageError("--transport is for a run in one process; a split run's transport is its endpoint's",
                             hint: "drop --transport, or drop -b/-c to run both ends here")
        }
        if let text = raw.binds.first { return .bound(try Endpoint.parse(text, role: .bind)) }
        if let text = raw.connects.first { return .connected(try Endpoint.parse(text, role: .connect)) }
        return .both(raw.benchTransport ?? .tcp)
    }
}
