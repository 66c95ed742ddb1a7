// The argument parser and validation under fuzzing: bytes become argv words, which go through
// Parser.parse and Invocation as zswift's entry point sends them, and then through what a run
// derives from a valid invocation before any socket exists (decoder, encoder, socket plans).
#if DEBUG
import Glibc
@testable import ZswiftCore

enum ArgumentsCheck {
    /// The argv words `data` stands for: split at NUL, as /proc/PID/cmdline is. A word that begins
    /// with a byte 1...6 has its first two bytes replaced by a word of zswift's vocabulary (a long
    /// flag, a short flag, a command, a choice, a sample value, a socket option name) picked by the
    /// second byte, so that the fuzzer composes real command lines without having to spell them.
    static func words(_ data: [UInt8]) -> [[UInt8]] {
        guard !data.isEmpty else { return [] }
        return data.split(separator: 0, omittingEmptySubsequences: false).map { word in
            guard word.count >= 2, let first = word.first, (1...6).contains(first) else { return Array(word) }
            let pick = Int(word[word.startIndex + 1])
            return Array(vocabulary(first, pick).utf8) + word.dropFirst(2)
        }
    }

    static func vocabulary(_ kind: UInt8, _ pick: Int) -> String {
        switch kind {
        case 1: return "--" + Flag.all[pick % Flag.all.count].long
        case 2:
            let shorts = Flag.all.compactMap(\.short)
            return "-" + String(shorts[pick % shorts.count])
        case 3: return Command.allCases[pick % Command.allCases.count].rawValue
        case 4:
            let choices = Flag.all.flatMap(\.choices) + Format.allCases.map(\.rawValue)
            return choices[pick % choices.count]
        case 5: return samples[pick % samples.count]
        default:
            let names = SocketOptionsNames.writable
            return names[pick % names.count] + "="
        }
    }

    /// Values that reach deeper than random text: endpoints of each transport, durations, counts,
    /// sizes, escapes, keys, files.
    static let samples = [
        ":5555", "localhost:5555", "tcp://127.0.0.1:5555", "tcp://*:*", "tcp://[::1]:5555", "ws://127.0.0.1:80/x",
        "ipc:///tmp/zswift-fuzz", "ipc://*", "inproc://fuzz", "pgm://eth0;239.1.1.1:5555", "TCP://H:1", "IPC:///tmp/z",
        "0", "1", "-1", "10", "4294967296", "250ms", "1.5s", "2m", "inf", "0.0001s", "1k", "1M", "2G", "9223372036854775807",
        "\\t", "\\x00", "\\x0a", "\\", "\"a\"", "[\"a\",\"b\"]", "{\"base64\":\"Zg==\"}", "6869", "aGk=",
        "rJ+F}lTr0x]]k7p:Oq1Yo{.fi8PzP@RAmN-MC}Gg", "@/nonexistent", "@", "@/", "/dev/null", "name=server", "a=b'\"",
        "--", "-", "", "echo hi", "json",
    ]

    static func check(_ data: [UInt8]) throws(InvariantFailure) {
        Environment.clear()
        let words = words(data)
        let arguments = words.map(ArgumentValue.init)
        let request: Request
        do { request = try Parser.parse(arguments) } catch {
            try checkUsageError(error, words: words, step: "Parser.parse")
            return
        }
        switch request {
        case let .help(command, level):
            let text = command.map { Help.command($0, level) } ?? Help.general(level)
            try require(!text.isEmpty, "help for \(command?.rawValue ?? "zswift") is empty")
        case .version, .generate:
            break
        case let .run(raw):
            try require(raw.command != nil, "Parser.parse asked to run no command for \(show(words))")
            let invocation: Invocation
            do { invocation = try Invocation(raw) } catch {
                try checkUsageError(error, words: words, step: "Invocation")
                return
            }
            try checkInvocation(invocation, raw: raw, words: words)
        }
    }

    /// A usage error is one line (unless a word typed had a line break), says something, and never
    /// repeats a secret typed for a flag that takes one.
    static func checkUsageError(_ error: UsageError, words: [[UInt8]], step: String) throws(InvariantFailure) {
        try require(!error.message.isEmpty, "\(step): an empty usage error for \(show(words))")
        let typedBreak = words.contains { $0.contains(10) || $0.contains(13) }
        if !typedBreak {
            for text in [error.message, error.hint ?? ""] {
                try require(!text.utf8.contains(10), "\(step): a usage error of more than one line for \(show(words)): \(text)")
            }
        }
        for secret in secrets(words) {
            let shown = error.message + "\n" + (error.hint ?? "")
            try require(!shown.contains(secret), "\(step): a usage error shows the secret given for a flag: \(shown)")
        }
    }

