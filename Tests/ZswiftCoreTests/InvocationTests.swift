// Step two of the command line (Invocation.init): the cross-flag rules, --data decoded in the
// --in format, defaults, and how endpoints and formats land in the checked invocation.
import Testing
import ZMQ
@testable import ZswiftCore

// MARK: - Defaults

@Test func defaultsAreLineFormatNewlineDelimiterStdinAndLingerForEver() throws {
    let inv = try invocation("push", ":5555")
    #expect(inv.command == .push)
    #expect(inv.input == Framing(format: .line, delimiter: 10, separator: nil))
    #expect(inv.output == Framing(format: .line, delimiter: 10, separator: nil))
    #expect(inv.source == .stdin)
    #expect(inv.linger == .forever)
    #expect(inv.count == nil && inv.interval == nil && inv.delay == nil && inv.timeout == nil)
    #expect(inv.socket.ipv6 == false)
    #expect(inv.socket.subscriptions.isEmpty)
    #expect(inv.legacyZMTP == false && inv.verbosity == 0 && inv.stats == false && inv.events == nil)
}

@Test func endpointsKeepBindsThenConnectsThenPositionals() throws {
    let inv = try invocation("pull", "h:2", "-c", ":3", "-b", ":1", ":4")
    #expect(inv.endpoints.map(\.address) == ["tcp://*:1", "tcp://127.0.0.1:3", "tcp://h:2", "tcp://*:4"])
    #expect(inv.endpoints.map(\.role) == [.bind, .connect, .connect, .bind])
}

// MARK: - Rules

@Test func aCommandWithoutAnEndpointIsAUsageErrorWithAnExample() throws {
    let error = try #require(usageError("pull", "-n", "1"))
    #expect(error.message == "pull needs an endpoint to bind or connect")
    #expect(error.hint?.contains("zswift pull :5555") == true)
}

@Test func dataAndFileTogetherAreAUsageError() throws {
    let error = try #require(usageError("push", "-d", "x", "--file", "/etc/hosts", ":5555"))
    #expect(error.message.contains("--data and --file"))
}

@Test func intervalWithoutDataOrFileIsAUsageError() throws {
    let error = try #require(usageError("push", "-i", "1s", ":5555"))
    #expect(error.message.contains("--interval"))
    #expect(try invocation("push", "-i", "1s", "-d", "x", ":5555").interval == .ms(1000))
    #expect(try invocation("push", "-i", "1s", "--file", "/etc/hosts", ":5555").source == .file("/etc/hosts"))
}

@Test func nulDelimitersWithJSONIsAUsageError() throws {
    let error = try #require(usageError("push", "-0", "--format", "json", ":5555"))
    #expect(error.message.hasPrefix("-0 applies to line format only"))
    #expect(error.message.contains("json"))
    #expect(error.hint?.contains("--format line") == true)
}

@Test func nulDelimitersApplyWhenEitherDirectionIsLine() throws {
    // pair reads json but writes line: -0 still means something
    let inv = try invocation("pair", "--in", "json", "-0", ":5555")
    #expect(inv.input.delimiter == 0 && inv.output.delimiter == 0)
    #expect(inv.input.format == .json && inv.output.format == .line)
    // a receiver's --in is not its business: pull with -f hex and -0 is refused
    #expect(usageError("pull", "-f", "hex", "-0", ":5555") != nil)
}

@Test func aSeparatorWithHexIsAUsageError() throws {
    let error = try #require(usageError("pull", "--format", "hex", "-S", ",", ":5555"))
    #expect(error.message == "--separator applies to line format only")
}

@Test func aSeparatorContainingTheRecordDelimiterIsAUsageError() throws {
    let newline = try #require(usageError("push", "-S", "a\nb", ":5555"))
    #expect(newline.message.contains("newline"))
    let raw = try Parser.parse([ArgumentValue("push"), ArgumentValue("-0"), ArgumentValue("-S"), ArgumentValue([0x7C, 0x00]), ArgumentValue(":5555")])
    guard case let .run(args) = raw else { Issue.record("not .run"); return }
    let nul = #expect(throws: UsageError.self) { try Invocation(args) }
    #expect(nul?.message.contains("NUL") == true)
    // with -0 a newline inside the separator is fine
    #expect(try invocation("push", "-0", "-S", "\n", ":5555").input.separator == [10])
}

