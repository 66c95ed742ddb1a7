// The three standard descriptors a run reads and writes: the real ones, or pipes in tests. Fds
// 0-2 missing at start are filled with /dev/null so nothing opened later is taken for them.
import Glibc

/// Where a command's bytes go: real stdin/stdout/stderr, or pipes in tests.
public struct StandardIO: Sendable {
    public var input: Int32
    public var output: Int32
    public var error: Int32
    public init(input: Int32 = 0, output: Int32 = 1, error: Int32 = 2) {
        self.input = input
        self.output = output
        self.error = error
    }

    /// Puts /dev/null on whichever of fds 0, 1 and 2 the process was started without (`<&-`,
    /// `>&-`), so that no socket or pipe opened later lands there and is taken for stdin or stdout.
    /// It is opened in the direction that fails: reading the closed stdin or writing the closed
    /// stdout then reports "Bad file descriptor" instead of succeeding on the wrong file.
    public static func reserveStandardDescriptors() {
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}
