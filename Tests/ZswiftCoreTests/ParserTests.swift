// Step one of the command line (Parser.parse): clusters, --flag=value, repeats, help and version
// requests, and the usage errors for unknown or misplaced flags and commands.
import Testing
@testable import ZswiftCore

// MARK: - Syntax

@Test func aShortClusterSetsEachSwitchAndGivesTheRestToTheValueFlag() throws {
    let raw = try rawArguments(["push", "-0n5", ":5555"])
    #expect(raw.nulDelimited)
    #expect(raw.count == 5)
    #expect(raw.positionals == [":5555"])
}

@Test func repeatingVerboseInOneClusterCountsEachV() throws {
    #expect(try rawArguments(["pull", "-vv", ":5555"]).verbosity == 2)
    #expect(try rawArguments(["pull", "-v", "-v", "-v", ":5555"]).verbosity == 3)
    #expect(try rawArguments(["pull", "--verbose", "-v", ":5555"]).verbosity == 2)
}

@Test(arguments: [
    ["push", "--count=7", ":5555"],
    ["push", "--count", "7", ":5555"],
    ["push", "-n7", ":5555"],
    ["push", "-n", "7", ":5555"],
    ["push", ":5555", "-n", "7"],
])
func everySpellingOfAValueFlagGivesTheSameValue(_ words: [String]) throws {
    #expect(try rawArguments(words).count == 7)
}

@Test func aValueAttachedToAShortFlagKeepsEverythingAfterTheLetter() throws {
    let raw = try rawArguments(["pull", "-b:5555", "-ctcp://h:1"])
    #expect(raw.binds == [":5555"])
    #expect(raw.connects == ["tcp://h:1"])
}

@Test func anInlineValueMayContainEqualsSignsAndBeEmpty() throws {
    let raw = try rawArguments(["push", "--data=a=b", "--data=", ":5555"])
    #expect(raw.data == [bytes("a=b"), []])
}

@Test func aValueThatLooksLikeAFlagIsTakenAsTheValue() throws {
    let raw = try rawArguments(["push", "-d", "--count", ":5555"])
    #expect(raw.data == [bytes("--count")])
    #expect(raw.count == nil)
}

@Test func aLoneDashIsAPositionalNotAFlag() throws {
    #expect(try rawArguments(["push", "-"]).positionals == ["-"])
}

@Test func argumentsAfterADoubleDashAreKeptForExecAndNotParsed() throws {
    let raw = try rawArguments(["push", ":5555", "--", "-n", "x"])
    #expect(raw.execArguments == ["-n", "x"])
    #expect(raw.count == nil)
}

@Test func aDoubleDashIsAUsageErrorForPushAtInvocationTime() throws {
    let raw = try rawArguments(["push", ":5555", "--", "cat"])
    let error = #expect(throws: UsageError.self) { try Invocation(raw) }
    #expect(error?.message.contains("--") == true)
    #expect(error?.message.contains("cat") == true)
    #expect(error?.hint != nil)
    // an empty tail after -- is refused too
    #expect(usageError("push", ":5555", "--") != nil)
}

@Test func aFlagWithAnOptionalValueTakesTheNextArgumentOnlyWhenItFits() throws {
    let with = try rawArguments(["pull", "--stats", "5s", ":5555"])
    #expect(with.stats && with.statsInterval == .ms(5000) && with.positionals == [":5555"])
    let without = try rawArguments(["pull", "--stats", ":5555"])
    #expect(without.stats && without.statsInterval == nil && without.positionals == [":5555"])
    let inline = try rawArguments(["pull", "--stats=250ms", ":5555"])
    #expect(inline.statsInterval == .ms(250))
    let last = try rawArguments(["pull", ":5555", "--stats"])
    #expect(last.stats && last.statsInterval == nil)
    #expect(throws: UsageError.self) { try parse("pull", "--stats=soon", ":5555") }
}

// MARK: - Repeats

@Test func repeatableFlagsAccumulateInOrder() throws {
    let raw = try rawArguments(["sub", "-b", ":1", "-b", ":2", "-c", "h:3", "-s", "a", "-s", "b", "--subscribe=c"])
    #expect(raw.binds == [":1", ":2"])
    #expect(raw.connects == ["h:3"])
    #expect(raw.subscriptions == [bytes("a"), bytes("b"), bytes("c")])
    let push = try rawArguments(["push", "-d", "one", "-d", "two", ":5555"])
    #expect(push.data == [bytes("one"), bytes("two")])
}

