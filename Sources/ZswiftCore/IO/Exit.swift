// Exit statuses: one table that the code, `--help` and the man page all read (cli.md's table),
// and the error that carries a status up to the top level.

/// How zswift ends.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    case failure = 1
    case usage = 2
    case timeout = 3
    case security = 4

    var meaning: String {
        switch self {
        case .success: "success"
        case .failure: "runtime error (zmq, I/O, a malformed input record)"
        case .usage: "usage error: unknown flag, bad value, flag not valid for the command"
        case .timeout: "timeout: nothing within --timeout, fewer than --count, no peer or subscriber in time, or --linger ran out with messages undelivered"
        case .security: "security handshake refused"
        }
    }
}

/// An early end of the program, with the message to print.
enum Exit: Error, Sendable {
    /// Ends with `status`, printing `zswift: error: message` (and `hint: ...`) unless message is empty.
    case failed(ExitStatus, String, hint: String? = nil)
    /// Ended by a signal: status 128+N, nothing printed.
    case signal(Int32)
    /// The reader of stdout went away: status 0, nothing printed.
    case outputClosed
    /// A malformed input record: status 1 once the messages before it are delivered.
    case badInput(String)
    /// A router message whose destination is not connected (ROUTER_MANDATORY): status 1.
    case unroutable(String)

    static func runtime(_ message: String, hint: String? = nil) -> Exit { .failed(.failure, message, hint: hint) }

    /// Whether a signal ended the run (then nothing may block the exit, not even a last flush).
    var isSignal: Bool { if case .signal = self { true } else { false } }
    static func timeout(_ message: String, hint: String? = nil) -> Exit { .failed(.timeout, message, hint: hint) }

    var status: Int32 {
        switch self {
        case let .failed(status, _, _): status.rawValue
        case let .signal(n): 128 + n
        case .outputClosed: 0
        case .badInput, .unroutable: 1
        }
    }
}
