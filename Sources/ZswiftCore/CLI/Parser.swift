// Step one of the command line: turns argv into RawArguments by looking each flag up in the
// table. It knows the syntax (clusters, --flag=value, --, repeats) and which commands a flag
// applies to; rules that relate flags to each other are Invocation's.

/// What the command line asks for before any cross-flag rule is checked.
enum Request: Sendable {
    case run(RawArguments)
    case help(Command?, HelpLevel)
    case version
    /// `--generate TARGET` (hidden): a generated file (the man page, a completion, a README
    /// table) from the flag table; Generate.targets lists the targets.
    case generate(String)
}

enum Parser {
    static func parse(_ arguments: [ArgumentValue]) throws(UsageError) -> Request {
        guard let first = arguments.first else {
            throw UsageError("no command given", hint: "zswift --help lists the commands; zswift help COMMAND explains one")
        }
        let rest = Array(arguments.dropFirst())
        switch first.text {
        case "-h", "--help":
            // `zswift --help req` is `zswift help req`; a flag after it (`zswift -h -v`) is not a command
            let level: HelpLevel = first.text == "-h" ? .short : .long
            guard let next = rest.first?.text, !next.hasPrefix("-") else { return .help(nil, level) }
            return try help(rest, level)
        case "-V", "--version", "version": return .version
        case "--generate":
            guard let what = rest.first?.text, Generate.targets.contains(what) else {
                throw UsageError("--generate takes one of: " + Generate.targets.joined(separator: ", "))
            }
            return .generate(what)
        case "help":
            return try help(rest, .long)
        default:
            break
        }
        if first.text.hasPrefix("-") {
            throw UsageError("a command comes first, before \(first.text)",
                             hint: "zswift COMMAND [OPTIONS] [ENDPOINT ...]; zswift --help lists the commands")
        }
        let command = try command(named: first.text)
        var raw = RawArguments()
        raw.command = command
        try parseFlags(rest, command: command, into: &raw)
        if let help = raw.help { return .help(command, help) }
        if raw.version { return .version }
        return .run(raw)
    }

    /// `zswift help [COMMAND]`, `zswift --help COMMAND`, `zswift -h COMMAND`: help at `level`.
    static func help(_ rest: [ArgumentValue], _ level: HelpLevel) throws(UsageError) -> Request {
        guard let name = rest.first?.text else { return .help(nil, level) }
        if rest.count > 1 {
            throw UsageError("help takes one command, not '\(rest[1].text)'", hint: "zswift help \(name)")
        }
        return .help(try command(named: name), level)
    }

    static func command(named name: String) throws(UsageError) -> Command {
        if let command = Command(rawValue: name) { return command }
        let near = NearMiss.suggestion(for: name, among: Command.allCases.map(\.rawValue))
        throw UsageError("unknown command '\(name)'",
                         hint: near.map { "did you mean \($0)?" } ?? "commands: " + Command.allCases.map(\.rawValue).joined(separator: ", "))
    }