@Test func aNonRepeatableValueFlagGivenTwiceKeepsTheLast() throws {
    let raw = try rawArguments(["push", "-n", "5", "--count=9", "--linger", "1s", "--linger", "2s", ":5555"])
    #expect(raw.count == 9)
    #expect(raw.linger == .ms(2000))
    #expect(raw.given.filter { $0 == "count" }.count == 2)
}

@Test func theGivenListRecordsEachFlagByItsLongName() throws {
    let raw = try rawArguments(["push", "-0n5", "--linger=1s", ":5555"])
    #expect(raw.given == ["null", "count", "linger"])
}

@Test func payloadValuesKeepTheirExactBytesEvenWhenNotUTF8() throws {
    let request = try Parser.parse([ArgumentValue("push"), ArgumentValue("-d"), ArgumentValue([0xFF, 0x00, 0xFE]), ArgumentValue(":5555")])
    guard case let .run(raw) = request else { Issue.record("not .run"); return }
    #expect(raw.data == [[0xFF, 0x00, 0xFE]])
    let inline = try Parser.parse([ArgumentValue("push"), ArgumentValue(bytes("--data=") + [0xC3, 0x28]), ArgumentValue(":5555")])
    guard case let .run(raw2) = inline else { Issue.record("not .run"); return }
    #expect(raw2.data == [[0xC3, 0x28]])
}

@Test func aValueAttachedToAShortFlagKeepsItsExactBytesWhenNotUTF8() throws {
    // -d followed directly by the byte 0xFF: the value is that one byte
    let request = try Parser.parse([ArgumentValue("push"), ArgumentValue([UInt8(ascii: "-"), UInt8(ascii: "d"), 0xFF]), ArgumentValue(":5555")])
    guard case let .run(raw) = request else { Issue.record("not .run"); return }
    #expect(raw.data == [[0xFF]])

}

@Test func aCombiningMarkRightAfterAShortFlagLetterIsPartOfTheValue() throws {
    // -d followed by U+0301 COMBINING ACUTE ACCENT: Swift's Characters glue it to the "d"
    let words = ["push", "-d\u{301}x", ":5555"]
    let raw = try rawArguments(words)
    #expect(raw.data == [bytes("\u{301}x")])
}

// MARK: - Help and version

@Test func helpRequestsComeBackAsHelpWithTheirLevel() throws {
    guard case .help(nil, .short) = try parse("-h") else { Issue.record("-h"); return }
    guard case .help(nil, .long) = try parse("--help") else { Issue.record("--help"); return }
    guard case .help(nil, .long) = try parse("help") else { Issue.record("help"); return }
    guard case .help(.push?, .long) = try parse("help", "push") else { Issue.record("help push"); return }
    guard case .help(.push?, .short) = try parse("push", "-h") else { Issue.record("push -h"); return }
    guard case .help(.push?, .long) = try parse("push", "--help") else { Issue.record("push --help"); return }
    guard case .help(.sub?, .long) = try parse("sub", "-h", "--help") else { Issue.record("sub -h --help"); return }
    guard case .help(.sub?, .long) = try parse("sub", "--help", "-h") else { Issue.record("sub --help -h"); return }
    guard case .help(.pull?, .short) = try parse("pull", "-vh") else { Issue.record("pull -vh"); return }
}

@Test func aHelpFlagBeforeACommandAsksForThatCommandsHelp() throws {
    guard case .help(.req?, .long) = try parse("--help", "req") else { Issue.record("--help req"); return }
    guard case .help(.req?, .short) = try parse("-h", "req") else { Issue.record("-h req"); return }
    let typo = #expect(throws: UsageError.self) { try parse("--help", "rq") }
    #expect(typo?.hint == "did you mean req?")
}

@Test func helpForACommandNeedsNoEndpoint() throws {
    guard case .help(.pull?, .short) = try parse("pull", "-h") else { Issue.record("pull -h"); return }
}

@Test(arguments: [["--version"], ["-V"], ["version"], ["push", "--version"], ["pull", "-V", ":5555"]])
func everyVersionSpellingAsksForTheVersion(_ words: [String]) throws {
    guard case .version = try Parser.parse(argv(words)) else { Issue.record("\(words) is not .version"); return }
}

@Test(arguments: Generate.targets)
func theHiddenGenerateFlagNamesItsTarget(_ target: String) throws {
    guard case let .generate(what) = try parse("--generate", target) else { Issue.record("not .generate"); return }
    #expect(what == target)
}

@Test func generateWithAnUnknownTargetListsTheTargets() {
    let error = #expect(throws: UsageError.self) { try parse("--generate", "pdf") }
    #expect(error?.message.contains("man, bash, zsh, fish") == true)
}