@Test func theSeparatorAndDelimiterReachBothDirections() throws {
    let inv = try invocation("pair", "-0", "-S", "::", ":5555")
    #expect(inv.input == Framing(format: .line, delimiter: 0, separator: bytes("::")))
    #expect(inv.output == inv.input)
}

@Test func formatFlagsSetBothDirectionsAndInOutOverrideOne() throws {
    let both = try invocation("pair", "-f", "hex", ":5555")
    #expect(both.input.format == .hex && both.output.format == .hex)
    let split = try invocation("pair", "-f", "hex", "--in", "json", "--out", "zmtp", ":5555")
    #expect(split.input.format == .json && split.output.format == .zmtp)
}

// MARK: - --data in the --in format

@Test func dataIsDecodedInTheInputFormat() throws {
    #expect(try invocation("push", "--in", "hex", "-d", "00ff", ":5555").source == .frames([[0x00, 0xFF]]))
    #expect(try invocation("push", "--in", "base64", "-d", "AP8=", ":5555").source == .frames([[0x00, 0xFF]]))
    #expect(try invocation("push", "--in", "quoted", "-d", "\"a\\x00b\"", ":5555").source == .frames([[0x61, 0x00, 0x62]]))
    #expect(try invocation("push", "--in", "quoted", "-d", "tab\\there", ":5555").source == .frames([bytes("tab\there")]))
    #expect(try invocation("push", "--in", "json", "-d", "{\"base64\":\"AP8=\"}", ":5555").source == .frames([[0x00, 0xFF]]))
    #expect(try invocation("push", "--in", "json", "-d", "\"\\u00e9\"", ":5555").source == .frames([[0xC3, 0xA9]]))
    #expect(try invocation("push", "-d", "00ff", "-d", "", ":5555").source == .frames([bytes("00ff"), []]))
}

@Test func formatAppliesToDataLikeIn() throws {
    #expect(try invocation("push", "-f", "hex", "-d", "0a", ":5555").source == .frames([[0x0A]]))
}

@Test func badDataInTheInputFormatIsAUsageErrorNamingData() throws {
    let error = try #require(usageError("push", "--in", "hex", "-d", "00", "-d", "0g", ":5555"))
    #expect(error.message.hasPrefix("--data #2 is not valid hex"))
    #expect(error.message.contains("'g' is not a hex digit"))
    #expect(error.hint?.contains("--in") == true)
    let json = try #require(usageError("push", "--in", "json", "-d", "[\"a\",\"b\"]", ":5555"))
    #expect(json.message.contains("one frame"))
    let quoted = try #require(usageError("push", "--in", "quoted", "-d", "\"a\" x", ":5555"))
    #expect(quoted.message.contains("after the closing quote"))
}

@Test func dataEndingInABackslashInQuotedFormatIsRefusedWithAClearReason() throws {
    let error = try #require(usageError("push", "--in", "quoted", "-d", "abc\\", ":5555"))
    #expect(error.message.hasPrefix("--data #1 is not valid quoted"))
    #expect(!error.message.contains("unterminated"))

}

@Test func dataInZmtpFormatIsTakenLiterally() throws {
    // Flags.swift's doc says --data is "decoded in the --in format" for every format but line and raw;
    // for zmtp it is in fact taken as it is (there is no textual zmtp).
    #expect(try invocation("push", "--in", "zmtp", "-d", "abc", ":5555").source == .frames([bytes("abc")]))
}

// MARK: - Endpoints and socket settings

@Test func anIPv6LiteralEndpointTurnsIPv6On() throws {
    #expect(try invocation("pull", "[::1]:5555").socket.ipv6)
    #expect(try invocation("pull", "-b", "tcp://[::]:5555").socket.ipv6)
    #expect(try invocation("pull", "--ipv6", ":5555").socket.ipv6)
    #expect(try invocation("pull", ":5555").socket.ipv6 == false)
}

