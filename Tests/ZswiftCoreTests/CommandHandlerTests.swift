// Command handlers driven in-process over inproc://, without a subprocess: the test's own socket
// shares the run's context, stdout is a temporary file, and the run ends by --count.
import Glibc
import Testing
import ZMQ
@testable import ZswiftCore

/// Runs `words` in-process in `context`, stdin from `input`; returns the status, stdout, stderr
/// and the error that ended the run, if any.
func runInProcess(_ context: Context, _ words: [String], input: [UInt8] = []) throws -> (status: Int32, out: [UInt8], err: [UInt8], ending: Exit?) {
    let out = CapturedOutput(), err = CapturedOutput()
    let inputPath = "/tmp/zswift-handler-\(getpid())-\(words.joined().hashValue)"
    let fd = open(inputPath, O_RDWR | O_CREAT | O_TRUNC, 0o600)
    unlink(inputPath)
    defer { close(fd) }
    _ = input.withUnsafeBytes { write(fd, $0.baseAddress, input.count) }
    lseek(fd, 0, SEEK_SET)
    let invocation = try Invocation(rawArguments(words))
    let diagnostics = Diagnostics(fd: err.fd)
    diagnostics.verbosity = invocation.verbosity
    var ending: Exit?
    do {
        try RunScope.run(invocation, io: StandardIO(input: fd, output: out.fd, error: err.fd), diagnostics: diagnostics,
                         context: context, invocation.command.spec.run)
    } catch { ending = error }
    return (ending?.status ?? 0, try out.contents(), try err.contents(), ending)
}

@Test func pullPrintsWhatArrivesOverInprocUntilItsCount() throws {
    let context = Context()
    let push = try Socket(context, type: .push)
    defer { push.close() }
    try push.set(.linger, 0)
    // inproc lets a socket connect before the bind and queue for it
    try push.connect("inproc://handler-pull")
    for word in ["one", "two", "three"] { #expect(try push.send(Array(word.utf8), flags: .dontWait)) }
    let r = try runInProcess(context, ["pull", "-b", "inproc://handler-pull", "-n", "3", "-t", "5s"])
    #expect(r.status == 0, "\(String(decoding: r.err, as: UTF8.self))")
    #expect(r.out == Array("one\ntwo\nthree\n".utf8))
}

@Test func pushSendsStdinOverInprocAndDeliversBeforeItEnds() throws {
    let context = Context()
    let pull = try Socket(context, type: .pull)
    defer { pull.close() }
    try pull.bind("inproc://handler-push")
    let r = try runInProcess(context, ["push", "-c", "inproc://handler-push", "--linger", "0"], input: Array("a\nb\n".utf8))
    #expect(r.status == 0, "\(String(decoding: r.err, as: UTF8.self))")
    var message = Message()
    var got: [String] = []
    while try pull.receive(&message, dontWait: true) { got.append(String(decoding: message.bytes, as: UTF8.self)) }
    #expect(got == ["a", "b"])
}

@Test func aReceiverWhoseTimeoutRunsOutEndsWithStatusThreeInProcess() throws {
    let context = Context()
    let r = try runInProcess(context, ["pull", "-b", "inproc://handler-timeout", "-t", "100ms"])
    #expect(r.status == 3)
    guard case let .failed(_, message, _)? = r.ending else { Issue.record("ended with \(String(describing: r.ending))"); return }
    #expect(message == "no message arrived within --timeout 100ms; no peer connected to inproc://handler-timeout")
}
