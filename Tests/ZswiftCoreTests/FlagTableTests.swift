// Invariants of the flag table (Flag.all) and of everything generated from it: help, the man
// page and the bash, zsh and fish completions must each name every flag that applies.
import Glibc
import Testing
import TestSupport
@testable import ZswiftCore

/// Whether a row named `long` applies to `command` (two rows may share a name: --format).
func applies(_ long: String, to command: Command) -> Bool {
    Flag.all.contains { $0.long == long && $0.commands.contains(command) }
}

@Test func longFlagNamesAreUniqueForEachCommandAndLowercaseWithDashes() {
    for command in Command.allCases {
        let names = Flag.all.filter { $0.commands.contains(command) }.map(\.long)
        #expect(Set(names).count == names.count, "\(command): duplicates: \(names.filter { n in names.filter { $0 == n }.count > 1 })")
    }
    let names = Flag.all.map(\.long)
    for name in names {
        let ok = !name.isEmpty && name.first != "-" && name.last != "-" && !name.contains("--")
            && name.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        #expect(ok, "--\(name)")
    }
}

@Test func shortFlagLettersAreUniqueForEachCommandAndSingleASCII() {
    for command in Command.allCases {
        let letters = Flag.all.filter { $0.commands.contains(command) }.compactMap(\.short)
        #expect(Set(letters).count == letters.count, "\(command)")
    }
    let shorts = Flag.all.compactMap(\.short)
    // a letter shared by two rows (-f) is one name: the rows share their long name too
    for flag in Flag.all { if let c = flag.short { #expect(Flag.all.allSatisfy { $0.short != c || $0.long == flag.long }, "-\(c)") } }
    for c in shorts { #expect(c.isASCII && (c.isLetter || c.isNumber), "-\(c)") }
}

@Test func everyFlagHasASummaryADocAndAtLeastOneCommand() {
    for flag in Flag.all {
        #expect(!flag.summary.isEmpty, "--\(flag.long)")
        #expect(!flag.doc.isEmpty, "--\(flag.long)")
        #expect(!flag.commands.commands.isEmpty, "--\(flag.long)")
        #expect(flag.summary.first?.isUppercase == false, "--\(flag.long): summaries start lower-case like the rest")
        #expect(!flag.summary.hasSuffix("."), "--\(flag.long)")
    }
}

@Test func summariesAreShortEnoughForHelp() {
    for flag in Flag.all {
        #expect(flag.summary.count <= 70, "--\(flag.long): \(flag.summary.count) characters")
    }
}

@Test func flagsWithChoicesCompleteThoseChoicesAndOnlyThey() {
    for flag in Flag.all {
        if flag.choices.isEmpty {
            #expect(flag.completion != .choices, "--\(flag.long)")
        } else {
            #expect(flag.completion == .choices, "--\(flag.long)")
            #expect(flag.takesValue, "--\(flag.long)")
        }
    }
    #expect(Flag.named("format")?.choices == Format.allCases.map(\.rawValue))
    #expect(Flag.named("in")?.choices == Format.allCases.map(\.rawValue))
    #expect(Flag.named("out")?.choices == Format.allCases.map(\.rawValue))
}

@Test func valueFlagsNameTheirValueInCapitalsAndSwitchesHaveNoCompletion() {
    for flag in Flag.all {
        if let value = flag.value {
            // capitals, and the marks of a shape: KEY=VALUE, USER:PASS, KEY|@FILE
            let ok = !value.isEmpty && value.allSatisfy { ("A"..."Z").contains($0) || "=_-:|@".contains($0) }
            #expect(ok, "--\(flag.long) \(value)")
        } else {
            #expect(flag.completion == .none, "--\(flag.long) is a switch")
            #expect(flag.choices.isEmpty, "--\(flag.long) is a switch")
        }
    }
}

@Test func flagsThatAccumulateAreRepeatableAndFlagsThatKeepTheLastAreNot() {
    let repeatable = Set(Flag.all.filter(\.repeatable).map(\.long))
    #expect(repeatable.isSuperset(of: ["bind", "connect", "data", "subscribe", "sockopt", "verbose"]))
    #expect(repeatable.isDisjoint(with: ["count", "linger", "timeout", "format", "in", "out", "separator", "file", "identity", "null", "help"]))
}

@Test func aFlagThatSetsSocketOptionsSaysWhichInItsRowAndItsDocNamesThem() {
    for flag in Flag.all {
        guard let sets = flag.sets else {
            // a flag whose doc says it sets a libzmq option is one: its row must say `sets:`
            #expect(!flag.doc.hasPrefix("Sets ZMQ_"), "--\(flag.long) sets a socket option without `sets:`")
            continue
        }
        #expect(flag.category == .socket, "--\(flag.long)")
        #expect(!sets.options.isEmpty, "--\(flag.long)")
        for option in sets.options {
            #expect(option.writable && flag.doc.contains("ZMQ_" + option.name.uppercased()), "--\(flag.long): \(option.name)")
        }
        // a switch turns its options on; every other such flag takes a value
        #expect(flag.takesValue == !sets.options.allSatisfy { $0.kind == .boolean }, "--\(flag.long)")
    }
}

@Test func everyFlagCanBeLookedUpByItsNames() {
    for flag in Flag.all {
        #expect(Flag.named(flag.long)?.long == flag.long)
        if let short = flag.short { #expect(Flag.short(short)?.long == flag.long) }
    }
}

@Test func senderAndReceiverSetsFollowWhatEachCommandDoes() {
    let senders = CommandSet.senders, receivers = CommandSet.receivers
    #expect(senders.contains(.push) && senders.contains(.pub) && senders.contains(.pair))
    #expect(!senders.contains(.pull) && !senders.contains(.sub))
    #expect(receivers.contains(.pull) && receivers.contains(.sub) && receivers.contains(.pair))
    #expect(!receivers.contains(.push) && !receivers.contains(.pub))
    // the commands whose run ends in Session.deliver(): req's requests are all answered by then
    #expect(CommandSet.delivering.commands == [.rep, .pub, .push, .pair, .dealer, .router, .xpub, .xsub, .worker])
    #expect(CommandSet.all.commands == Command.allCases)
    for command in Command.allCases { #expect(CommandSet(command).commands == [command]) }
}

@Test func everyFlagInTheTableHasItsMarkerLineInTheFlagsFiles() throws {
    var source = ""
    for name in ["Flags.swift", "Flags+Security.swift", "Flags+Bench.swift"] {
        let path = Paths.packageRoot + "/Sources/ZswiftCore/CLI/" + name
        source += try #require(readText(path), "cannot open \(path)")
    }
    for flag in Flag.all {
        let marker = "/// " + (flag.short.map { "-\($0)/" } ?? "") + "--" + flag.long + "\n"
        #expect(source.contains(marker), "missing marker \(marker.debugDescription)")
    }
}

// MARK: - Generated text names every flag

@Test(arguments: Command.allCases)
func eachCommandsHelpNamesEveryFlagThatAppliesAndNoOther(_ command: Command) {
    for level in [HelpLevel.short, .long] {
        let lines = Help.command(command, level).split(separator: "\n")
        for flag in Flag.all {
            // a flag's own line: its synopsis at column 2, then padding and the summary (or nothing)
            let head = "  " + flag.synopsis
            let listed = lines.contains { line in
                line.hasPrefix(head) && (line.count == head.count || line.dropFirst(head.count).first == " ")
                    && line.prefix { $0 == " " }.count == head.prefix { $0 == " " }.count
            }
            #expect(listed == applies(flag.long, to: command),
                    "\(command) \(level): \(head) \(listed ? "listed though it does not apply" : "missing")")
        }
    }
}

@Test func theManPageNamesEveryCommandAndEveryFlag() {
    let man = Generate.text("man")
    for command in Command.allCases { #expect(man.contains(".B \(command.rawValue)\n"), "\(command)") }
    for flag in Flag.all {
        #expect(man.contains("\\fB\\-\\-" + Generate.roff(flag.long) + "\\fR"), "--\(flag.long)")
        if let short = flag.short { #expect(man.contains("\\fB\\-\(short)\\fR, \\fB\\-\\-" + Generate.roff(flag.long)), "-\(short)") }
        // a flag for every command, or every command that opens sockets (all but keygen), says no "For:"
        if flag.commands != .all && flag.commands != .networked {
            #expect(man.contains(Generate.roff("For: " + flag.commands.commands.map(\.rawValue).joined(separator: ", ") + ".")), "--\(flag.long)")
        }
    }
    for status in ExitStatus.allCases { #expect(man.contains(".B \(status.rawValue)\n")) }
}

@Test(arguments: Command.allCases)
func theBashCompletionOffersExactlyTheFlagsOfEachCommand(_ command: Command) throws {
    let bash = Generate.text("bash")
    let prefix = "        \(command.rawValue)) flags=\""
    let line = try #require(bash.split(separator: "\n").first { $0.hasPrefix(prefix) })
    let words = Set(line.dropFirst(prefix.count).prefix { $0 != "\"" }.split(separator: " ").map(String.init))
    var want: Set<String> = []
    for flag in Flag.all where flag.commands.contains(command) {
        want.insert("--" + flag.long)
        if let short = flag.short { want.insert("-\(short)") }
    }
    #expect(words == want)
}

@Test func theBashCompletionCompletesTheValueOfEveryValueFlag() {
    let bash = Generate.text("bash")
    for flag in Flag.all where flag.takesValue {
        let names = (flag.short.map { "-\($0)|" } ?? "") + "--" + flag.long + ")"
        #expect(bash.contains("        " + names), "--\(flag.long)")
        for choice in flag.choices { #expect(bash.contains(choice)) }
    }
}

@Test(arguments: Command.allCases)
func theZshCompletionOffersEveryFlagOfEachCommand(_ command: Command) throws {
    let zsh = Generate.text("zsh")
    let start = try #require(zsh.firstRange(of: "        \(command.rawValue))\n"))
    let rest = zsh[start.upperBound...]
    let body = String(rest[..<(rest.firstRange(of: ";;")?.lowerBound ?? rest.endIndex)])
    for flag in Flag.all {
        let present = body.contains("--\(flag.long)[")
        #expect(present == applies(flag.long, to: command), "--\(flag.long) in zsh \(command)")
        if let short = flag.short, flag.commands.contains(command) { #expect(body.contains("-\(short)["), "-\(short)") }
    }
}

@Test func theFishCompletionHasOneLineForEveryFlagWithItsCommands() {
    let fish = Generate.text("fish").split(separator: "\n").map(String.init)
    for flag in Flag.all {
        let commands = flag.commands.commands.map(\.rawValue).joined(separator: " ")
        let lines = fish.filter { $0.contains(" -l \(flag.long) ") && $0.hasPrefix("complete -c zswift -n '__fish_seen_subcommand_from \(commands)'") }
        #expect(lines.count == 1, "--\(flag.long) for \(commands)")
        if let short = flag.short { #expect(lines.first?.contains(" -s \(short) ") == true, "-\(short)") }
    }
    for command in Command.allCases { #expect(fish.contains { $0.contains(" -a \(command.rawValue) -d ") }) }
}

@Test(arguments: Generate.targets)
func everyGeneratedTextGivesEachThingItListsWithItsOwnDescription(_ target: String) throws {
    let text = Generate.text(target)
    let required = try #require(requiredPassages(target), "no test says what --generate \(target) must hold")
    for (what, pieces) in required {
        #expect(holds(text, pieces), "\(target): \(what) is missing, or not next to its own description")
    }
}

/// What `--generate target` must hold, as (what, pieces) for `holds`: every command and flag it
/// lists next to its own summary (the man page: its doc), every format and exit status next to its
/// meaning. The bash completion shows no descriptions: there, the choices of a flag go with it.
func requiredPassages(_ target: String) -> [(String, [String])]? {
    let roff = Generate.roff, markdown = Generate.markdown, zsh = Generate.zshEscape, fish = Generate.fishEscape
    let names = Command.allCases.map(\.rawValue).joined(separator: " ")
    switch target {
    case "man":
        return Command.allCases.map { ($0.rawValue, [".TP\n.B \($0.rawValue)\n" + roff($0.summary.capitalizedFirst + ". " + $0.details) + "\n"]) }
            + Flag.all.map { flag in
                let short = flag.short.map { "\\fB\\-\(roff(String($0)))\\fR, " } ?? ""
                return ("--\(flag.long)", [".TP\n" + short + "\\fB\\-\\-\(roff(flag.long))\\fR", "\n" + roff(flag.doc)])
            }
            + Format.allCases.map { ("format \($0.rawValue)", [".TP\n.B \($0.rawValue)\n" + roff($0.summary.capitalizedFirst + ".") + "\n"]) }
            + ExitStatus.allCases.map { ("status \($0.rawValue)", [".TP\n.B \($0.rawValue)\n" + roff($0.meaning.capitalizedFirst + ".") + "\n"]) }
    case "bash":
        return [("the commands", ["compgen -W \"\(names) help version --help --version\""])]
            + Command.allCases.map { ($0.rawValue, ["        \($0.rawValue)) flags=\""]) }
            + Flag.all.filter { !$0.choices.isEmpty }.map { flag in
                let rows = Flag.all.filter { $0.long == flag.long }
                guard rows.count > 1 else { return ("--\(flag.long)", ["--\(flag.long))", "compgen -W \"\(flag.choices.joined(separator: " "))\""]) }
                // rows sharing a name complete by command in a case of their own
                let label = flag.long == rows.last?.long && flag.commands == rows.last?.commands ? "*" : flag.commands.commands.map(\.rawValue).joined(separator: "|")
                return ("--\(flag.long) for \(label)", ["            \(label)) ", "compgen -W \"\(flag.choices.joined(separator: " "))\""])
            }
    case "zsh":
        return Command.allCases.map { ($0.rawValue, ["'\($0.rawValue):\(zsh($0.summary))'\n"]) }
            + Flag.all.map { ("--\($0.long)", ["--\($0.long)[\(zsh($0.summary))]"]) }
            + Flag.all.compactMap { flag in flag.short.map { ("-\($0)", ["-\($0)[\(zsh(flag.summary))]"]) } }
    case "fish":
        return Command.allCases.map { ($0.rawValue, [" -a \($0.rawValue) -d '\(fish($0.summary))'\n"]) }
            + Flag.all.map { ("--\($0.long)", [" -l \($0.long) ", "-d '\(fish($0.summary))'\n"]) }
    case "readme-formats":
        return Format.allCases.map { ($0.rawValue, ["| `\($0.rawValue)` | \($0.isLossless ? "yes" : "no") | \(markdown($0.summary)) |\n"]) }
    case "readme-exit-status":
        return ExitStatus.allCases.map { ("status \($0.rawValue)", ["| \($0.rawValue) | \(markdown($0.meaning)) |\n"]) }
    case "readme-commands":
        return Command.allCases.map { ($0.rawValue, ["| `\($0.rawValue)` | \(markdown($0.summary)) |\n"]) }
    default:
        return nil
    }
}

/// Whether `text` holds `pieces` in this order with no line break between one and the next (a
/// piece may span lines itself).
func holds(_ text: String, _ pieces: [String]) -> Bool {
    var from = text.startIndex
    search: while let first = text[from...].firstRange(of: pieces[0]) {
        var end = first.upperBound
        for piece in pieces.dropFirst() {
            guard let next = text[end...].firstRange(of: piece), !text[end..<next.lowerBound].contains("\n") else {
                from = text.index(after: first.lowerBound)
                continue search
            }
            end = next.upperBound
        }
        return true
    }
    return false
}
