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
            // the flag's name only: a value attached with = may be a secret (--plain-user=USER:PASS)
            let flag = first.text.prefix { $0 != "=" }
            throw UsageError("a command comes first, before \(flag)",
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

    /// The arguments after the command: flags into `raw` by their table rows, the rest positional;
    /// what follows -- is the command rep runs.
    static func parseFlags(_ arguments: [ArgumentValue], command: Command, into raw: inout RawArguments) throws(UsageError) {
        var cursor = ArgumentCursor(arguments)
        while let argument = cursor.current {
            let text = argument.text
            if text == "--" {
                raw.execArguments = cursor.rest.map(\.text)
                return
            }
            if text.hasPrefix("--") {
                try parseLong(argument, &cursor, command: command, into: &raw)
            } else if text.hasPrefix("-") && argument.bytes.count > 1 {
                try parseShortCluster(argument, &cursor, command: command, into: &raw)
            } else {
                raw.positionals.append(text)
            }
            cursor.advance()
        }
    }

    /// `--name`, `--name=VALUE` or `--name VALUE`; a value that may be left out is taken from the
    /// next argument only when it is one (--stats 5s).
    static func parseLong(_ argument: ArgumentValue, _ cursor: inout ArgumentCursor, command: Command,
                          into raw: inout RawArguments) throws(UsageError) {
        var name = String(argument.text.dropFirst(2))
        var inline: ArgumentValue?
        if let eq = argument.bytes.firstIndex(of: UInt8(ascii: "=")) {
            inline = ArgumentValue(Array(argument.bytes[(eq + 1)...]))
            name = String(decoding: argument.bytes[2..<eq], as: UTF8.self)
        }
        let flag = try lookUp(long: name, command: command)
        let spelled = "--" + name
        guard flag.takesValue else {
            if inline != nil { throw UsageError("\(spelled) takes no value", hint: "write \(spelled) alone" + (flag.repeatable ? ", and repeat it for more" : "")) }
            if flag.long == "help" { raw.help = .long } else { try apply(flag, .none, to: &raw) }
            return
        }
        let value: ArgumentValue
        if let inline {
            value = inline
        } else if let accepts = flag.optionalValue {
            value = cursor.takeNext(if: accepts) ?? .none
        } else {
            value = try cursor.takeValue(for: flag, spelled: spelled)
        }
        try apply(flag, value, to: &raw)
    }

    /// A cluster of short flags: -0n5, -vv, -b:5555. A flag that takes a value takes the rest of the
    /// cluster, or else the next argument. Flags are ASCII, so the cluster is walked byte by byte.
    static func parseShortCluster(_ argument: ArgumentValue, _ cursor: inout ArgumentCursor, command: Command,
                                  into raw: inout RawArguments) throws(UsageError) {
        let bytes = argument.bytes
        var j = 1
        while j < bytes.count {
            let c = Character(UnicodeScalar(bytes[j]))
            guard bytes[j] < 128, let flag = Flag.short(c, for: command) else {
                let shown = bytes[j] < 128 ? "-\(c)" : "-" + String(decoding: bytes[j...], as: UTF8.self)
                throw UsageError("unknown flag \(shown)\(bytes.count > 2 ? " in \(argument.text)" : "")",
                                 hint: "zswift \(command.rawValue) -h lists its flags")
            }
            try check(flag, appliesTo: command, spelled: "-\(c)")
            if flag.takesValue {
                let value = j + 1 == bytes.count ? try cursor.takeValue(for: flag, spelled: "-\(c)") : ArgumentValue(Array(bytes[(j + 1)...]))
                try apply(flag, value, to: &raw)
                return
            }
            if flag.long == "help" { raw.help = raw.help == .long ? .long : .short } else { try apply(flag, .none, to: &raw) }
            j += 1
        }
    }

    static func lookUp(long name: String, command: Command) throws(UsageError) -> Flag {
        guard let flag = Flag.named(name, for: command) else {
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

    static func apply(_ flag: Flag, _ value: ArgumentValue, to raw: inout RawArguments) throws(UsageError) {
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

/// The arguments after the command, walked once: a flag's value may take the next one.
struct ArgumentCursor {
    private let arguments: [ArgumentValue]
    private var index = 0

    init(_ arguments: [ArgumentValue]) { self.arguments = arguments }

    /// The argument at hand; nil past the last.
    var current: ArgumentValue? { index < arguments.count ? arguments[index] : nil }
    /// The arguments after the one at hand.
    var rest: ArraySlice<ArgumentValue> { arguments[min(index + 1, arguments.count)...] }

    mutating func advance() { index += 1 }

    /// The next argument as the value of `flag`, typed as `spelled`; a usage error when there is none.
    mutating func takeValue(for flag: Flag, spelled: String) throws(UsageError) -> ArgumentValue {
        guard index + 1 < arguments.count else {
            throw UsageError("\(spelled) needs a value (\(flag.value!))", hint: "for example: \(spelled) \(Parser.example(for: flag))")
        }
        index += 1
        return arguments[index]
    }

    /// The next argument when `accepts` takes it as a value (and then it is taken), else nil.
    mutating func takeNext(if accepts: (String) -> Bool) -> ArgumentValue? {
        guard index + 1 < arguments.count, accepts(arguments[index + 1].text) else { return nil }
        index += 1
        return arguments[index]
    }
}
