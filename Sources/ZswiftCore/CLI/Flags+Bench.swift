// bench's rows of the flag table. bench measures sockets of its own rather than the run's, so
// its -b, -c, -n and --format are rows of their own (the parser picks a row by command) with
// bench's meaning; --size, --transport and the load flags (--rate, --duration, --clients) are
// bench's alone.

extension Flag {
    static let bench: [Flag] = [
        /// -b/--bind (bench)
        Flag("bind", short: "b", value: "ENDPOINT", .endpoints, for: CommandSet(.bench),
             summary: "run the binding end of a split run, or load from a bound socket",
             doc: "Runs one end of a split run, bound to ENDPOINT: thr receives and reports (as libzmq's local_thr, a PULL), lat echoes each request (as local_lat, a REP). bench req, push and pub bind their one socket to ENDPOINT and load the service that connects. :PORT means tcp://*:PORT.",
             completion: .endpoint) { raw, v throws(UsageError) in raw.binds.append(v.text) },
        /// -c/--connect (bench)
        Flag("connect", short: "c", value: "ENDPOINT", .endpoints, for: CommandSet(.bench),
             summary: "run the connecting end of a split run, or the service to load",
             doc: "Runs one end of a split run, connected to ENDPOINT: thr sends (as libzmq's remote_thr, a PUSH) and ends once every message is delivered; lat sends the requests, times each round trip and reports (as remote_lat, a REQ). bench req, push and pub load the service at ENDPOINT (a REP or ROUTER, a PULL, a SUB), each of --clients with a connection of its own. :PORT means tcp://127.0.0.1:PORT.",
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
             summary: "bytes in each message (default 100; suffixes k, M, G)",
             doc: "The size of each message (thr, push, pub) or request (lat, req; lat's replies too), 0 or more bytes of zeros: 100 by default; 64k is 65536. A load run sends --data instead when it is given.") { raw, v throws(UsageError) in
            let size = try Values.bytes(v.text, flag: "size")
            guard size <= BenchSettings.largestSize else {
                throw UsageError("--size: \(v.text) is more than bench sends (at most 1G)", hint: "for example --size 64k")
            }
            raw.benchSize = Int(size)
        },
        /// -n/--count (bench)
        Flag("count", short: "n", value: "N", .messages, for: CommandSet(.bench),
             summary: "messages (thr: 1000000), round trips (lat: 10000), load messages",
             doc: "How many messages thr sends, or how many round trips lat makes. Both ends of a split run must be given the same count. A load run (req, push, pub) sends N messages, all clients together, and stops then or at the end of --duration, whichever comes first; with neither it runs for 10s.") { raw, v throws(UsageError) in raw.count = try Values.count(v.text, flag: "count", minimum: 1) },
        /// --format (bench)
        Flag("format", short: "f", value: "FORMAT", .output, for: CommandSet(.bench),
             summary: "text (default): a summary for people; json: one object",
             doc: "bench's summary: text, a few lines for people, or json, one JSON object on one line. thr and lat: mode, transport, size, messages, bytes, seconds, msgs_per_s, mb_per_s, complete (false when a signal or -t ended the run before its count: the figures are of what ran) and, for lat, latency_us: an object with p50, p90, p99, p999, max and mean (microseconds per round trip). A load run's object has mode, size, messages, bytes, seconds, msgs_per_s, mb_per_s and latency_us too (no transport), and endpoint, clients, rate, planned, sent, unsent, errors, timeouts and interrupted; for req, latency_us is per request from its intended send time, and for push and pub under --rate, send_lag_us says how late the sends went.",
             choices: BenchFormat.allCases.map(\.rawValue)) { raw, v throws(UsageError) in
            guard let format = BenchFormat(rawValue: v.text.lowercased()) else {
                throw UsageError("--format: bench reports as text or json, not '\(v.text)'", hint: "--format json")
            }
            raw.benchFormat = format
        },
        /// --rate
        Flag("rate", value: "RATE", .messages, for: CommandSet(.bench),
             summary: "messages per second, all clients together (default: full speed)",
             doc: "Sends RATE messages per second (N or N/s), all --clients together, each client on a schedule of its own: message j is meant to go at j/RATE seconds. req times each reply from when its request was meant to go, not from when a busy client could send it, so a service that stalls shows in the latency (the coordinated-omission correction of wrk2). With --duration D, RATE×D messages are planned; those that could not go by the end of D are reported as not sent. Accepts 500, 500/s, 2.5k/s.") { raw, v throws(UsageError) in raw.benchRate = try Values.rate(v.text, flag: "rate") },
        /// --duration
        Flag("duration", value: "DURATION", .messages, for: CommandSet(.bench),
             summary: "how long a load run sends (default 10s unless -n is given)",
             doc: "How long a load run sends messages; req then waits up to --timeout for the replies still due. Without --duration and --count a load run lasts 10s.") { raw, v throws(UsageError) in
            let interval = try Interval.parse(v.text, flag: "duration")
            guard interval.milliseconds.map({ $0 > 0 }) ?? false else {
                throw UsageError("--duration: a load run needs a finite duration of more than 0", hint: "for example --duration 10s")
            }
            raw.benchDuration = interval
        },
        /// --clients
        Flag("clients", value: "N", .messages, for: CommandSet(.bench),
             summary: "connections a load run opens and drives at once (default 1)",
             doc: "Opens N sockets to the service, each with a connection of its own, and drives them from one thread: with req, up to N requests are outstanding at once, one per client.") { raw, v throws(UsageError) in
            let clients = try Values.count(v.text, flag: "clients", minimum: 1)
            guard clients <= LoadPlan.largestClients else {
                throw UsageError("--clients: \(clients) is more than bench opens (at most \(LoadPlan.largestClients))", hint: "for example --clients 100")
            }
            raw.benchClients = clients
        },
    ]
}