// MARK: - Usage errors

/// The commands a flag is for, as the "it is for:" hint lists them.
func forCommands(_ long: String) -> String {
    Flag.named(long)!.commands.commands.map(\.rawValue).joined(separator: ", ")
}

@Test func anUnknownLongFlagIsNamedWithTheNearestFlagAsHint() {
    let error = #expect(throws: UsageError.self) { try parse("sub", "--subscibe", "x", ":5555") }
    #expect(error?.message == "unknown flag --subscibe")
    #expect(error?.hint == "did you mean --subscribe?")
}

@Test func anUnknownLongFlagFarFromAnyNamePointsAtTheCommandsHelp() {
    let error = #expect(throws: UsageError.self) { try parse("pull", "--zzzzzzzz", ":5555") }
    #expect(error?.message == "unknown flag --zzzzzzzz")
    #expect(error?.hint == "zswift pull -h lists its flags")
}

@Test func anUnknownShortFlagIsNamedWithItsCluster() {
    let error = #expect(throws: UsageError.self) { try parse("pull", "-vj", ":5555") }
    #expect(error?.message == "unknown flag -j in -vj")
    #expect(error?.hint?.contains("zswift pull -h") == true)
}

@Test func aFlagThatDoesNotApplyToTheCommandSaysWhichCommandsItIsFor() {
    let error = #expect(throws: UsageError.self) { try parse("push", "-s", "x", ":5555") }
    #expect(error?.message == "-s does not apply to push")
    #expect(error?.hint == "it is for: " + forCommands("subscribe"))
    #expect(forCommands("subscribe").contains("sub") && !forCommands("subscribe").contains("push"))
    let long = #expect(throws: UsageError.self) { try parse("pull", "--data", "x", ":5555") }
    #expect(long?.message == "--data does not apply to pull")
    #expect(long?.hint == "it is for: " + forCommands("data"))
    #expect(forCommands("data").hasPrefix("push") || forCommands("data").contains(" push"))
}

@Test func anUnknownCommandSuggestsTheNearestOne() {
    let error = #expect(throws: UsageError.self) { try parse("pul", ":5555") }
    #expect(error?.message == "unknown command 'pul'")
    #expect(error?.hint == "did you mean pull?")
    let far = #expect(throws: UsageError.self) { try parse("frobnicate") }
    #expect(far?.hint == "commands: " + Command.allCases.map(\.rawValue).joined(separator: ", "))
    let help = #expect(throws: UsageError.self) { try parse("help", "psh") }
    #expect(help?.hint == "did you mean push?")
}

@Test func aFlagBeforeTheCommandIsAUsageError() {
    let error = #expect(throws: UsageError.self) { try parse("-n", "5", "push") }
    #expect(error?.message.contains("a command comes first") == true)
}

@Test func noArgumentsAtAllIsAUsageErrorWithAHint() {
    let error = #expect(throws: UsageError.self) { try Parser.parse([]) }
    #expect(error?.message == "no command given")
    #expect(error?.hint != nil)
}

@Test(arguments: [(["push", "--count"], "--count"), (["push", "-n"], "-n"), (["pull", "-b"], "-b"), (["pull", "--timeout"], "--timeout")])
func aValueFlagAtTheEndNamesTheFlagThatNeedsAValue(_ words: [String], _ spelled: String) {
    let error = #expect(throws: UsageError.self) { try Parser.parse(argv(words)) }
    #expect(error?.message.hasPrefix("\(spelled) needs a value") == true)
    #expect(error?.hint?.hasPrefix("for example: \(spelled) ") == true)
}

@Test func aSwitchGivenAnInlineValueIsAUsageError() {
    let error = #expect(throws: UsageError.self) { try parse("push", "--null=1", ":5555") }
    #expect(error?.message == "--null takes no value")
}

@Test(arguments: [
    (["push", "-n", "0", ":1"], "--count"),
    (["push", "-n", "x", ":1"], "--count"),
    (["push", "--interval", "soon", "-d", "x", ":1"], "--interval"),
    (["push", "-f", "jsn", ":1"], "--format"),
    (["pull", "--max-msg-size", "lots", ":1"], "--max-msg-size"),
    (["pull", "--events", "xml", ":1"], "--events"),
    (["pull", "-S", "", ":1"], "--separator"),
    (["pull", "--identity", "", ":1"], "--identity"),
    (["pull", "-o", "nosuchoption=1", ":1"], "--sockopt"),
])
func aBadFlagValueIsAUsageErrorNamingTheFlag(_ words: [String], _ flag: String) {
    let error = #expect(throws: UsageError.self) { try Parser.parse(argv(words)) }
    #expect(error?.message.hasPrefix(flag) == true, "\(error?.message ?? "no error")")
}