@Test func lingerSetsTheBoundOnDeliveryAndOtherwiseTimeoutDoes() throws {
    let linger = try invocation("push", "--linger", "0", "-t", "5s", ":5555")
    #expect(linger.linger == .ms(0) && !linger.lingerIsTimeout && linger.lingerSource == "--linger")
    let timeout = try invocation("push", "-t", "5s", ":5555")
    #expect(timeout.linger == .ms(5000) && timeout.lingerIsTimeout && timeout.lingerSource == "--timeout")
}

@Test func countWaitAndDiagnosticsFlagsReachTheInvocation() throws {
    let inv = try invocation("pub", "-n", "3", "--wait-subscribers", "2", "-t", "5s", "--delay", "100ms",
                             "-vv", "--stats", "--events", "json", "--legacy-zmtp", "-d", "x", ":5555")
    #expect(inv.count == 3 && inv.waitSubscribers == 2 && inv.timeout == .ms(5000) && inv.delay == .ms(100))
    #expect(inv.verbosity == 2 && inv.stats && inv.events == .json && inv.legacyZMTP)
    #expect(inv.source == .frames([bytes("x")]))
}

// MARK: - Socket options and socket types

@Test(arguments: [
    (["pull", "-o", "subscribe=x", ":1"], "pull opens a PULL socket", "it is for: sub"),
    (["xsub", "-o", "subscribe=x", ":1"], "xsub opens an XSUB socket", "it is for: sub"),
    (["dealer", "-o", "router_mandatory=1", ":1"], "dealer opens a DEALER socket", "it is for: rep, router"),
    (["push", "-o", "req_relaxed=1", ":1"], "push opens a PUSH socket", "it is for: req"),
    (["sub", "-o", "xpub_verbose=1", ":1"], "sub opens a SUB socket", "it is for: pub, xpub"),
    (["pair", "-o", "conflate=1", ":1"], "pair opens a PAIR socket", "it is for: "),
    (["router", "-o", "stream_notify=1", ":1"], "router opens a ROUTER socket", "no zswift command opens a STREAM socket"),
    (["broker", "--mode", "forwarder", "-o", "subscribe=x", ":1", ":2"], "broker --mode forwarder opens an XSUB socket", "it is for: sub"),
    (["broker", "-o", "router_handover=1", ":1", ":2"], "broker --mode queue opens a DEALER socket", "it is for: rep, router"),
])
func aSocketOptionForAnotherSocketTypeIsAUsageErrorNamingTheType(_ words: [String], _ says: String, _ hint: String) throws {
    let raw = try rawArguments(words)
    let error = #expect(throws: UsageError.self) { try Invocation(raw) }
    #expect(error?.message.hasPrefix("-o \(words[words.firstIndex(of: "-o")! + 1]): \(says)") == true, "\(error?.message ?? "no error")")
    #expect(error?.hint?.hasPrefix(hint) == true, "\(error?.hint ?? "no hint")")
}

@Test(arguments: [
    ["sub", "-o", "subscribe=x", ":1"], ["rep", "-o", "router_mandatory=1", ":1"], ["req", "-o", "req_relaxed=1", ":1"],
    ["pub", "-o", "xpub_nodrop=1", ":1"], ["xpub", "-o", "xpub_welcome_msg=hi", ":1"], ["router", "-o", "router_handover=1", ":1"],
    ["dealer", "-o", "probe_router=1", ":1"], ["push", "-o", "conflate=1", ":1"], ["pull", "-o", "tcp_keepalive=1", ":1"],
    ["broker", "--mode", "streamer", "-o", "conflate=1", ":1", ":2"], ["broker", "-o", "probe_router=1", ":1", ":2"],
])
func aSocketOptionForTheCommandsSocketTypeIsAccepted(_ words: [String]) throws {
    #expect(try Invocation(rawArguments(words)).socket.custom.count == 1)
}