    /// Values typed for flags whose values are secrets (a secret key, credentials), long enough to
    /// be told apart from the words of a message, and appearing nowhere else on the line.
    static func secrets(_ words: [[UInt8]]) -> [String] {
        let secretFlags = Flag.all.filter { $0.takesValue && ($0.long.contains("secret") || $0.long.contains("plain-user") || $0.long.contains("password")) }
        var found: [String] = []
        // a word that is the value of the flag before it (-c --plain-user=x) is no flag of its own
        let valueFlags = Set(Flag.all.filter(\.takesValue).flatMap { ["--" + $0.long] + ($0.short.map { ["-" + String($0)] } ?? []) })
        let flagSpellings = Set(Flag.all.map { "--" + $0.long })
        for (i, word) in words.enumerated() {
            let text = String(decoding: word, as: UTF8.self)
            if i > 0, valueFlags.contains(String(decoding: words[i - 1], as: UTF8.self)) { continue }
            for flag in secretFlags {
                var value: String?
                if text == "--" + flag.long, i + 1 < words.count { value = String(decoding: words[i + 1], as: UTF8.self) }
                if text.hasPrefix("--" + flag.long + "=") { value = String(text.dropFirst(flag.long.count + 3)) }
                // a value that is a flag's own spelling (--plain-user --plain-user) is named as the flag
                guard let value, value.utf8.count >= 12, !value.hasPrefix("@"), !flagSpellings.contains(value) else { continue }
                let elsewhere = words.enumerated().contains { $0.offset != i && $0.offset != i + 1 && String(decoding: $0.element, as: UTF8.self).contains(value) }
                if !elsewhere { found.append(value) }
            }
        }
        return found
    }

    /// What a valid invocation promises the run: endpoints libzmq takes as they are, a decoder and
    /// an encoder for its framings, limits that are not negative, socket plans that can be made.
    static func checkInvocation(_ invocation: Invocation, raw: RawArguments, words: [[UInt8]]) throws(InvariantFailure) {
        let line = show(words)
        try require(invocation.command == raw.command, "Invocation changed the command for \(line)")
        try require(invocation.command.opensSockets == (invocation.keygen == nil), "keygen settings on a networked command, or none for keygen: \(line)")
        let endpoints = invocation.allEndpoints
        try require(!invocation.command.opensSockets || !endpoints.isEmpty, "\(invocation.command.rawValue) runs with no endpoint: \(line)")
        for endpoint in endpoints {
            let scheme = endpoint.address.prefix { $0 != ":" }
            try require(Endpoint.transports.contains(String(scheme)) && endpoint.address.dropFirst(scheme.count).hasPrefix("://"),
                        "endpoint \(endpoint.address) does not begin with a transport libzmq knows (lower case) and ://, for \(line)")
            let again: Endpoint
            do { again = try Endpoint.parse(endpoint.address, role: endpoint.role) } catch {
                throw InvariantFailure(description: "endpoint \(endpoint.address) (\(endpoint.role)) does not parse again: \(error.message); for \(line)")
            }
            try require(again == endpoint, "endpoint \(endpoint.address) parses again as \(again), for \(line)")
        }
        try require(invocation.inputLimit >= 0, "a negative input limit \(invocation.inputLimit) for \(line)")
        for count in [invocation.count, invocation.retries, invocation.waitPeers, invocation.waitSubscribers] {
            try require((count ?? 0) >= 0, "a negative count for \(line)")
        }
        for interval in [invocation.interval, invocation.delay, invocation.timeout, invocation.linger, invocation.quitAfter, invocation.execTimeout, invocation.statsInterval] {
            try require((interval?.milliseconds ?? 0) >= 0, "a negative duration for \(line)")
        }
        for framing in [invocation.input, invocation.output] {
            try require(framing.separator.map { !$0.isEmpty && !$0.contains(framing.delimiter) } ?? true,
                        "a separator that is empty or holds the delimiter, for \(line)")
            try require(invocation.inputBytes(in: framing.format) > 0, "no input bytes allowed for a message, for \(line)")
        }
        guard invocation.command.opensSockets else { return }
        if invocation.command.readsInput {
            let probe = DecoderProbe()
            do { try invocation.input.withDecoder(sizeLimit: invocation.inputLimit, probe) } catch {
                throw InvariantFailure(description: "the input decoder failed before reading: \(error); for \(line)")
            }
        }
        if invocation.command.writesOutput { _ = invocation.output.makeEncoder(diagnostics: nil) }
        for binding in [true, false] { _ = invocation.socketPlan(binding: binding) }
    }

    /// Feeds a decoder one short record, as the first read of stdin would.
    struct DecoderProbe: DecoderUser {
        func use<D: MessageDecoder>(_ decoder: inout D) throws(Exit) {
            var frames: [UnsafeRawBufferPointer] = []
            let record: [UInt8] = Array("\"a\"\n".utf8)
            _ = record.withUnsafeBytes { try? decoder.decode($0, atEnd: false, frames: &frames) }
        }
    }

    /// The words as a shell would quote them, for a failure message.
    static func show(_ words: [[UInt8]]) -> String {
        "zswift " + words.map { word in
            let text = String(decoding: word, as: UTF8.self)
            return text.utf8.allSatisfy({ (0x21..<0x7F).contains($0) && $0 != 0x27 }) && !text.isEmpty ? text : "'" + text.debugDescription.dropFirst().dropLast() + "'"
        }.joined(separator: " ")
    }
}

/// zswift reads security defaults from the environment (EnvironmentDefault): a fuzz run must not
/// depend on the shell it was started from.
enum Environment {
    nonisolated(unsafe) static var cleared = false

    static func clear() {
        guard !cleared else { return }
        cleared = true
        for variable in EnvironmentDefault.allCases { unsetenv(variable.rawValue) }
    }
}
#endif
