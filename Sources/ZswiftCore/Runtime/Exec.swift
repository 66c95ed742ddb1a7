// Running a command per request (rep --exec): /bin/sh -c CMD or an argv, in its own process
// group, the request on its stdin and its stdout collected, stderr passed through, bounded by
// --exec-timeout. Signals to zswift end the command too.
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
                    timeout: Interval?, outputLimit: Int = .max) throws(Exit) -> (output: ByteBuffer, end: CommandEnd) {
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
        var pid: pid_t = 0
        let rc = posix_spawnp(&pid, argv[0], &actions, &attributes, cArgv, cEnv)
        close(toChild[0])
        close(fromChild[1])
        guard rc == 0 else {
            close(toChild[1])
            close(fromChild[0])
            throw Exit.runtime("cannot run \(argv[0]): \(String(cString: strerror(rc)))")
        }
        var running = true
        defer {
            if running {
                kill(-pid, SIGKILL)
                var status: Int32 = 0
                waitpid(pid, &status, 0)
            }
        }
        var writeEnd = toChild[1]
        let readEnd = fromChild[0]
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        let output = ByteBuffer(capacity: 4096)
        var written = 0
        if input.count == 0 { close(writeEnd); writeEnd = -1 }
        let deadline = Deadline(after: timeout)
        var outputOpen = true
        var end: CommandEnd?
        var killedAt: Int?
        /// Past --exec-timeout: SIGTERM to the command's group, SIGKILL half a second later.
        func enforceDeadline() {
            if killedAt == nil, deadline.hasPassed {
                kill(-pid, SIGTERM)
                killedAt = Clock.now()
                end = .timedOut
            }
            if let at = killedAt, Clock.now() - at > 500 { kill(-pid, SIGKILL) }
        }
        while outputOpen {
            try Signals.check()
            enforceDeadline()
            var fds = [pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: writeEnd, events: Int16(POLLOUT), revents: 0)]
            let wait = killedAt != nil ? 100 : deadline.remaining(cap: 1000)
            _ = Glibc.poll(&fds, writeEnd >= 0 ? 2 : 1, Int32(clamping: wait))
            if writeEnd >= 0 && fds[1].revents != 0 {
                let n = Glibc.write(writeEnd, input.baseAddress! + written, input.count - written)
                if n > 0 { written += n }
                if (n < 0 && errno != EAGAIN && errno != EINTR) || written == input.count {
                    close(writeEnd)  // all written, or the command stopped reading (EPIPE)
                    writeEnd = -1
                }
            }
            if fds[0].revents != 0 {
                output.reserve(65536)
                let n = Glibc.read(readEnd, output.base + output.count, 65536)
                if n > 0 { output.count += n } else if n == 0 || errno != EINTR { outputOpen = false }
                if output.count > outputLimit {
                    kill(-pid, SIGKILL)
                    end = .wroteTooMuch
                    outputOpen = false
                }
            }
        }
        if writeEnd >= 0 { close(writeEnd) }
        close(readEnd)
        // its stdout is closed; it normally exits at once, but the deadline still holds
        var status: Int32 = 0
        var pause: Int32 = 0
        while waitpid(pid, &status, WNOHANG) != pid {
            try Signals.check()
            enforceDeadline()
            _ = Glibc.poll(nil, 0, pause)
            pause = min(max(pause * 2, 1), 50)
        }
        running = false
        if end == nil {
            end = (status & 0x7f) == 0 ? .exited((status >> 8) & 0xff) : .killed(status & 0x7f)
        }
        return (output, end!)
    }
}
