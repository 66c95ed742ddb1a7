// `zswift --help`, `zswift help COMMAND`, `zswift COMMAND -h/--help` and --version, generated
// from the command list and the flag table.
import ZMQ

public enum Version {
    public static let zswift = "0.1.0"

    static var line: String {
        let v = Library.version
        return "zswift \(zswift) (libzmq \(v.major).\(v.minor).\(v.patch))"
    }
}

enum Help {
    static let width = 80

    static func general(_ level: HelpLevel) -> String {
        var out = "zswift \(Version.zswift): the ZeroMQ Swiss-army knife.\nSockets from flags, messages from stdin and stdout.\n\n"
        out += "Usage: zswift COMMAND [OPTIONS] [ENDPOINT ...]\n\n"
        out += "Commands:\n"
        let names = Command.allCases.map(\.rawValue) + ["help", "version"]
        let pad = names.map(\.count).max()! + 2
        for command in Command.allCases {
            out += "  " + command.rawValue.padded(pad) + command.summary + "\n"
        }
        out += "  " + "help".padded(pad) + "show help for a command: zswift help COMMAND\n"
        out += "  " + "version".padded(pad) + "print the versions of zswift and libzmq\n\n"
        if level == .short {
            return out + "Run 'zswift --help' for endpoints, formats and exit statuses; 'zswift COMMAND -h' for a command.\n"
        }
        out += "Endpoints:\n"
        out += wrap("A positional ENDPOINT binds when its host is * or empty (:5555, tcp://*:5555) and connects otherwise (host:5555, tcp://host:5555). -b/--bind and -c/--connect say which; ipc:// and inproc:// need one of them.", indent: 2)
        out += "\nFormats (-f/--format, --in, --out):\n"
        let fpad = Format.allCases.map(\.rawValue.count).max()! + 2
        for format in Format.allCases { out += "  " + format.rawValue.padded(fpad) + format.summary + "\n" }
        out += "\nExit status:\n" + exitStatuses()
        out += "\nRun 'zswift COMMAND --help' for a command's flags; 'man zswift' for everything.\n"
        return out
    }

    static func exitStatuses() -> String {
        var out = ""
        for status in ExitStatus.allCases {
            out += wrap("\(status.rawValue)".padded(6) + status.meaning, indent: 2, hanging: 8)
        }
        out += wrap("128+N".padded(6) + "ended by signal N (130 for Ctrl-C); a reader that closes stdout ends zswift quietly with 0", indent: 2, hanging: 8)
        return out
    }

    static func command(_ command: Command, _ level: HelpLevel) -> String {
        var out = "zswift \(command.rawValue): \(command.summary)\n\n"
        out += "Usage: zswift \(command.rawValue) \(command.spec.synopsis ?? "[OPTIONS]" + (command.takesEndpoints ? " [ENDPOINT ...]" : ""))\n\n"
        out += wrap(command.details, indent: 0)
        for category in FlagCategory.allCases {
            let flags = Flag.all.filter { $0.category == category && $0.commands.contains(command) }
            if flags.isEmpty { continue }
            out += "\n\(category.rawValue):\n"
            let pad = 27
            for flag in flags {
                let head = "  " + flag.synopsis
                if head.count + 2 <= pad {
                    let first = wrap(flag.summary, indent: pad)
                    out += head.padded(pad) + first.dropFirst(pad)
                } else {
                    out += head + "\n" + wrap(flag.summary, indent: pad)
                }
                if level == .long {
                    out += wrap(flag.doc, indent: pad)
                    if !flag.choices.isEmpty {
                        out += wrap("Choices: " + flag.choices.joined(separator: ", "), indent: pad)
                    }
                }
            }
        }
        if level == .long {
            out += "\nExamples:\n"
            for (line, what) in command.examples {
                out += "  " + line + "\n" + wrap(what, indent: 6)
            }
            out += "\nExit status:\n" + exitStatuses()
        } else {
            out += "\n'zswift \(command.rawValue) --help' explains each flag.\n"
        }
        return out
    }

    /// Wraps `text` to the help width at `indent`, continuation lines at `hanging` (default: indent).
    static func wrap(_ text: String, indent: Int, hanging: Int? = nil) -> String {
        var lines: [String] = []
        var line = String(repeating: " ", count: indent)
        var lineIsEmpty = true
        for word in text.split(separator: " ", omittingEmptySubsequences: false) {
            if !lineIsEmpty && line.count + 1 + word.count > width {
                lines.append(line)
                line = String(repeating: " ", count: hanging ?? indent)
                lineIsEmpty = true
            }
            line += (lineIsEmpty ? "" : " ") + word
            lineIsEmpty = false
        }
        lines.append(line)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func padded(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
