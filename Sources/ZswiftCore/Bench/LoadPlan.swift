// A load run's plan (bench req|push|pub): how many messages, how fast, from how many clients,
// and when each one is meant to go. Pure: the loop (LoadRun) asks it and the clock decides.
// Under --rate every client keeps a schedule of its own, as wrk2's connections do: request j
// (counted over all clients) belongs to client j % clients and is meant to go at j / rate. A
// request sent late because its client was still waiting is timed from when it was meant to
// go, so a stalled service shows in the latency instead of slowing the measurement down with it
// (coordinated omission).

struct LoadPlan: Equatable, Sendable {
    /// Messages per second, all clients together; nil: each client as fast as it can.
    var rate: Double?
    /// How long messages are sent, in nanoseconds; nil: until `count`.
    var duration: Int?
    /// How many messages are sent; nil: until `duration`.
    var count: Int?
    var clients: Int
    /// Nanoseconds: req waits this long for each reply; push and pub wait this long for a
    /// subscriber and for a send the service does not take.
    var timeout: Int
    /// The frames of each message (--data), or nil for --size zero bytes.
    var payload: [[UInt8]]?
    /// --service: the requests are a Majordomo client's. A Majordomo reply carries no request
    /// id, so a request that timed out is given up by closing and reopening its client's socket
    /// (Lazy Pirate) rather than by req_correlate, whose id frame MDP brokers do not expect.
    var majordomo = false

    static let defaultDuration = 10_000_000_000
    static let defaultTimeout = 5_000_000_000
    static let largestClients = 10_000

    init(rate: Double?, duration: Int?, count: Int?, clients: Int = 1, timeout: Int = LoadPlan.defaultTimeout,
         payload: [[UInt8]]? = nil) {
        (self.rate, self.duration, self.count, self.clients, self.timeout, self.payload) = (rate, duration, count, clients, timeout, payload)
    }

    init(_ raw: RawArguments, size: Int, binds: Bool) throws(UsageError) {
        let clients = raw.benchClients ?? 1
        if binds && clients > 1 {
            throw UsageError("--clients \(clients): only one socket can bind an endpoint",
                             hint: "connect to the service with -c, or drop --clients")
        }
        if raw.timeout?.milliseconds == 0 {
            throw UsageError("-t 0 would count every request of a load run as a timeout", hint: "for example -t 5s (the default)")
        }
        if raw.benchSize != nil && !raw.data.isEmpty {
            throw UsageError("--size and --data both say what to send", hint: "give one of them")
        }
        let duration = raw.benchDuration.map { ($0.milliseconds ?? Int(Int32.max) * 1000) * 1_000_000 }
        // neither a count nor a duration: ten seconds, as wrk does
        let defaulted = raw.count == nil && duration == nil ? LoadPlan.defaultDuration : duration
        // --service: each request is a Majordomo client's, MDPC01 and the service before the body
        let body = raw.data.isEmpty ? (raw.service == nil ? nil : [[UInt8](repeating: 0, count: size)]) : raw.data
        self.init(rate: raw.benchRate, duration: defaulted, count: raw.count, clients: clients,
                  timeout: raw.timeout.map { ($0.milliseconds ?? Int(Int32.max) * 1000) * 1_000_000 } ?? LoadPlan.defaultTimeout,
                  payload: raw.service.map { [MDP.clientHeader, Array($0.utf8)] + body! } ?? body)
        majordomo = raw.service != nil
    }

    /// How many messages the plan sends when it can say in advance: --count, or --rate × --duration.
    var planned: Int? {
        let byRate = rate.flatMap { r in duration.map { Int((r * Double($0) / 1e9).rounded(.down)) } }
        switch (count, byRate) {
        case let (c?, r?): return min(c, r)
        case let (c?, nil): return c
        default: return byRate
        }
    }

    /// When message `j` (0-based, over all clients) is meant to go, in nanoseconds from the
    /// start; nil without a rate (it goes when its client is free).
    func intended(_ j: Int) -> Int? {
        rate.map { Int((Double(j) * 1e9 / $0).rounded()) }
    }

    /// Whether message `j` is part of the plan, given `elapsed` nanoseconds since the start (used
    /// without a rate: the duration is the clock's).
    func includes(_ j: Int, elapsed: Int) -> Bool {
        if let count, j >= count { return false }
        guard let duration else { return true }
        return (intended(j) ?? elapsed) < duration
    }
}
