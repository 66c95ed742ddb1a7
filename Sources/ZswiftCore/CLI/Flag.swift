// The shape of one flag definition (ripgrep's defs.rs model): everything the parser, help, man
// page and completions need to know about a flag is a field here, and the table in Flags.swift
// is the only place flags are defined.
import ZMQ

/// A set of commands a flag applies to.
struct CommandSet: OptionSet, Sendable {
    let rawValue: UInt32
    init(rawValue: UInt32) { self.rawValue = rawValue }
    init(_ commands: Command...) {
        rawValue = commands.reduce(0) { $0 | CommandSet.bit($1) }
    }
    private static func bit(_ command: Command) -> UInt32 {
        1 << UInt32(Command.allCases.firstIndex(of: command)!)
    }
    func contains(_ command: Command) -> Bool { rawValue & CommandSet.bit(command) != 0 }
    var commands: [Command] { Command.allCases.filter(contains) }

    static let all = CommandSet(rawValue: (1 << UInt32(Command.allCases.count)) - 1)
    /// Commands that open sockets: every one but keygen, which socket flags do not apply to.
    static let networked = matching { $0.opensSockets }
    /// Commands that open one socket of their own from -b/-c (broker's two come from its sides).
    static let sockets = matching { $0.socketType != nil }
    /// Commands that send messages read from input (or --data/--file).
    static let senders = matching { $0.readsInput }
    /// Commands that wait at end of input until what they queued is delivered (Channel.deliver):
    /// every sender but req, whose requests have all been answered when it ends.
    static let delivering = senders.removing(.req)
    /// Commands that print messages they receive.
    static let receivers = matching { $0.writesOutput }

    /// Commands whose one socket `option` applies to (broker, with two, is left out).
    static func applying(_ option: AnySocketOption) -> CommandSet {
        matching { $0.socketType.map(option.applies) ?? false }
    }

    static func matching(_ test: (Command) -> Bool) -> CommandSet {
        CommandSet(rawValue: Command.allCases.filter(test).reduce(0) { $0 | CommandSet($1).rawValue })
    }

    func removing(_ commands: Command...) -> CommandSet {
        CommandSet(rawValue: commands.reduce(rawValue) { $0 & ~CommandSet($1).rawValue })
    }
}

/// Where a flag appears in help and the man page.
enum FlagCategory: String, CaseIterable, Sendable {
    case endpoints = "Endpoints"
    case input = "Input"
    case output = "Output"
    case messages = "Messages"
    case replies = "Replies"
    case broker = "Broker"
    case delivery = "Delivery and timeouts"
    case socket = "Socket options"
    case security = "Security"
    case diagnostics = "Diagnostics"
    case general = "General"
}

/// What a shell should offer when completing a flag's value.
enum CompletionKind: Sendable {
    case none, file, endpoint, choices, socketOption
}

/// A flag's value as typed: the text (for parsing numbers, names) and the exact bytes of the
/// argument (for payloads: --data, --subscribe, --identity, --separator).
struct ArgumentValue: Sendable {
    let text: String
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        text = String(decoding: bytes, as: UTF8.self)
    }
    init(_ text: String) { self.init(Array(text.utf8)) }
    static let none = ArgumentValue([])
}

/// One command-line flag.
struct Flag: Sendable {
    let long: String
    let short: Character?
    /// The value's name in help ("ENDPOINT"); nil for a switch.
    let value: String?
    let category: FlagCategory
    let commands: CommandSet
    /// One line for `-h`.
    let summary: String
    /// Paragraph(s) for `--help` and the man page.
    let doc: String
    let choices: [String]
    let completion: CompletionKind
    let repeatable: Bool
    /// A value that may be left out: given as --flag=VALUE, or as the next argument when that
    /// argument parses as one (`optionalValue` says whether it does).
    let optionalValue: (@Sendable (String) -> Bool)?
    /// For a flag that is a plain socket option: the options it sets and how its value maps to them.
    let sets: OptionFlag?
    /// Stores what was typed; throws when the value itself is malformed.
    let apply: @Sendable (inout RawArguments, ArgumentValue) throws(UsageError) -> Void

    init(_ long: String, short: Character? = nil, value: String? = nil, _ category: FlagCategory,
         for commands: CommandSet, summary: String, doc: String, choices: [String] = [],
         completion: CompletionKind = .none, repeatable: Bool = false,
         optionalValue: (@Sendable (String) -> Bool)? = nil, sets: OptionFlag? = nil,
         apply: @escaping @Sendable (inout RawArguments, ArgumentValue) throws(UsageError) -> Void) {
        self.long = long
        self.short = short
        self.value = value
        self.category = category
        self.commands = commands
        self.summary = summary
        self.doc = doc
        self.choices = choices
        self.completion = choices.isEmpty ? completion : .choices
        self.repeatable = repeatable
        self.optionalValue = optionalValue
        self.sets = sets
        self.apply = apply
    }

    /// A flag that is a plain socket option: `sets` says which options and how its value maps to
    /// them. Its apply step stores the settings it makes, by the flag's name (the last one given
    /// wins), for Invocation to put in each socket's plan.
    init(_ long: String, value: String? = nil, _ category: FlagCategory, for commands: CommandSet,
         summary: String, doc: String, sets: OptionFlag) {
        self.init(long, value: value, category, for: commands, summary: summary, doc: doc, sets: sets) { raw, v throws(UsageError) in
            raw.optionFlags[long] = try sets.settings(v, flag: long)
        }
    }

    var takesValue: Bool { value != nil }

    /// "-b, --bind ENDPOINT" or "    --linger DURATION".
    var synopsis: String {
        let head = short.map { "-\($0), " } ?? "    "
        if optionalValue != nil { return head + "--" + long + (value.map { "[=" + $0 + "]" } ?? "") }
        return head + "--" + long + (value.map { " " + $0 } ?? "")
    }
}

/// A mistake on the command line: exit status 2, one line, and a hint where one helps.
public struct UsageError: Error, Equatable, Sendable {
    public let message: String
    public let hint: String?
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
