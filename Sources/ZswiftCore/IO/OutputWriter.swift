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
        try writeAll(buffer.bytes(0, buffer.count))
        buffer.count = 0
    }

    /// Flushes when the buffer is full enough.
    @inline(__always)
    func flushIfFull() throws(Exit) {
        if buffer.count >= OutputWriter.flushThreshold && fd >= 0 { try flush() }
    }

    /// Appends `bytes`, writing large ones straight through after what is buffered.
    @inline(__always)
    func append(_ bytes: UnsafeRawBufferPointer) throws(Exit) {
        if bytes.count >= OutputWriter.directThreshold && fd >= 0 {
            try writeBufferedAnd(bytes)
        } else {
            buffer.append(bytes)
        }
    }

    /// Writes what is buffered and then `bytes` with one writev(2) where it can (a large frame
    /// after a one-byte delimiter would otherwise cost two write calls).
    private func writeBufferedAnd(_ bytes: UnsafeRawBufferPointer) throws(Exit) {
        var first = buffer.count
        var second = 0
        while first > 0 {
            var vectors = [iovec(iov_base: buffer.base + (buffer.count - first), iov_len: first),
                           iovec(iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress!), iov_len: bytes.count)]
            let n = writev(fd, &vectors, 2)
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
            if n >= first {
                second = n - first
                first = 0
            } else {
                first -= n
                try Signals.check()
            }
        }
        buffer.count = 0
        if second < bytes.count { try writeAll(UnsafeRawBufferPointer(rebasing: bytes[second...])) }
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws(Exit) {
        var offset = 0
        while offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n >= 0 {
                offset += n
                // a write interrupted after some progress returns a count, not EINTR
                if offset < bytes.count { try Signals.check() }
                continue
            }
            switch errno {
            case EINTR:
                try Signals.check()
            case EAGAIN:
                var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                _ = Glibc.poll(&p, 1, 1000)
                try Signals.check()
            case EPIPE:
                throw Exit.outputClosed
            default:
                throw Exit.runtime("cannot write to stdout: " + String(cString: strerror(errno)))
            }
        }
    }
}
