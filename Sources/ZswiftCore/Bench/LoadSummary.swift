// What a load run (bench req|push|pub) did, counted as it ran, and its two renderings: a few
// lines for people and one JSON object for scripts. The counts are the loop's (LoadRun); the
// arithmetic and the words are here.

struct LoadSummary: Equatable, Sendable {
    var mode: BenchMode
    /// The endpoint as given.
    var endpoint: String
    var clients: Int
    /// Bytes in each message sent.
    var size: Int
    var rate: Double?
    /// Messages the plan meant to send, when it can say (--count, or --rate × --duration).
    var planned: Int?
    var sent = 0
    /// Replies (req).
    var answered = 0
    /// Sends or receives libzmq failed.
    var errors = 0
    /// Requests with no reply within --timeout (req); sends not taken within it (push, pub).
    var timeouts = 0
    /// Nanoseconds from the start to the last reply, timeout or send.
    var nanoseconds = 0
    /// req: each request's time from its intended send time to its reply.
    var latency = LatencyHistogram()
    /// push and pub under --rate: how late each send went after its intended time.
    var lag = LatencyHistogram()
    /// Ended by a signal before the plan was through.
    var interrupted = false
    /// Given up after a timeout with no peer ever met (nothing listening, nothing connecting).
    var gaveUp = false
    /// Messages given up on because the socket would not take them within --timeout (counted
    /// among the timeouts, not among the sent).
    var neverSent = 0

    /// What counts as done: replies for req, messages sent for push and pub.
    var messages: Int { mode == .req ? answered : sent }
    var bytes: Int { messages * size }
    var seconds: Double { Double(max(nanoseconds, 1)) / 1e9 }
    var messagesPerSecond: Double { Double(messages) / seconds }
    var megabytesPerSecond: Double { Double(bytes) / seconds / 1e6 }
    /// Planned messages that never went (the clients were still busy at the end of --duration).
    var unsent: Int { interrupted ? 0 : max(0, (planned ?? sent) - sent - neverSent) }
}

enum LoadReport {
    static func render(_ s: LoadSummary, as format: BenchFormat) -> String {
        format == .json ? json(s) + "\n" : text(s)
    }

    /// "req to tcp://localhost:5555, 4 clients at 1000/s: 10000 sent, 10000 answered in 10.000 s",
    /// the rates, then the latency or the send lag.
    static func text(_ s: LoadSummary) -> String {
        let d = BenchReport.decimal
        let pace = s.rate.map { " at \(d($0, $0 < 10 ? 1 : 0))/s" } ?? ""
        let done = s.mode == .req ? ", \(s.answered) answered" : ""
        var lines = ["\(s.mode.rawValue) to \(s.endpoint), \(Words.count(s.clients, "client"))\(pace): \(s.sent) sent\(done) in \(d(s.seconds, 3)) s"
                     + (s.interrupted ? " (interrupted)" : "")]
        lines.append((s.mode == .req ? "  replies/s:   " : "  msg/s:       ") + d(s.messagesPerSecond, 0))
        lines.append("  MB/s:        " + d(s.megabytesPerSecond, 2))
        if s.timeouts > 0 || s.errors > 0 || s.unsent > 0 {
            lines.append("  timeouts: \(s.timeouts)  errors: \(s.errors)  not sent: \(s.unsent)")
        }
        if !s.latency.isEmpty {
            lines.append("  latency (us, from the intended send time): " + percentiles(s.latency.summary))
        }
        if !s.lag.isEmpty {
            lines.append("  sent behind schedule (us): " + percentiles(s.lag.summary))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "5s", "0.2s": a timeout in nanoseconds as -t is written.
    static func seconds(_ nanoseconds: Int) -> String {
        "\(Interval.ms(nanoseconds / 1_000_000))"
    }

    static func percentiles(_ l: LatencySummary) -> String {
        let d = BenchReport.decimal
        return "p50 \(d(l.p50, 1))  p90 \(d(l.p90, 1))  p99 \(d(l.p99, 1))  p99.9 \(d(l.p999, 1))  max \(d(l.max, 1))  mean \(d(l.mean, 2))"
    }

    /// One object with cli.md's keys (messages, bytes, seconds, msgs_per_s, mb_per_s, latency_us,
    /// errors, timeouts) and the run's own.
    static func json(_ s: LoadSummary) -> String {
        let d = BenchReport.decimal
        var fields: [(String, String)] = [
            ("mode", "\"\(s.mode.rawValue)\""), ("endpoint", ProbeReport.string(s.endpoint)), ("clients", String(s.clients)),
            ("size", String(s.size)), ("rate", s.rate.map { d($0, 3) } ?? "null"), ("planned", s.planned.map(String.init) ?? "null"),
            ("sent", String(s.sent)), ("messages", String(s.messages)), ("bytes", String(s.bytes)),
            ("seconds", d(s.seconds, 6)), ("msgs_per_s", d(s.messagesPerSecond, 1)), ("mb_per_s", d(s.megabytesPerSecond, 3)),
            ("errors", String(s.errors)), ("timeouts", String(s.timeouts)), ("unsent", String(s.unsent)),
            ("interrupted", s.interrupted ? "true" : "false"),
            ("latency_us", s.latency.isEmpty ? "null" : BenchReport.jsonObject(s.latency.summary)),
        ]
        if s.mode != .req { fields.append(("send_lag_us", s.lag.isEmpty ? "null" : BenchReport.jsonObject(s.lag.summary))) }
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}"
    }
}