@Test func anUnknownFormatSuggestsTheNearestFormat() throws {
    let error = #expect(throws: UsageError.self) { try parse("pull", "--out", "jsn", ":1") }
    #expect(error?.message == "--out: unknown format 'jsn'")
    #expect(error?.hint == "did you mean json?")
    #expect(try rawArguments(["pull", "-f", "HEX", ":1"]).format == .hex)
}

@Test(arguments: ["0", "0s", "0ms"])
func anExecTimeoutOfZeroIsAUsageErrorWithAHint(_ value: String) throws {
    let error = try #require(usageError("rep", ":5555", "--exec", "cat", "--exec-timeout", value))
    #expect(error.message.hasPrefix("--exec-timeout "))
    #expect(error.hint?.hasPrefix("leave --exec-timeout out") == true)
}

@Test(arguments: [Command.pull, .sub, .req])
func lingerDoesNotApplyToCommandsThatDeliverNothingAtTheEnd(_ command: Command) {
    let error = #expect(throws: UsageError.self) { try parse(command.rawValue, "--linger", "1s", ":5555") }
    #expect(error?.message == "--linger does not apply to \(command.rawValue)")
}

@Test(arguments: [Command.push, .pub, .rep, .pair, .dealer, .router, .xpub, .xsub])
func lingerAppliesToEveryCommandThatDeliversAtTheEnd(_ command: Command) throws {
    #expect(try rawArguments([command.rawValue, "--linger", "1s", ":5555"]).linger == .ms(1000))
}

// MARK: - Socket option values

@Test(arguments: [
    ("sndhwm=-7", "0 or more"), ("linger=-2", "-1 or more"), ("tcp_keepalive=2", "-1, 0 or 1"),
    ("rate=0", "1 or more"), ("heartbeat_ttl=6553600", "0 to 6553599"), ("routing_id=", "1 to 255 bytes"),
    ("zap_domain=", "1 to 255 bytes"), ("bindtodevice=a-very-long-interface-name", "at most 16 bytes"),
    ("curve_serverkey=short", "40 characters"), ("curve_serverkey=" + String(repeating: "~", count: 40), "40 characters"),
    ("curve_serverkey=" + String(repeating: "%", count: 40), "40 characters"),
])
func aSocketOptionValueLibzmqWouldRefuseIsAUsageErrorSayingWhatItTakes(_ setting: String, _ says: String) {
    let error = #expect(throws: UsageError.self) { try parse("push", "-o", setting, ":1") }
    #expect(error?.message.hasPrefix("-o \(setting): ") == true, "\(error?.message ?? "no error")")
    #expect(error?.message.contains(says) == true, "\(error?.message ?? "no error")")
    #expect(error?.hint != nil)
}

@Test(arguments: [
    "sndhwm=0", "linger=-1", "tcp_keepalive=-1", "heartbeat_ttl=6553599", "routing_id=a", "socks_proxy=",
    "plain_username=", "curve_serverkey=rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", "maxmsgsize=-1",
])
func aSocketOptionValueLibzmqTakesIsAccepted(_ setting: String) throws {
    #expect(try rawArguments(["push", "-o", setting, ":1"]).socketOptions.count == 1)
}

@Test func aRoutingIDStartingWithAZeroByteIsRefusedByIdentityAndByRoutingID() {
    let flag = #expect(throws: UsageError.self) { try Parser.parse([ArgumentValue("push"), ArgumentValue("--identity"), ArgumentValue([0, 1]), ArgumentValue(":1")]) }
    #expect(flag?.message.hasPrefix("--identity: ") == true)
    let option = #expect(throws: UsageError.self) { try Parser.parse([ArgumentValue("push"), ArgumentValue("-o"), ArgumentValue(bytes("routing_id=") + [0, 1]), ArgumentValue(":1")]) }
    #expect(option?.message.contains("not starting with a zero byte") == true)
}

@Test func conflateIsAFlagOnlyOfCommandsWhoseSocketLibzmqConflates() {
    let error = #expect(throws: UsageError.self) { try parse("pair", "--conflate", ":5555") }
    #expect(error?.message == "--conflate does not apply to pair")
    #expect(forCommands("conflate") == "pub, sub, push, pull, dealer")  // not worker: its messages are multipart
}
