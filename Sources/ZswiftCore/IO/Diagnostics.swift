// Everything zswift says on stderr goes through here, unbuffered, one whole line per write(2),
// so lines from a flood never interleave mid-line. Messages never go to stdout.
import Glibc

final class Diagnostics {
    let fd: Int32
    var verbosity: Int
    private var warned: Set<String> = []

    init(fd: Int32 = 2, verbosity: Int = 0) {
        self.fd = fd
        self.verbosity = verbosity
    }

    func error(_ message: String, hint: String? = nil) {
        line("zswift: error: " + message)
        if let hint { line("hint: " + hint) }
    }

    func warning(_ message: String) { line("zswift: warning: " + message) }

    /// Warns once per `key` for the whole run.
    func warnOnce(_ key: String, _ message: @autoclosure () -> String) {
        if warned.insert(key).inserted { warning(message()) }
    }

    /// A note shown with -v.
    func info(_ message: @autoclosure () -> String) {
        if verbosity >= 1 { line("zswift: " + message()) }
    }

    /// A per-message trace shown with -vv.
    func trace(_ message: @autoclosure () -> String) {
        if verbosity >= 2 { line("zswift: " + message()) }
    }

    /// A note that is always shown (waiting notices, statistics).
    func note(_ message: String) { line("zswift: " + message) }

    func line(_ text: String) {
        var bytes = Array(text.utf8)
        bytes.append(10)
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
