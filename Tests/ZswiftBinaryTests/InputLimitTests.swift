// Black-box: input without end (/dev/zero, a line that never ends, a command that never stops
// writing) fails at the input limit in bounded memory, with one line naming the flag, status 1.
import Testing
import TestSupport

@Test func aFileWithoutEndStopsAtMaxMsgSize() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--file", "/dev/zero", "--max-msg-size", "1000000"])
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("--file /dev/zero is larger than --max-msg-size 1000000"), "\(r)")
    #expect(r.err.contains("hint: --max-msg-size"), "\(r)")
}

@Test func aFileWithoutEndStopsAtTheDefaultInputLimit() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--file", "/dev/zero"], within: 60)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("--file /dev/zero is larger than the 256 MiB input limit"), "\(r)")
}

@Test(arguments: [["-f", "raw", "--max-msg-size", "1000000"], ["--max-msg-size", "1000000"], ["--in", "hex", "--max-msg-size", "1000000"], []])
func stdinWithoutEndStopsAtTheInputLimit(flags: [String]) throws {
    let r = try shell("\"$Z\" push -c \(Paths.ipcEndpoint()) \(flags.joined(separator: " ")) < /dev/zero", within: 60)
    #expect(r.status == 1, "\(r)")
    let limit = flags.isEmpty ? "the 256 MiB input limit" : "--max-msg-size 1000000"
    #expect(r.err.contains("input record 1 is larger than \(limit)"), "\(r)")
}

@Test func aRecordOverTheLimitFailsAfterTheRecordsBeforeItAreDelivered() throws {
    let (pull, endpoint) = try startBound("pull", ["-n", "1", "-t", "5s"])
    let r = try shell("(echo first; head -c 3000000 /dev/zero | tr '\\0' x) | \"$Z\" push -c \(endpoint) --max-msg-size 1000000")
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("input record 2 is larger than --max-msg-size 1000000"), "\(r)")
    #expect(pull.wait(within: 10).out == "first\n")
}

@Test func anExecCommandThatNeverStopsWritingIsKilledAtTheLimitAndTheClientStillGetsAnAnswer() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "1", "--max-msg-size", "100000", "--exec", "yes"])
    let r = try zswift(["req", "-c", endpoint, "-d", "x", "--out", "json", "-t", "10s"])
    #expect(r.status == 0 && r.out == "[\"\"]\n", "\(r)")
    let end = rep.wait(within: 10)
    #expect(end.status == 1, "\(end)")
    #expect(end.err.contains("'yes' wrote more than --max-msg-size 100000 and was killed"), "\(end)")
}
