// Certificate files on disk, with open/read/write from Glibc: reading one (small, regular, with
// its mode, so a secret readable by others can be warned about) and creating one that never
// replaces a file and, for a secret, is never readable by others, not even for a moment.
import Glibc

/// Why a file could not be read or created, in words for an error line.
struct FileProblem: Error, Equatable, Sendable {
    enum Kind: Sendable { case missing, exists, isDirectory, denied, tooLarge, other }
    let kind: Kind
    let reason: String

    /// The problem `errno` stands for.
    static func errno(_ code: Int32) -> FileProblem {
        switch code {
        case ENOENT, ENOTDIR: FileProblem(kind: .missing, reason: "no such file or directory")
        case EEXIST: FileProblem(kind: .exists, reason: "it exists")
        case EISDIR: FileProblem(kind: .isDirectory, reason: "it is a directory")
        case EACCES, EPERM: FileProblem(kind: .denied, reason: "permission denied")
        default: FileProblem(kind: .other, reason: String(cString: strerror(code)))
        }
    }
}

enum CertificateFile {
    /// Certificates are a few hundred bytes; a larger file is something else.
    static let sizeLimit = 64 * 1024

    /// The bytes of the regular file at `path` and its permission bits; a file over `limit`
    /// bytes is refused as `.tooLarge`, saying it is too large for `what` ("a certificate").
    static func read(_ path: String, limit: Int = sizeLimit, what: String = "a certificate") throws(FileProblem) -> (bytes: [UInt8], mode: mode_t) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw FileProblem.errno(errno) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw FileProblem.errno(errno) }
        if info.st_mode & S_IFMT == S_IFDIR { throw FileProblem.errno(EISDIR) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = Glibc.read(fd, &chunk, chunk.count)
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else { throw FileProblem.errno(errno) }
            if n == 0 { break }
            bytes += chunk[..<n]
            if bytes.count > limit {
                throw FileProblem(kind: .tooLarge, reason: "it is larger than \(limit / 1024) KiB, too large for \(what)")
            }
        }
        return (bytes, info.st_mode & 0o7777)
    }

    /// Whether anything (a file, a directory, a dangling link) is at `path`.
    static func exists(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0
    }

    /// Creates the file `path` with `text` and permission bits `mode` (less the umask). It never
    /// replaces anything (O_EXCL: not a file, not a link), and the mode is set as the file is
    /// created, so a secret is not readable by others at any moment. A file left half-written by
    /// a failed write is removed.
    static func create(_ path: String, text: String, mode: mode_t) throws(FileProblem) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw FileProblem.errno(errno) }
        let bytes = Array(text.utf8)
        var written = 0
        var failure: Int32 = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { failure = n < 0 ? errno : EIO; break }
            written += n
        }
        if close(fd) != 0 && failure == 0 && errno != EINTR { failure = errno }
        if failure != 0 {
            unlink(path)
            throw FileProblem.errno(failure)
        }
    }

    /// Removes `path` (a certificate this run created and must take back).
    static func remove(_ path: String) { unlink(path) }
}
