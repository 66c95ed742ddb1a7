// Black-box: usage errors from the built binary. Never imports ZswiftCore.
import Testing
import TestSupport

@Test func anUnknownFlagExitsTwoAndSuggestsTheNearestOne() throws {
    let r = try run([Paths.zswift, "sub", "--subscibe", "x", ":5555"], within: 10)
    #expect(r.status == 2)
    #expect(r.err.contains("unknown flag --subscibe"))
    #expect(r.err.contains("did you mean --subscribe?"))
    #expect(r.stdout.isEmpty)
}
