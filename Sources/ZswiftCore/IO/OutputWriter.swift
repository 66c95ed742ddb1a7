// stdout through one buffer and write(2). The loops flush whenever no further message is
// immediately waiting, so `zswift sub | grep` shows each message at once while a flood still goes
// out in large writes. A reader that went away (EPIPE) ends the program quietly with status 0.
import Glibc

final class OutputWriter {
    let fd: Int32
    let buffer: ByteBuffer
    /// Frames at least this large skip the buffer (no copy).
    static let directThreshold = 32 * 1024
    /// The buffer is written out once it holds this much.
    static let flushThreshold = 64 * 1024

    init(fd: Int32 = 1) {
        self.fd = fd
        buffer = ByteBuffer(capacity: OutputWriter.flushThreshold + 4096)
    }

    /// A writer that only collects bytes in memory (fd -1: flushing keeps everything buffered).
    static func memory() -> OutputWriter { OutputWriter(fd: -1) }

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
    deinit { trailerByte.deallocate() }

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
}
