// Spawning processes for black-box tests, with a hard deadline on everything that can block:
// the built zswift binary, pyzmq peers, shell pipelines. posix_spawn and pipes, no Foundation.
import Glibc
import Synchronization

/// Pipes are made and children spawned under one lock, so no child inherits another's pipe ends
/// in the moment before they are marked close-on-exec (pipe2 is not visible from Swift here).
private let spawnLock = Mutex<Void>(())

/// What a finished process left behind.
public struct Outcome: Sendable, CustomStringConvertible {
    public let status: Int32
    public let stdout: [UInt8]
    public let stderr: [UInt8]
    /// Whether the deadline passed and the process was killed.
    public let timedOut: Bool

    public var out: String { String(decoding: stdout, as: UTF8.self) }
    public var err: String { String(decoding: stderr, as: UTF8.self) }
    public var description: String { "status \(status)\(timedOut ? " (killed at deadline)" : ""), stdout \(out.debugDescription), stderr \(err.debugDescription)" }
}

/// A running child process with pipes to its stdin, stdout and stderr.
public final class Process: @unchecked Sendable {
    public let pid: pid_t
    private var stdinFD: Int32
    private let stdoutFD: Int32
    private let stderrFD: Int32
    public private(set) var stdout: [UInt8] = []
    public private(set) var stderr: [UInt8] = []
    private var status: Int32?
    public let started = Clock.milliseconds()

