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

    /// Reads more input, keeping the unread bytes. Returns false at end of input. With
    /// `wouldBlockIsEmpty`, a non-blocking descriptor with nothing to read returns true at once.
    @discardableResult
    func fill() throws(Exit) -> Bool {
        if atEnd { return false }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        if buffer.count == buffer.capacity { buffer.grow(to: buffer.capacity * 2) }
        while true {
            let n = Glibc.read(fd, buffer.base + buffer.count, buffer.capacity - buffer.count)
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

extension InputReader {
    /// Reads the next message through `decoder` into `frames`, reading stdin as needed (calling
    /// `beforeReading` first, e.g. to flush output a coprocess waits for). `record` counts input
    /// records (a blank json line is a record without a message). Returns false at end of input;
    /// a malformed record is `Exit.badInput` naming its number.
    func nextMessage<D: MessageDecoder>(_ decoder: inout D, into frames: inout [UnsafeRawBufferPointer],
                                        record: inout Int, format: Format,
                                        beforeReading: () throws(Exit) -> Void = {}) throws(Exit) -> Bool {
        while true {
            let taken: Int?
            do { taken = try decoder.decode(unread, atEnd: atEnd, frames: &frames) } catch {
                throw Exit.badInput("input record \(record + 1) is not valid \(format.rawValue): \(error.reason)")
            }
            if let taken {
                consume(taken)
                record += 1
                if frames.isEmpty { continue }
                return true
            }
            if atEnd { return false }
            try beforeReading()
            try fill()
        }
    }
}
