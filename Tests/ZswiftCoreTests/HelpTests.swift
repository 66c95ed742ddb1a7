// Help text generated from the command list and flag table: `zswift --help`, `COMMAND -h` and
// `COMMAND --help` name every command and applicable flag, and show the exit statuses.
import Testing
@testable import ZswiftCore

@Test(arguments: [HelpLevel.short, .long])
func generalHelpListsEveryCommandAndFormat(_ level: HelpLevel) {
    let help = Help.general(level)
    for command in Command.allCases {
        #expect(help.contains("\n  \(command.rawValue) "), "\(command)")
        #expect(flattened(help).contains(command.summary), "\(command) summary")
    }
    #expect(help.contains("\n  help "))
    #expect(help.contains("\n  version "))
    if level == .long {
        for format in Format.allCases { #expect(help.contains("\n  \(format.rawValue) "), "\(format)") }
    }
    #expect(help.hasPrefix("zswift \(Version.zswift)"))
}

@Test func generalHelpShowsTheExitStatusTable() {
    let help = flattened(Help.general(.long))
    #expect(help.contains("Exit status:"))
    for status in ExitStatus.allCases {
        #expect(help.contains("\(status.rawValue) " + flattened(status.meaning)), "status \(status.rawValue)")
    }
    #expect(help.contains("128+N ended by signal N (130 for Ctrl-C)"))
}

@Test(arguments: Command.allCases)
func longCommandHelpExplainsEveryApplicableFlagAndShowsExamplesAndExitStatuses(_ command: Command) {
    let help = Help.command(command, .long)
    let flat = flattened(help)
    #expect(help.hasPrefix("zswift \(command.rawValue): \(command.summary)\n"))
    #expect(flat.contains(flattened(command.details)))
    for flag in Flag.all where flag.commands.contains(command) {
        #expect(help.contains(flag.synopsis), "--\(flag.long)")
        #expect(flat.contains(flattened(flag.summary)), "--\(flag.long) summary")
        #expect(flat.contains(flattened(flag.doc)), "--\(flag.long) doc")
        if !flag.choices.isEmpty { #expect(flat.contains("Choices: " + flag.choices.joined(separator: ", ")), "--\(flag.long)") }
    }
    for (line, what) in command.examples {
        #expect(help.contains("  " + line + "\n"))
        #expect(flat.contains(flattened(what)))
    }
    for status in ExitStatus.allCases { #expect(flat.contains("\(status.rawValue) " + flattened(status.meaning))) }
}

@Test(arguments: Command.allCases)
func shortCommandHelpIsShorterAndLeavesOutTheDetails(_ command: Command) {
    let short = Help.command(command, .short)
    let long = Help.command(command, .long)
    #expect(short.count < long.count)
    #expect(short.contains("'zswift \(command.rawValue) --help' explains each flag."))
    for flag in Flag.all where flag.commands.contains(command) {
        #expect(flattened(short).contains(flattened(flag.summary)), "--\(flag.long)")
        #expect(!flattened(short).contains(flattened(flag.doc)), "--\(flag.long) doc in -h")
    }
    #expect(!short.contains("Exit status:"))
}

@Test func flagsAreGroupedUnderTheirCategoryInTableOrder() {
    let help = Help.command(.push, .long)
    var last = help.startIndex
    for category in FlagCategory.allCases {
        guard let range = help.firstRange(of: "\n\(category.rawValue):\n") else { continue }
        #expect(range.lowerBound >= last, "\(category.rawValue) out of order")
        last = range.lowerBound
    }
    let pushFlags = Flag.all.filter { $0.commands.contains(.push) }
    let positions = pushFlags.compactMap { help.firstRange(of: "  " + $0.synopsis)?.lowerBound }
    #expect(positions.count == pushFlags.count)
}

@Test func helpLinesFitTheHelpWidth() {
    var wide: [String] = []
    for command in Command.allCases {
        for level in [HelpLevel.short, .long] {
            wide += Help.command(command, level).split(separator: "\n").filter { $0.count > Help.width }.map { "\(command) \(level): \($0)" }
        }
    }
    wide += Help.general(.long).split(separator: "\n").filter { $0.count > Help.width }.map { "general: \($0)" }
    #expect(wide.count == 0, "\(wide.count) lines over \(Help.width) columns, e.g. \(wide.prefix(3))")
}

@Test func wrapBreaksAtTheWidthWithTheGivenIndents() {
    let text = String(repeating: "word ", count: 40).trimmingSuffixSpace
    let wrapped = Help.wrap(text, indent: 4, hanging: 8)
    let lines = wrapped.split(separator: "\n")
    #expect(lines.count > 1)
    #expect(lines.allSatisfy { $0.count <= Help.width })
    #expect(lines[0].hasPrefix("    word"))
    #expect(lines.dropFirst().allSatisfy { $0.hasPrefix("        word") })
    #expect(flattened(wrapped) == text)
    #expect(Help.wrap("", indent: 2) == "  \n")
}

@Test func theVersionRequestAndHelpRequestRunThroughZswiftRun() throws {
    // help and version print to the given output fd and exit 0; a usage error exits 2
    let out = CapturedOutput()
    let err = CapturedOutput()
    let io = StandardIO(input: 0, output: out.fd, error: err.fd)
    #expect(Zswift.run([bytes("--version")], io: io) == 0)
    #expect(Zswift.run([bytes("help"), bytes("pull")], io: io) == 0)
    #expect(Zswift.run([bytes("pull"), bytes("--bogus")], io: io) == ExitStatus.usage.rawValue)
    let stdout = String(decoding: try out.contents(), as: UTF8.self)
    #expect(stdout.hasPrefix(Version.line + "\n"))
    #expect(stdout.hasSuffix(Help.command(.pull, .long)))
    let stderr = String(decoding: try err.contents(), as: UTF8.self)
    #expect(stderr == "zswift: error: unknown flag --bogus\nhint: zswift pull -h lists its flags\n")
}

extension String {
    var trimmingSuffixSpace: String { hasSuffix(" ") ? String(dropLast()) : self }
}

    // `zswift -h` stops after the command list; `zswift --help` goes on to endpoints, formats and
    // exit statuses
@Test func generalDashHListsTheCommandsAndLeavesTheRestToDashDashHelp() {
    // `zswift -h` stops after the command list; `zswift --help` goes on to endpoints, formats and exit statuses
    let short = Help.general(.short), long = Help.general(.long)
    let pointer = "Run 'zswift --help' for endpoints, formats and exit statuses; 'zswift COMMAND -h' for a command.\n"
    #expect(short.hasSuffix(pointer))
    #expect(long.hasPrefix(short.dropLast(pointer.count)), "the commands are listed alike in both")
    #expect(short.count < long.count)
    for section in ["Endpoints:", "Formats (", "Exit status:"] {
        #expect(!short.contains(section) && long.contains(section), "\(section)")
    }
}
