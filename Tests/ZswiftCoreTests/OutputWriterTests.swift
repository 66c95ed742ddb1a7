// OutputWriter and ByteBuffer: buffered and direct writes keep their order, a closed reader ends
// quietly (Exit.outputClosed), other write errors are runtime errors.
import Glibc
import Testing
@testable import ZswiftCore

@Test func smallAndLargeAppendsComeOutInOrder() throws {
    let captured = CapturedOutput()
    var want: [UInt8] = []
    var rng = SplitMix64(seed: 7)
    for i in 0..<80 {
        let size = Bool.random(using: &rng) ? Int.random(in: 0...100, using: &rng) : Int.random(in: 0...(3 * OutputWriter.directThreshold), using: &rng)
        let chunk = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)
        let trailer: UInt8? = Bool.random(using: &rng) ? UInt8.random(in: 0...255, using: &rng) : nil
        try chunk.withUnsafeBytes { try captured.writer.append($0, then: trailer) }
        want += chunk + (trailer.map { [$0] } ?? [])
        if Int.random(in: 0..<10, using: &rng) == 0 { try captured.writer.flushIfFull() }
    }
    #expect(try captured.contents() == want)
}

@Test func largeFramesAndTheirTrailersSurvivePartialWritesToANonBlockingPipe() async throws {
    signal(SIGPIPE, SIG_IGN)
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    _ = fcntl(fds[1], F_SETFL, O_NONBLOCK)  // writev then takes what fits and returns a count
    let readEnd = fds[0]
    let reader = Task.detached { () -> [UInt8] in
        var all: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 7000)  // small reads: the writer keeps meeting a full pipe
        while true {
            let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
            if n <= 0 { return all }
            all += chunk[0..<n]
        }
    }
    let writer = OutputWriter(fd: fds[1])
    var want: [UInt8] = []
    var rng = SplitMix64(seed: 11)
    for i in 0..<60 {
        let size = Int.random(in: 0...(6 * OutputWriter.directThreshold), using: &rng)
        let chunk = [UInt8](repeating: UInt8(truncatingIfNeeded: i), count: size)
        let trailer: UInt8? = i % 3 == 0 ? nil : UInt8(ascii: "\n")
        try chunk.withUnsafeBytes { try writer.append($0, then: trailer) }
        want += chunk + (trailer.map { [$0] } ?? [])
    }
    try writer.flush()
    close(fds[1])
    let got = await reader.value
    close(readEnd)
    #expect(got.count == want.count)
    #expect(got == want)
}

@Test func nothingIsWrittenUntilAFlushOrALargeFrame() throws {
    let captured = CapturedOutput()
    try bytes("small").withUnsafeBytes { try captured.writer.append($0) }
    #expect(lseek(captured.fd, 0, SEEK_END) == 0)
    try captured.writer.flushIfFull()
    #expect(lseek(captured.fd, 0, SEEK_END) == 0, "below the flush threshold nothing is written")
    let large = [UInt8](repeating: 1, count: OutputWriter.directThreshold)
    try large.withUnsafeBytes { try captured.writer.append($0) }
    #expect(lseek(captured.fd, 0, SEEK_END) == off_t(5 + large.count), "a large frame flushes what is buffered and goes straight out")
    #expect(captured.writer.buffer.count == 0)
}

@Test func writingToAPipeWhoseReaderHasGoneEndsQuietly() throws {
    signal(SIGPIPE, SIG_IGN)  // as zswift itself does (Signals.install); otherwise the test process would die
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    close(fds[0])
    defer { close(fds[1]) }
    let writer = OutputWriter(fd: fds[1])
    writer.buffer.append(bytes("hello"))
    do {
        try writer.flush()
        Issue.record("flush to a pipe without a reader succeeded")
    } catch {
        guard case .outputClosed = error else { Issue.record("got \(error), want .outputClosed"); return }
        #expect(error.status == 0)
    }
}