    static func parseFlags(_ arguments: [ArgumentValue], command: Command, into raw: inout RawArguments) throws(UsageError) {
        var i = 0
        func nextValue(for flag: Flag, spelled: String) throws(UsageError) -> ArgumentValue {
            i += 1
            guard i < arguments.count else {
                throw UsageError("\(spelled) needs a value (\(flag.value!))", hint: "for example: \(spelled) \(example(for: flag))")
            }
            return arguments[i]
        }
        while i < arguments.count {
            let argument = arguments[i]
            let text = argument.text
            if text == "--" {
                raw.execArguments = arguments[(i + 1)...].map(\.text)
                return
            }
            if text.hasPrefix("--") {
                var name = String(text.dropFirst(2))
                var inline: ArgumentValue?
                if let eq = argument.bytes.firstIndex(of: UInt8(ascii: "=")) {
                    inline = ArgumentValue(Array(argument.bytes[(eq + 1)...]))
                    name = String(decoding: argument.bytes[2..<eq], as: UTF8.self)
                }
                let flag = try lookUp(long: name, command: command)
                let spelled = "--" + name
                if flag.takesValue {
                    let value: ArgumentValue
                    if let inline {
                        value = inline
                    } else if let accepts = flag.optionalValue {
                        // an optional value: the next argument only when it is one (--stats 5s)
                        if i + 1 < arguments.count, accepts(arguments[i + 1].text) {
                            i += 1
                            value = arguments[i]
                        } else {
                            value = .none
                        }
                    } else {
                        value = try nextValue(for: flag, spelled: spelled)
                    }
                    try apply(flag, value, to: &raw, command: command)
                } else {
                    if inline != nil { throw UsageError("\(spelled) takes no value", hint: "write \(spelled) alone" + (flag.repeatable ? ", and repeat it for more" : "")) }
                    if flag.long == "help" { raw.help = .long } else { try apply(flag, .none, to: &raw, command: command) }
                }
            } else if text.hasPrefix("-") && argument.bytes.count > 1 {
                // a cluster of short flags: -0n5, -vv, -b:5555; flags are ASCII, so walk the bytes
                let bytes = argument.bytes
                var j = 1
                while j < bytes.count {
                    let c = Character(UnicodeScalar(bytes[j]))
                    guard bytes[j] < 128, let flag = Flag.short(c) else {
                        let shown = bytes[j] < 128 ? "-\(c)" : "-" + String(decoding: bytes[j...], as: UTF8.self)
                        throw UsageError("unknown flag \(shown)\(bytes.count > 2 ? " in \(text)" : "")",
                                         hint: "zswift \(command.rawValue) -h lists its flags")
                    }
                    try check(flag, appliesTo: command, spelled: "-\(c)")
                    if flag.takesValue {
                        let value: ArgumentValue
                        if j + 1 == bytes.count { value = try nextValue(for: flag, spelled: "-\(c)") } else {
                            value = ArgumentValue(Array(bytes[(j + 1)...]))
                        }
                        try apply(flag, value, to: &raw, command: command)
                        break
                    }
                    if flag.long == "help" { raw.help = raw.help == .long ? .long : .short } else { try apply(flag, .none, to: &raw, command: command) }
                    j += 1
                }
            } else {
                raw.positionals.append(text)
            }
            i += 1
        }
    }

    static func lookUp(long name: String, command: Command) throws(UsageError) -> Flag {
        guard let flag = Flag.named(name) else {
            let near = NearMiss.suggestion(for: name, among: Flag.all.map(\.long))
            throw UsageError("unknown flag --\(name)",
                             hint: near.map { "did you mean --\($0)?" } ?? "zswift \(command.rawValue) -h lists its flags")
        }
        try check(flag, appliesTo: command, spelled: "--\(name)")
        return flag
    }

    static func check(_ flag: Flag, appliesTo command: Command, spelled: String) throws(UsageError) {
        guard flag.commands.contains(command) else {
            throw UsageError("\(spelled) does not apply to \(command.rawValue)",
                             hint: "it is for: " + flag.commands.commands.map(\.rawValue).joined(separator: ", "))
        }
    }

    static func apply(_ flag: Flag, _ value: ArgumentValue, to raw: inout RawArguments, command: Command) throws(UsageError) {
        // a flag that is not repeatable may still be given twice: the last one wins, as in most Unix tools
        raw.given.append(flag.long)
        try flag.apply(&raw, value)
    }

    static func example(for flag: Flag) -> String {
        if let choice = flag.choices.first { return choice }
        switch flag.value {
        case "ENDPOINT": return "tcp://127.0.0.1:5555"
        case "DURATION": return "2s"
        case "N": return "10"
        case "BYTES": return "1M"
        case "NAME=VALUE": return "tcp_keepalive=1"
        default: return flag.value ?? ""
        }
    }
}
