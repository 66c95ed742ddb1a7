// stdout through one buffer and write(2). The loops flush whenever no further message is
// immediately waiting, so `zswift sub | grep` shows each message at once while a flood still goes
// out in large writes. A reader that went away (EPIPE) ends the program quietly with status 0.
// A writer made `withoutWaiting` (broker --capture) never blocks: it keeps what stdout does not take.
import Glibc

final class OutputWriter {
    let fd: Int32
    let buffer: ByteBuffer
    /// Where a writer made `withoutWaiting` hands its bytes; nil for every other writer.
    private let target: Target?
    /// Bytes at the front of the buffer that `writeWithoutWaiting` has already handed over.
    private var handedOver = 0
    /// Frames at least this large skip the buffer (no copy).
    static let directThreshold = 32 * 1024
    /// The buffer is written out once it holds this much.
    static let flushThreshold = 64 * 1024

    init(fd: Int32 = 1) {
        self.fd = fd
        buffer = ByteBuffer(capacity: OutputWriter.flushThreshold + 4096)
        target = nil
    }

    /// A writer that only collects bytes in memory (fd -1: flushing keeps everything buffered).
    static func memory() -> OutputWriter { OutputWriter(fd: -1) }

    /// A writer for `fd` that never waits for its reader: appends and flushes only buffer (as in a
    /// memory writer), and `writeWithoutWaiting` hands over what the reader takes at once.
    static func withoutWaiting(fd: Int32) -> OutputWriter { OutputWriter(target: Target(fd)) }

    private init(target: Target) {
        fd = -1
        buffer = ByteBuffer(capacity: OutputWriter.flushThreshold + 4096)
        self.target = target
    }

    deinit {
        trailerByte.deallocate()
        if let target, target.opened { Glibc.close(target.fd) }
    }

    /// Writes out what is buffered.
    func flush() throws(Exit) {
        guard buffer.count > 0, fd >= 0 else { return }
        try writeBuffered()
    }

    /// Whether a flush would write anything.
    var hasBuffered: Bool { buffer.count > 0 && fd >= 0 }

    /// Flushes when the buffer is full enough.
    @inline(__always)
    func flushIfFull() throws(Exit) {
        if buffer.count >= OutputWriter.flushThreshold && fd >= 0 { try flush() }
    }

    /// Appends `bytes` and then `trailer` (a message's delimiter), writing a large frame straight
    /// through together with what is buffered before it and the trailer after it.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer, then trailer: UInt8? = nil) throws(Exit) {
        if bytes.count >= OutputWriter.directThreshold && fd >= 0 {
            try writeBuffered(and: bytes, then: trailer)
        } else {
            buffer.append(bytes)
            if let trailer { buffer.append(trailer) }
        }
    }

    /// One byte that outlives a writev(2) call: the trailer after a large frame.
    private let trailerByte = UnsafeMutablePointer<UInt8>.allocate(capacity: 1)

    /// Writes what is buffered, then `bytes` and the trailer, with one writev(2) where it can
    /// (otherwise a large frame between one-byte delimiters costs three write calls), and empties
    /// the buffer. A reader that went away is Exit.outputClosed; any other failure is an error.
    private func writeBuffered(and bytes: UnsafeRawBufferPointer? = nil, then trailer: UInt8? = nil) throws(Exit) {
        trailerByte.pointee = trailer ?? 0
        var vectors = (iovec(iov_base: buffer.base, iov_len: buffer.count),
                       iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes?.baseAddress), iov_len: bytes?.count ?? 0),
                       iovec(iov_base: trailerByte, iov_len: trailer == nil ? 0 : 1))
        try withUnsafeMutableBytes(of: &vectors) { (raw) throws(Exit) in
            let all = raw.bindMemory(to: iovec.self)
            var first = 0  // the first vector not yet written whole
            while true {
                while first < 3 && all[first].iov_len == 0 { first += 1 }
                if first == 3 { break }
                let n = writev(fd, all.baseAddress! + first, Int32(3 - first))
                if n < 0 {
                    switch errno {
                    case EINTR: try Signals.check(); continue
                    case EAGAIN:
                        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                        _ = Glibc.poll(&p, 1, 1000)
                        try Signals.check()
                        continue
                    case EPIPE: throw Exit.outputClosed
                    default: throw Exit.runtime("cannot write to stdout: " + String(cString: strerror(errno)))
                    }
                }
                var left = n
                while left > 0 {
                    let length = all[first].iov_len
                    if left >= length {
                        left -= length
                        all[first].iov_len = 0
                        first += 1
                    } else {
                        all[first].iov_base += left
                        all[first].iov_len -= left
                        left = 0
                    }
                }
                // a write interrupted after some progress returns a count, not EINTR
                if first < 3 { try Signals.check() }
            }
        }
        buffer.count = 0
    }

    // MARK: - Without waiting

    /// Bytes buffered and not yet handed to stdout (a writer made `withoutWaiting`).
    var pendingBytes: Int { buffer.count - handedOver }

    /// Hands stdout as much of the buffer as it takes without waiting and keeps the rest (a writer
    /// made `withoutWaiting`); returns how many bytes went out. A reader that went away is
    /// Exit.outputClosed.
    func writeWithoutWaiting() throws(Exit) -> Int {
        guard let target else { return 0 }
        let start = handedOver
        while handedOver < buffer.count {
            let n = target.write(buffer.base + handedOver, buffer.count - handedOver)
            if n > 0 { handedOver += n; continue }
            if n == 0 || errno == EAGAIN || errno == EWOULDBLOCK { break }
            if errno == EINTR { continue }
            if errno == EPIPE { throw Exit.outputClosed }
            throw Exit.runtime("cannot write to stdout: " + String(cString: strerror(errno)))
        }
        let written = handedOver - start
        if handedOver == buffer.count {
            buffer.count = 0
            handedOver = 0
        } else if handedOver >= OutputWriter.flushThreshold {
            buffer.removeFirst(handedOver)  // now and then, not after every small write
            handedOver = 0
        }
        return written
    }

    /// stdout made safe to write without waiting. O_NONBLOCK belongs to the open file description,
    /// which the shell and the other processes of a pipeline share: setting it on fd 1 would make
    /// their writes fail with EAGAIN. So a pipe, FIFO or terminal is opened again through
    /// /proc/self/fd (a description of our own, made non-blocking), a socket is written with
    /// MSG_DONTWAIT, and anything else (a regular file, or when /proc is missing) is written as
    /// it is: a file does not wait for a reader.
    private struct Target {
        let fd: Int32
        let isSocket: Bool
        /// Whether fd was opened here (and is closed with the writer).
        let opened: Bool

        init(_ fd: Int32) {
            var info = stat()
            let kind = fstat(fd, &info) == 0 ? info.st_mode & S_IFMT : 0
            var reopened: Int32 = -1
            if kind == S_IFIFO || kind == S_IFCHR {
                reopened = open("/proc/self/fd/\(fd)", O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
            }
            self.fd = reopened >= 0 ? reopened : fd
            isSocket = kind == S_IFSOCK
            opened = reopened >= 0
        }

        func write(_ bytes: UnsafeRawPointer, _ count: Int) -> Int {
            isSocket ? send(fd, bytes, count, Int32(MSG_DONTWAIT | MSG_NOSIGNAL)) : Glibc.write(fd, bytes, count)
        }
    }
}