@Test func aWriteErrorOtherThanAGoneReaderIsARuntimeError() throws {
    // a descriptor open for reading only: write(2) fails with EBADF
    let fd = open("/dev/null", O_RDONLY)
    #expect(fd >= 0)
    defer { close(fd) }
    let writer = OutputWriter(fd: fd)
    writer.buffer.append(bytes("x"))
    do {
        try writer.flush()
        Issue.record("flush to a read-only descriptor succeeded")
    } catch {
        guard case let .failed(status, message, _) = error else { Issue.record("got \(error)"); return }
        #expect(status == .failure)
        #expect(message.hasPrefix("cannot write to stdout: "))
    }
}

@Test func aWriterWithoutWaitingKeepsWhatAStalledPipeCannotTakeAndLeavesTheSharedDescriptorBlocking() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]); close(fds[1]) }
    let writer = OutputWriter.withoutWaiting(fd: fds[1])
    let all = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
    all.withUnsafeBytes { writer.buffer.append($0) }
    // nobody reads: the pipe takes what fits and the call returns at once with the rest kept
    let first = try writer.writeWithoutWaiting()
    #expect(first > 0 && first < all.count)
    #expect(writer.pendingBytes == all.count - first)
    #expect(try writer.writeWithoutWaiting() == 0)
    // the pipe's own description (shared with the rest of a pipeline) was not made non-blocking
    #expect(fcntl(fds[1], F_GETFL) & O_NONBLOCK == 0)
    // as the reader reads, the rest follows in order
    var got: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while got.count < all.count {
        let n = chunk.withUnsafeMutableBytes { read(fds[0], $0.baseAddress!, $0.count) }
        #expect(n > 0)
        if n <= 0 { break }
        got += chunk[0..<n]
        _ = try writer.writeWithoutWaiting()
    }
    #expect(got == all)
    #expect(writer.pendingBytes == 0 && writer.buffer.count == 0)
}

@Test func aWriterWithoutWaitingNeverWritesOnAppendOrFlush() throws {
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[0]); close(fds[1]) }
    let writer = OutputWriter.withoutWaiting(fd: fds[1])
    let large = [UInt8](repeating: 1, count: 4 * OutputWriter.flushThreshold)
    try large.withUnsafeBytes { try writer.append($0, then: 10) }
    try writer.flushIfFull()
    try writer.flush()
    var waiting: Int32 = 0
    #expect(ioctl(fds[0], UInt(FIONREAD), &waiting) == 0 && waiting == 0)
    #expect(writer.pendingBytes == large.count + 1)
}

@Test func aWriterWithoutWaitingWhoseReaderHasGoneEndsQuietly() throws {
    signal(SIGPIPE, SIG_IGN)
    var fds: [Int32] = [0, 0]
    #expect(pipe(&fds) == 0)
    defer { close(fds[1]) }
    let writer = OutputWriter.withoutWaiting(fd: fds[1])
    close(fds[0])
    writer.buffer.append(bytes("hello"))
    do {
        _ = try writer.writeWithoutWaiting()
        Issue.record("a write to a pipe without a reader succeeded")
    } catch {
        guard case .outputClosed = error else { Issue.record("got \(error), want .outputClosed"); return }
    }
}

@Test func aByteBufferGrowsKeepingItsBytesAndDropsFromTheFront() {
    let buffer = ByteBuffer(capacity: 1)
    #expect(buffer.capacity == 16)
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0) }
    buffer.append(data)
    #expect(buffer.count == 1000 && buffer.capacity >= 1000)
    #expect(Array(buffer.bytes(0, buffer.count)) == data)
    buffer.removeFirst(10)
    #expect(Array(buffer.bytes(0, buffer.count)) == Array(data[10...]))
    buffer.removeFirst(buffer.count)
    #expect(buffer.count == 0)
    buffer.append("static")
    #expect(Array(buffer.bytes(0, buffer.count)) == bytes("static"))
}

@Test func firstIndexFindsBytesFromAnOffset() {
    let data = bytes("a\nb\nc")
    data.withUnsafeBytes { raw in
        #expect(raw.firstIndex(of: 10) == 1)
        #expect(raw.firstIndex(of: 10, from: 2) == 3)
        #expect(raw.firstIndex(of: 10, from: 4) == nil)
        #expect(raw.firstIndex(of: 10, from: 99) == nil)
    }
    [UInt8]().withUnsafeBytes { #expect($0.firstIndex(of: 10) == nil) }
}