    /// Starts `arguments[0]` (looked up in PATH) with the rest as arguments.
    public init(_ arguments: [String], environment: [String: String] = [:]) throws {
        precondition(!arguments.isEmpty)
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        try spawnLock.withLock { _ throws(SubprocessError) in
            for i in 0..<3 {
                var fds: [Int32] = [-1, -1]
                guard pipe(&fds) == 0 else { throw SubprocessError("pipe failed") }
                for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
                if i == 0 { inPipe = fds } else if i == 1 { outPipe = fds } else { errPipe = fds }
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // the child starts with default signal handling and nothing blocked, whatever the test runner set
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1] { sigaddset(&defaults, s) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        posix_spawnattr_setpgroup(&attributes, 0)

        var env: [String: String] = [:]
        var e = environ
        while let entry = e.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { env[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            e += 1
        }
        for (k, v) in environment { env[k] = v }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let rc = spawnLock.withLock { _ in
            let rc = posix_spawnp(&child, arguments[0], &actions, &attributes, argv, envp)
            close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
            return rc
        }
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw SubprocessError("cannot start \(arguments[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        stdinFD = inPipe[1]
        stdoutFD = outPipe[0]
        stderrFD = errPipe[0]
        for fd in [stdinFD, stdoutFD, stderrFD] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    deinit {
        // the child leads its own process group: whatever it started in the background goes too
        kill(-pid, SIGKILL)
        if status == nil { var s: Int32 = 0; waitpid(pid, &s, 0) }
        for fd in [stdinFD, stdoutFD, stderrFD] where fd >= 0 { close(fd) }
    }

    /// Writes all of `bytes` to the child's stdin (reading its output meanwhile), within `seconds`.
    public func write(_ bytes: [UInt8], within seconds: Double = 30) throws {
        var offset = 0
        let deadline = Clock.milliseconds() + Int(seconds * 1000)
        while offset < bytes.count {
            guard stdinFD >= 0 else { throw SubprocessError("stdin already closed") }
            let n = bytes.withUnsafeBytes { Glibc.write(stdinFD, $0.baseAddress! + offset, bytes.count - offset) }
            if n > 0 { offset += n; continue }
            if n < 0 && errno == EPIPE { throw SubprocessError("the child closed its stdin") }
            if Clock.milliseconds() > deadline { throw SubprocessError("writing to the child's stdin took over \(seconds)s") }
            pump(waitMilliseconds: 10, writing: true)
        }
    }

    public func write(_ text: String, within seconds: Double = 30) throws { try write(Array(text.utf8), within: seconds) }

    /// Closes the child's stdin (end of input).
    public func closeInput() {
        if stdinFD >= 0 { close(stdinFD); stdinFD = -1 }
    }

    /// Reads whatever output is available, waiting up to `waitMilliseconds` for some.
    @discardableResult
    public func pump(waitMilliseconds: Int = 0, writing: Bool = false) -> Bool {
        var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0), pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
        if writing && stdinFD >= 0 { fds.append(pollfd(fd: stdinFD, events: Int16(POLLOUT), revents: 0)) }
        _ = poll(&fds, nfds_t(fds.count), Int32(waitMilliseconds))
        var got = false
        var buffer = [UInt8](repeating: 0, count: 65536)
        for (fd, isOut) in [(stdoutFD, true), (stderrFD, false)] {
            while true {
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                if n <= 0 { break }
                got = true
                if isOut { stdout += buffer[0..<n] } else { stderr += buffer[0..<n] }
            }
        }
        return got
    }

    /// Waits until stderr contains `text`, within `seconds`; returns stderr so far.
    @discardableResult
    public func waitForStderr(_ text: String, within seconds: Double = 10) throws -> String {
        let deadline = Clock.milliseconds() + Int(seconds * 1000)
        while true {
            pump(waitMilliseconds: 20)
            let err = String(decoding: stderr, as: UTF8.self)
            if err.contains(text) { return err }
            if Clock.milliseconds() > deadline || hasExited() {
                pump()
                let now = String(decoding: stderr, as: UTF8.self)
                if now.contains(text) { return now }
                throw SubprocessError("stderr never said \(text.debugDescription) within \(seconds)s; it said \(now.debugDescription)")
            }
        }
    }

    /// Waits until stdout holds at least `count` bytes, within `seconds`.
    public func waitForStdout(bytes count: Int, within seconds: Double = 10) throws {
        let deadline = Clock.milliseconds() + Int(seconds * 1000)
        while stdout.count < count {
            pump(waitMilliseconds: 20)
            if Clock.milliseconds() > deadline || (hasExited() && !pump()) {
                throw SubprocessError("stdout had \(stdout.count) of \(count) bytes after \(seconds)s: \(String(decoding: stdout, as: UTF8.self).debugDescription); stderr \(String(decoding: stderr, as: UTF8.self).debugDescription)")
            }
        }
    }

    /// The TCP endpoint a zswift started with -v reported binding ("tcp://127.0.0.1:41234").
    public func boundEndpoint(within seconds: Double = 10) throws -> String {
        let err = try waitForStderr("bound to ", within: seconds)
        for line in err.split(separator: "\n") {
            if let r = line.firstRange(of: "bound to ") { return String(line[r.upperBound...]) }
        }
        throw SubprocessError("no endpoint in \(err)")
    }

    private func hasExited() -> Bool {
        if status != nil { return true }
        var s: Int32 = 0
        if waitpid(pid, &s, WNOHANG) == pid { status = s; return true }
        return false
    }

    public func signal(_ signal: Int32) { kill(pid, signal) }

    /// Waits for the child to end within `seconds` (killing it if it does not) and returns its outcome.
    public func wait(within seconds: Double = 30) -> Outcome {
        let deadline = Clock.milliseconds() + Int(seconds * 1000)
        var timedOut = false
        while !hasExited() {
            pump(waitMilliseconds: 10)
            if Clock.milliseconds() > deadline {
                timedOut = true
                kill(-pid, SIGKILL)  // and what it started: a shell's background jobs
                var s: Int32 = 0
                waitpid(pid, &s, 0)
                status = s
            }
        }
        // drain what is left (the pipes may be held open by grandchildren: bounded)
        let drainDeadline = Clock.milliseconds() + 2000
        while Clock.milliseconds() < drainDeadline {
            var fds = [pollfd(fd: stdoutFD, events: Int16(POLLIN), revents: 0), pollfd(fd: stderrFD, events: Int16(POLLIN), revents: 0)]
            _ = poll(&fds, 2, 50)
            let before = stdout.count + stderr.count
            pump()
            let hup = fds.allSatisfy { $0.revents & Int16(POLLHUP) != 0 && $0.revents & Int16(POLLIN) == 0 }
            if stdout.count + stderr.count == before && (hup || fds.allSatisfy { $0.revents == 0 }) { break }
        }
        let s = status!
        let exit: Int32 = (s & 0x7f) == 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f)
        return Outcome(status: exit, stdout: stdout, stderr: stderr, timedOut: timedOut)
    }
}

public struct SubprocessError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a command to completion with `input` on stdin, killed after `seconds`.
public func run(_ arguments: [String], input: [UInt8] = [], within seconds: Double = 30,
                environment: [String: String] = [:]) throws -> Outcome {
    let process = try Process(arguments, environment: environment)
    if !input.isEmpty { try process.write(input, within: seconds) }
    process.closeInput()
    return process.wait(within: seconds)
}

public func run(_ arguments: [String], input: String, within seconds: Double = 30) throws -> Outcome {
    try run(arguments, input: Array(input.utf8), within: seconds)
}

public enum Clock {
    public static func milliseconds() -> Int {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return ts.tv_sec * 1000 + ts.tv_nsec / 1_000_000
    }
}
