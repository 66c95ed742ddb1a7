// InputReader: a record larger than its limit stops reading with Exit.badInput naming the
// record and the limit, in a buffer that never grows past the limit; records within it read whole.
import Glibc
import Testing
@testable import ZswiftCore

/// A reader over a file of `bytes` with no delimiter at all.
private func reader(over bytes: Int, limit: Int) throws -> InputReader {
    let path = "/tmp/zswift-reader-\(getpid())-\(bytes)-\(limit)"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    unlink(path)
    let chunk = [UInt8](repeating: 120, count: bytes)
    #expect(chunk.withUnsafeBytes { write(fd, $0.baseAddress, bytes) } == bytes)
    lseek(fd, 0, SEEK_SET)
    let reader = InputReader(fd: fd, capacity: 16)
    reader.recordLimit = limit
    reader.recordLimitName = "--max-msg-size \(limit)"
    return reader
}

@Test func aRecordOverTheLimitStopsReadingAtTheLimitWithTheRecordNamed() throws {
    let input = try reader(over: 100_000, limit: 1000)
    defer { close(input.fd) }
    var failure: Exit?
    do { while try input.fill(record: 7) {} } catch { failure = error }
    guard case let .badInput(text)? = failure else { Issue.record("no error: \(String(describing: failure))"); return }
    #expect(text == "input record 7 is larger than --max-msg-size 1000: stopped reading after 1000 bytes without its end")
    #expect(input.buffer.capacity <= 1000)
}

@Test func aRecordWithinTheLimitIsReadWhole() throws {
    let input = try reader(over: 999, limit: 1000)
    defer { close(input.fd) }
    while try input.fill(record: 1) {}
    #expect(input.unread.count == 999)
}
