// Running a command per request (rep and worker --exec): /bin/sh -c CMD or an argv, in its own process
// group, the request on its stdin and its stdout collected, stderr passed through, bounded by
// --exec-timeout and the output limit. Its pipes are served by the run's event loop, so monitor
// events and signals are answered while it runs; signals to zswift end the command too.
import Glibc

/// How a command run ended.
enum CommandEnd: Equatable {
    case exited(Int32)
    case killed(Int32)
    case timedOut
    /// It wrote more than the output limit and was killed.
    case wroteTooMuch
}

enum Exec {
    /// Runs `argv` with `input` on its stdin and returns its stdout and how it ended. A command
    /// that writes more than `outputLimit` bytes is killed (`yes` must not exhaust memory).
    static func run(_ argv: [String], input: UnsafeRawBufferPointer, environment: [String: String],
                    timeout: Interval?, outputLimit: Int = .max, on reactor: Reactor) throws(Exit) -> (output: ByteBuffer, end: CommandEnd) {
        let child = try Child.spawn(argv, environment: environment)
        let job = Job(child: child, input: input, outputLimit: outputLimit, timeout: timeout)
        defer { job.finish() }
        try job.serve(on: reactor)
        return (job.output, try job.reap(on: reactor))
    }
}

/// A started command: its pid and our ends of its stdin and stdout.
struct Child {
    let pid: pid_t
    let stdin: Int32
    let stdout: Int32

    /// Starts `argv` in its own process group with pipes for stdin and stdout, default signal
    /// handling, and the environment less inherited ZSWIFT_* plus `environment`.
    static func spawn(_ argv: [String], environment: [String: String]) throws(Exit) -> Child {
        var toChild: [Int32] = [-1, -1], fromChild: [Int32] = [-1, -1]
        guard pipe(&toChild) == 0 else {
            throw Exit.runtime("cannot run \(argv[0]): pipe: \(String(cString: strerror(errno)))")
        }
        guard pipe(&fromChild) == 0 else {
            let reason = String(cString: strerror(errno))
            close(toChild[0])
            close(toChild[1])
            throw Exit.runtime("cannot run \(argv[0]): pipe: \(reason)")
        }
        for fd in toChild + fromChild { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, toChild[0], 0)
        posix_spawn_file_actions_adddup2(&actions, fromChild[1], 1)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGUSR1] { sigaddset(&defaults, s) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP))
        var pid: pid_t = 0
        let rc = Child.withCStrings(argv, environment: environment) { cArgv, cEnv in
            posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
        }
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw Exit.runtime("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        return Child(pid: pid, stdin: toChild[1], stdout: fromChild[0])
    }

    /// argv and the environment (ours less ZSWIFT_*, plus `environment`) as C strings.
    private static func withCStrings<R>(_ argv: [String], environment: [String: String],
                                        _ body: ([UnsafeMutablePointer<CChar>?], [UnsafeMutablePointer<CChar>?]) -> R) -> R {
        var env: [String] = []
        var e = environ
        while let entry = e.pointee {
            let text = String(cString: entry)
            if !text.hasPrefix("ZSWIFT_") { env.append(text) }
            e += 1
        }
        for (k, v) in environment.sorted(by: { $0.key < $1.key }) { env.append("\(k)=\(v)") }
        let cArgv = argv.map { strdup($0) } + [nil]
        let cEnv = env.map { strdup($0) } + [nil]
        defer {
            cArgv.forEach { free($0) }
            cEnv.forEach { free($0) }
        }
        return body(cArgv, cEnv)
    }
}

/// One command's run on the event loop: the request written to its stdin, its stdout read
/// until it closes, its deadline enforced (SIGTERM to its group, SIGKILL half a second later).
private final class Job {
    let child: Child
    let input: UnsafeRawBufferPointer
    let outputLimit: Int
    let output = ByteBuffer(capacity: 4096)
    private var written = 0
    private var writeEnd: Int32
    private var outputOpen = true
    private var reaped = false
    private var end: CommandEnd?
    private var killedAt: Int?
    private let deadline: Deadline

    init(child: Child, input: UnsafeRawBufferPointer, outputLimit: Int, timeout: Interval?) {
        self.child = child
        self.input = input
        self.outputLimit = outputLimit
        deadline = Deadline(after: timeout)
        writeEnd = child.stdin
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        if input.count == 0 { closeInput() }
    }

    /// Feeds stdin and reads stdout on `reactor` until the command closes its stdout.
    func serve(on reactor: Reactor) throws(Exit) {
        let reading = reactor.watch(fd: child.stdout, for: .readable) { [unowned self] (_) throws(Exit) -> Bool in
            readOutput()
            return true
        }
        var writing: Reactor.Watch? = writeEnd < 0 ? nil : reactor.watch(fd: writeEnd, for: .writable) { [unowned self] (_) throws(Exit) -> Bool in
            writeInput()
            return true
        }
        defer {
            reactor.remove(reading)
            if let writing { reactor.remove(writing) }
        }
        while outputOpen {
            enforce()
            // a closed stdin's fd number may be reused: stop watching it at once
            if writeEnd < 0, let watch = writing {
                reactor.remove(watch)
                writing = nil
            }
            try reactor.turn(timeout: killedAt != nil ? 100 : deadline.remaining(cap: 1000))
        }
        closeInput()
        close(child.stdout)
    }

    /// Waits for the command to exit (it normally does at once once its stdout is closed; the
    /// deadline still holds) and says how it ended.
    func reap(on reactor: Reactor) throws(Exit) -> CommandEnd {
        var status: Int32 = 0
        var pause = 0
        while waitpid(child.pid, &status, WNOHANG) != child.pid {
            enforce()
            try reactor.turn(timeout: pause)
            pause = min(max(pause * 2, 1), 50)
        }
        reaped = true
        return end ?? ((status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .killed(status & 0x7f))
    }

    /// Kills the command if it is still there (an error or a signal ended the run).
    func finish() {
        guard !reaped else { return }
        if outputOpen { close(child.stdout) }
        closeInput()
        kill(-child.pid, SIGKILL)
        var status: Int32 = 0
        waitpid(child.pid, &status, 0)
    }

    private func readOutput() {
        output.reserve(65536)
        let n = Glibc.read(child.stdout, output.base + output.count, 65536)
        if n > 0 { output.count += n } else if n == 0 || errno != EINTR { outputOpen = false }
        if output.count > outputLimit {
            kill(-child.pid, SIGKILL)
            end = .wroteTooMuch
            outputOpen = false
        }
    }

    private func writeInput() {
        guard writeEnd >= 0 else { return }
        let n = Glibc.write(writeEnd, input.baseAddress! + written, input.count - written)
        if n > 0 { written += n }
        // all written, or the command stopped reading (EPIPE)
        if (n < 0 && errno != EAGAIN && errno != EINTR) || written == input.count { closeInput() }
    }

    private func closeInput() {
        if writeEnd >= 0 { close(writeEnd) }
        writeEnd = -1
    }

    /// Past --exec-timeout: SIGTERM to the command's group, SIGKILL half a second later.
    private func enforce() {
        if killedAt == nil, deadline.hasPassed {
            kill(-child.pid, SIGTERM)
            killedAt = Clock.now()
            end = .timedOut
        }
        if let at = killedAt, Clock.now() - at > 500 { kill(-child.pid, SIGKILL) }
    }
}
