// stdin through one reusable buffer and read(2): decoders look at `unread` in place and the
// frames are sent straight from it. The buffer grows only when one record is larger than it.
import Glibc

final class InputReader {
    let fd: Int32
    /// What the input is called in errors: "stdin", or "--file PATH".
    let name: String
    let buffer: ByteBuffer
    private(set) var start = 0
    private(set) var atEnd = false
    /// Bytes read so far.
    private(set) var total = 0
    /// The most bytes one record may take: past it, fill() fails instead of growing the buffer.
    var recordLimit = Int.max
    /// What set `recordLimit`, for the error ("--max-msg-size 1000").
    var recordLimitName = ""
    /// Runs before a read that may block, so that the run's event loop serves its sockets'
    /// events while the input is idle (`tail -f log | zswift pub -v`).
    var waitForInput: (() throws(Exit) -> Void)?

    init(fd: Int32 = 0, name: String = "stdin", capacity: Int = 256 * 1024) {
        self.fd = fd
        self.name = name
        buffer = ByteBuffer(capacity: capacity)
    }

    /// The bytes read but not yet taken by a decoder.
    @inline(__always)
    var unread: UnsafeRawBufferPointer { buffer.bytes(start, buffer.count) }

    @inline(__always)
    func consume(_ n: Int) { start += n }

    /// Reads more input, keeping the unread bytes, for input record number `record` (which
    /// errors name). Returns false at end of input. A record that needs more than `recordLimit`
    /// bytes is `Exit.badInput`: memory stays bounded whatever the input.
    /// `waiting`: false when the caller knows a read will not block (it polled the input).
    @discardableResult
    func fill(record: Int, waiting: Bool = true) throws(Exit) -> Bool {
        if atEnd { return false }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        if buffer.count >= recordLimit {
            throw Exit.badInput((name == "stdin" ? "input record \(record)" : name)
                                + " is larger than \(recordLimitName): stopped reading after \(buffer.count) bytes without its end")
        }
        if buffer.count == buffer.capacity {
            // double, but go straight to the limit rather than double again just short of it
            let doubled = buffer.capacity * 2
            buffer.resize(to: doubled + doubled / 2 >= recordLimit ? recordLimit : doubled)
        }
        if waiting, let waitForInput { try waitForInput() }
        while true {
            let n = Glibc.read(fd, buffer.base + buffer.count, min(buffer.capacity, recordLimit) - buffer.count)
            if n > 0 {
                buffer.count += n
                total += n
                return true
            }
            if n == 0 {
                atEnd = true
                return false
            }
            switch errno {
            case EINTR:
                try Signals.check()
            case EAGAIN:
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                _ = Glibc.poll(&p, 1, 1000)
                try Signals.check()
            default:
                throw Exit.runtime("cannot read \(name): " + String(cString: strerror(errno)))
            }
        }
    }
}
