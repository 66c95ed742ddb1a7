// Black-box: a receiver whose stdout is slow. Time spent blocked writing stdout is not silence:
// a receiver with -t must not time out while its reader is busy, nor drop what libzmq already
// holds for it. Each case pipes the receiver into a reader that sleeps before it reads anything.
import Testing
import TestSupport

/// A receiving command, the peer that feeds it, and how many messages must get through.
struct SlowReaderCase: CustomStringConvertible, Sendable {
    let name: String
    /// The receiver; `$E` is its endpoint. Its stdout goes to the slow reader.
    let receiver: String
    /// The feeding peer, run in the background.
    let feeder: String
    let count: Int
    var description: String { name }
}

let slowReaderCases: [SlowReaderCase] = [
    SlowReaderCase(name: "pull", receiver: #""$Z" pull -b "$E" -t 1s"#,
                   feeder: #"seq 100000 | "$Z" push -c "$E""#, count: 100_000),
    // a PUB drops at its high-water mark by design: --sndhwm 0 keeps everything for the subscriber
    SlowReaderCase(name: "sub", receiver: #""$Z" sub -b "$E" -t 1s"#,
                   feeder: #"seq 100000 | "$Z" pub -c "$E" --sndhwm 0 --wait-subscribers 1 -t 10s"#, count: 100_000),
    SlowReaderCase(name: "xsub", receiver: #""$Z" xsub -b "$E" -s '' -t 1s </dev/null"#,
                   feeder: #"seq 20000 | "$Z" pub -c "$E" --sndhwm 0 --wait-subscribers 1 -t 10s"#, count: 20_000),
    SlowReaderCase(name: "pair", receiver: #""$Z" pair -b "$E" -t 1s </dev/null"#,
                   feeder: #"seq 20000 | "$Z" pair -c "$E" -t 10s"#, count: 20_000),
    SlowReaderCase(name: "router", receiver: #""$Z" router -b "$E" -t 1s </dev/null"#,
                   feeder: #"seq 20000 | "$Z" dealer -c "$E" -t 10s"#, count: 20_000),
    SlowReaderCase(name: "dealer", receiver: #""$Z" dealer -b "$E" --identity d -t 1s </dev/null"#,
                   feeder: #"seq 20000 | sed 's/^/64\t/' | "$Z" router -c "$E" --wait-peers 1 -t 10s"#, count: 20_000),
    SlowReaderCase(name: "rep coprocess", receiver: #"yes reply | head -20000 | "$Z" rep -b "$E" -t 1s"#,
                   feeder: #"seq 20000 | "$Z" req -c "$E" -t 10s >/dev/null"#, count: 20_000),
    SlowReaderCase(name: "req", receiver: #"seq 20000 | "$Z" req -c "$E" -t 1s"#,
                   feeder: #""$Z" rep -b "$E" --echo -n 20000 -t 10s"#, count: 20_000),
]

@Test(arguments: slowReaderCases)
func aReceiverWhoseStdoutIsSlowLosesNothingAndDoesNotTimeOutWhileItWrites(_ c: SlowReaderCase) throws {
    let endpoint = Paths.ipcEndpoint()
    let r = try shell("""
        E=\(endpoint)
        \(c.feeder) & feeder=$!
        \(c.receiver) | (sleep 2; wc -l | tr -d ' ')
        wait $feeder
        """, within: 40)
    #expect(r.out == "\(c.count)\n", "\(r)")
}
