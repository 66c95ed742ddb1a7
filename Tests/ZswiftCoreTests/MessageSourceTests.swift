// Message sources and the receive side's per-message steps, in-process: stdin through a decoder
// says "not yet" instead of blocking when asked to, names a malformed record, a repeated message
// keeps its interval, and a step sees each received message whole with its sequence and size.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// An InputReader over `text` in a temporary file.
private func reader(_ text: String) -> InputReader {
    let path = "/tmp/zswift-source-\(getpid())-\(text.count)-\(text.hashValue)"
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    unlink(path)
    _ = Array(text.utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    lseek(fd, 0, SEEK_SET)
    return InputReader(fd: fd)
}

@Test func decodedInputGivesEachRecordThenSaysNotYetWithoutReadingThenEnds() throws {
    let input = reader("a\nb\n")
    defer { close(input.fd) }
    var source = DecodedInput(LineDecoder(delimiter: 10, separator: nil), input: input, format: .line)
    var frames: [UnsafeRawBufferPointer] = []
    #expect(try source.next(&frames, waiting: false) == .notYet(due: nil))  // nothing read yet
    #expect(try source.next(&frames, waiting: true) == .message(record: 1))
    #expect(Array(frames[0]) == Array("a".utf8))
    #expect(try source.next(&frames, waiting: true) == .message(record: 2))
    #expect(try source.next(&frames, waiting: true) == .end)
}

@Test func decodedInputNamesAMalformedRecordAsItsUserSays() throws {
    let input = reader("00\nzz\n")
    defer { close(input.fd) }
    var source = DecodedInput(TextDecoder(format: .hex), input: input, format: .hex)
    var frames: [UnsafeRawBufferPointer] = []
    #expect(try source.next(&frames, waiting: true) == .message(record: 1))
    source.recordName = { _ in "the reply to request 7" }
    #expect(throws: Exit.self) { try source.next(&frames, waiting: true) }
    do { _ = try source.next(&frames, waiting: true) } catch {
        guard case let .badInput(text) = error else { Issue.record("\(error)"); return }
        #expect(text.hasPrefix("the reply to request 7 is not valid hex"))
    }
}

@Test func aRepeatedMessageComesOnceOrEveryIntervalForItsCount() throws {
    var once = RepeatedMessage([Array("x".utf8)], count: nil, interval: nil)
    var frames: [UnsafeRawBufferPointer] = []
    #expect(try once.next(&frames, waiting: true) == .message(record: 1))
    #expect(try once.next(&frames, waiting: true) == .end)
    var every = RepeatedMessage([Array("a".utf8), Array("b".utf8)], count: 2, interval: .ms(60_000))
    #expect(try every.next(&frames, waiting: true) == .message(record: 1))
    #expect(frames.map { Array($0) } == [Array("a".utf8), Array("b".utf8)])
    guard case let .notYet(due?) = try every.next(&frames, waiting: true) else { Issue.record("not a wait"); return }
    #expect(due - Clock.now() > 50_000)
}

/// Records what it is shown.
private final class Recorder: MessageStep {
    var seen: [ReceivedMessage] = []
    var needsFrames: Bool { true }
    func take(_ message: ReceivedMessage) throws(Exit) { seen.append(message) }
}

@Test func aStepSeesEveryReceivedMessageWholeWithItsSequenceAndSize() throws {
    let context = Context()
    let push = try Socket(context, type: .push)
    defer { push.close() }
    try push.set(.linger, 0)
    try push.connect("inproc://steps")
    #expect(try push.send(Array("ab".utf8), flags: [.dontWait, .more]))
    #expect(try push.send(Array("c".utf8), flags: .dontWait))
    #expect(try push.send(Array("def".utf8), flags: .dontWait))
    let out = CapturedOutput()
    let invocation = try Invocation(rawArguments(["pull", "-b", "inproc://steps", "-n", "2", "-t", "5s"]))
    let recorder = Recorder()
    let scope = RunScope(invocation, io: StandardIO(input: 0, output: out.fd, error: 2), diagnostics: Diagnostics(), context: context)
    scope.steps = MessageSteps([recorder])
    do {
        try invocation.command.spec.run(scope)
        scope.end(after: nil)
    } catch {
        scope.end(after: error)
        Issue.record("\(error)")
    }
    #expect(recorder.seen.map(\.sequence) == [1, 2])
    #expect(recorder.seen.map(\.size) == [3, 3])
    #expect(recorder.seen.map(\.frames) == [[Array("ab".utf8), Array("c".utf8)], [Array("def".utf8)]])
    #expect(try out.contents() == Array("ab\tc\ndef\n".utf8))
}
