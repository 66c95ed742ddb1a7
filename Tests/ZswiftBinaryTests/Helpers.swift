// Shorthands for black-box tests: run the built zswift, start it in the background, start a
// pyzmq peer, and turn the peer's JSON-hex lines back into messages.
import Glibc
import Testing
import TestSupport

/// Runs zswift to completion with `input` on stdin.
func zswift(_ arguments: [String], input: String = "", within seconds: Double = 20) throws -> Outcome {
    try run([Paths.zswift] + arguments, input: Array(input.utf8), within: seconds)
}

func zswift(_ arguments: [String], bytes: [UInt8], within seconds: Double = 20) throws -> Outcome {
    try run([Paths.zswift] + arguments, input: bytes, within: seconds)
}

/// Starts zswift in the background.
func startZswift(_ arguments: [String]) throws -> Process {
    try Process([Paths.zswift] + arguments)
}

/// Starts a zswift that binds tcp://127.0.0.1:* with -v and returns it with the endpoint it got.
func startBound(_ command: String, _ arguments: [String] = []) throws -> (Process, String) {
    let process = try startZswift([command, "-v", "-b", "tcp://127.0.0.1:*"] + arguments)
    return (process, try process.boundEndpoint())
}

/// Starts the pyzmq peer (Tests/peers/peer.py).
func startPeer(_ type: String, _ mode: String, _ endpoint: String, _ options: [String] = []) throws -> Process {
    try Process(["python3", Paths.peer("peer.py"), type, mode, endpoint] + options)
}

/// The messages a peer printed: each line a JSON array of hex frames.
func peerMessages(_ output: String) -> [[[UInt8]]] {
    output.split(separator: "\n").map { line in
        line.split(separator: "\"", omittingEmptySubsequences: false).enumerated().compactMap { i, part in i % 2 == 1 ? hexBytes(String(part)) : nil }
    }
}

/// Awkward messages: binary bytes, empty frames, a lone empty frame, a large frame.
let awkwardMessages: [[[UInt8]]] = [
    [[0, 255, 13, 10, 9, 0]],
    [Array("head".utf8), [], [0xC3], []],
    [[]],
    [Array("héllo \"quoted\" \\".utf8), Array(repeating: 0x41, count: 70_000)],
]

/// A message as the peer's JSON-hex line, for feeding its stdin.
func peerLine(_ frames: [[UInt8]]) -> String {
    "[" + frames.map { "\"" + hex($0) + "\"" }.joined(separator: ",") + "]\n"
}

func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    return String(bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] })
}

func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(text.utf8)[...]
    while chars.count >= 2 {
        out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
        chars = chars.dropFirst(2)
    }
    return out
}

/// Runs a shell pipeline with a deadline.
func shell(_ script: String, within seconds: Double = 20) throws -> Outcome {
    try run(["/bin/sh", "-c", script], within: seconds, environment: ["Z": Paths.zswift])
}

/// The lines of a text.
func lines(_ text: String) -> [String] { text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).dropLastIfEmpty() }

extension Array where Element == String {
    func dropLastIfEmpty() -> [String] { last == "" ? Array(dropLast()) : self }
}

/// Pumps `processes` until `condition` holds; throws when `seconds` pass first.
func waitUntil(_ what: String, within seconds: Double, pumping processes: [Process],
               _ condition: () -> Bool) throws {
    let deadline = Clock.milliseconds() + Int(seconds * 1000)
    while !condition() {
        if Clock.milliseconds() > deadline { throw SubprocessError("\(what) did not happen within \(seconds)s") }
        for process in processes { process.pump(waitMilliseconds: max(1, 20 / processes.count)) }
    }
}

/// How many lines of `haystack` contain `needle`.
func occurrences(of needle: String, in haystack: String) -> Int {
    haystack.split(separator: "\n").filter { $0.contains(needle) }.count
}

/// The summary's JSON as Python reads it, reprinted as "key=value" lines (latency_us flattened).
func pythonReads(_ json: String) throws -> [String: String] {
    let script = """
    import json, sys
    d = json.loads(sys.stdin.read())
    for k, v in d.items():
        if isinstance(v, dict):
            for kk, vv in v.items(): print(f"{k}.{kk}={vv}")
        else: print(f"{k}={v}")
    """
    let r = try run(["python3", "-c", script], input: json, within: 20)
    #expect(r.status == 0, "\(r)")
    var fields: [String: String] = [:]
    for line in r.out.split(separator: "\n") {
        let parts = line.split(separator: "=", maxSplits: 1).map(String.init)
        if parts.count == 2 { fields[parts[0]] = parts[1] }
    }
    return fields
}

/// What a process has written to stderr so far.
func errText(_ process: Process) -> String { String(decoding: process.stderr, as: UTF8.self) }

/// How many peers a zswift with -v accepted on `endpoint` (its "accepted ... on ENDPOINT" lines).
func accepted(on endpoint: String, _ process: Process) -> Int {
    errText(process).split(separator: "\n").filter { $0.contains("accepted ") && $0.hasSuffix(" on " + endpoint) }.count
}

/// Kills each process and waits for it.
func stop(_ processes: [Process]) {
    for process in processes { process.signal(SIGKILL) }
    for process in processes { _ = process.wait(within: 10) }
}

/// A broker with -v --stats --capture (and `options`) whose stdout is a FIFO nobody reads until
/// `closeInput()`; then a reader counts the lines that reached it (see `capturedLineCount`).
/// Returned once the broker has bound `backend`.
func startBrokerWithStuckCapture(frontend: String, backend: String, _ options: [String] = []) throws -> Process {
    let script = """
        mkfifo "$D/capture" || exit 99
        exec 4<&0
        (read -r go <&4; wc -l <&3) 3< "$D/capture" &
        exec "$Z" broker \(options.joined(separator: " ")) -v --stats --capture --frontend "$F" --backend "$B" < /dev/null > "$D/capture" 4<&-
        """
    let broker = try Process(["/bin/sh", "-c", script], environment: [
        "Z": Paths.zswift, "D": Paths.temporaryDirectory(), "F": frontend, "B": backend])
    try broker.waitForStderr("bound to \(backend)", within: 10)
    return broker
}

/// Lets the reader of a `startBrokerWithStuckCapture` broker read, and returns how many lines it
/// counted (nil when what it printed is not a number).
func capturedLineCount(_ broker: Process) throws -> Int? {
    broker.closeInput()
    try waitUntil("the reader's count", within: 10, pumping: [broker]) { broker.stdout.last == 10 }
    return Int(String(decoding: broker.stdout, as: UTF8.self).filter { !$0.isWhitespace })
}
