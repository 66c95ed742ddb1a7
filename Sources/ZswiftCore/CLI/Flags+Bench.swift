// bench's rows of the flag table. bench measures sockets of its own rather than the run's, so
// its -b, -c, -n and --format are rows of their own (the parser picks a row by command) with
// bench's meaning; --size and --transport are bench's alone.

extension Flag {
    static let bench: [Flag] = [
        /// -b/--bind (bench)
        Flag("bind", short: "b", value: "ENDPOINT", .endpoints, for: CommandSet(.bench),
             summary: "run the binding end of a split run at ENDPOINT",
             doc: "Runs one end of a split run, bound to ENDPOINT: thr receives and reports (as libzmq's local_thr, a PULL), lat echoes each request (as local_lat, a REP). :PORT means tcp://*:PORT.",
             completion: .endpoint) { raw, v throws(UsageError) in raw.binds.append(v.text) },
        /// -c/--connect (bench)
        Flag("connect", short: "c", value: "ENDPOINT", .endpoints, for: CommandSet(.bench),
             summary: "run the connecting end of a split run to ENDPOINT",
             doc: "Runs one end of a split run, connected to ENDPOINT: thr sends (as libzmq's remote_thr, a PUSH) and ends once every message is delivered; lat sends the requests, times each round trip and reports (as remote_lat, a REQ). :PORT means tcp://127.0.0.1:PORT.",
             completion: .endpoint) { raw, v throws(UsageError) in raw.connects.append(v.text) },
        /// --transport
        Flag("transport", value: "TRANSPORT", .endpoints, for: CommandSet(.bench),
             summary: "tcp (default, loopback), ipc or inproc for a run in one process",
             doc: "The transport between the two ends of a run in one process: tcp (127.0.0.1, a free port), ipc (a socket file in /tmp, removed afterwards) or inproc. A split run's transport is its endpoint's.",
             choices: BenchTransport.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let transport = BenchTransport(rawValue: v.text.lowercased()) else {
                throw UsageError("--transport: unknown transport '\(v.text)'", hint: "transports: tcp, ipc, inproc")
            }
            raw.benchTransport = transport
        },
        /// --size
        Flag("size", value: "BYTES", .messages, for: CommandSet(.bench),
             summary: "bytes in each message (default 100; suffixes k, M)",
             doc: "The size of each message (thr) or request and reply (lat), 0 or more bytes: 100 by default; 64k is 65536.") { raw, v throws(UsageError) in
            let size = try Values.bytes(v.text, flag: "size")
            guard size <= BenchSettings.largestSize else {
                throw UsageError("--size: \(v.text) is more than bench sends (at most 1G)", hint: "for example --size 64k")
            }
            raw.benchSize = Int(size)
        },
        /// -n/--count (bench)
        Flag("count", short: "n", value: "N", .messages, for: CommandSet(.bench),
             summary: "messages (thr, default 1000000) or round trips (lat, default 10000)",
             doc: "How many messages thr sends, or how many round trips lat makes. Both ends of a split run must be given the same count.") { raw, v throws(UsageError) in raw.count = try Values.count(v.text, flag: "count", minimum: 1) },
        /// --format (bench)
        Flag("format", short: "f", value: "FORMAT", .output, for: CommandSet(.bench),
             summary: "text (default): a summary for people; json: one object",
             doc: "bench's summary: text, a few lines for people, or json, one JSON object on one line with the keys mode, transport, size, messages, bytes, seconds, msgs_per_s, mb_per_s and, for lat, latency_us: an object with p50, p90, p99, p999, max and mean (microseconds per round trip).",
             choices: BenchFormat.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let format = BenchFormat(rawValue: v.text.lowercased()) else {
                throw UsageError("--format: bench reports as text or json, not '\(v.text)'", hint: "--format json")
            }
            raw.benchFormat = format
        },
    ]
}
