// The entry point: argv in, exit status out. Parses, validates, dispatches to a command, and
// turns every way of ending into one stderr line and a documented status.
import Glibc
import ZMQ

public enum Zswift {
    /// Runs zswift with `arguments` (argv without the program name, as raw bytes) and returns the
    /// exit status.
    public static func run(_ arguments: [[UInt8]], io: StandardIO = StandardIO()) -> Int32 {
        let diagnostics = Diagnostics(fd: io.error)
        let request: Request
        do {
            request = try Parser.parse(arguments.map(ArgumentValue.init))
        } catch {
            return usage(error, diagnostics)
        }
        switch request {
        case let .help(command, level):
            let text = command.map { Help.command($0, level) } ?? Help.general(level)
            return write(text, to: io.output, diagnostics)
        case .version:
            return write(Version.line + "\n", to: io.output, diagnostics)
        case let .generate(target):
            return write(Generate.text(target), to: io.output, diagnostics)
        case let .run(raw):
            let invocation: Invocation
            do { invocation = try Invocation(raw) } catch { return usage(error, diagnostics) }
            diagnostics.verbosity = invocation.verbosity
            invocation.security.warnings.forEach(diagnostics.warning)
            invocation.security.notices.forEach(diagnostics.note)
            for note in invocation.security.verboseNotes { diagnostics.info(note) }
            Signals.install()
            return execute(invocation, io: io, diagnostics: diagnostics)
        }
    }

    static func execute(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) -> Int32 {
        do {
            switch invocation.command.spec.handler {
            case let .scoped(run): try RunScope.run(invocation, io: io, diagnostics: diagnostics, run)
            case let .alone(run): try run(invocation, io, diagnostics)
            }
            return ExitStatus.success.rawValue
        } catch {
            switch error {
            case let .failed(_, message, hint):
                if !message.isEmpty { diagnostics.error(message, hint: hint) }
            case let .badInput(message):
                diagnostics.error(message, hint: "the messages before it were sent")
            case let .unroutable(message):
                diagnostics.error(message)
            case .signal, .outputClosed:
                break
            }
            return error.status
        }
    }

    static func usage(_ error: UsageError, _ diagnostics: Diagnostics) -> Int32 {
        diagnostics.error(error.message, hint: error.hint)
        return ExitStatus.usage.rawValue
    }

    /// Writes help, version or generated text through the one output writer.
    static func write(_ text: String, to fd: Int32, _ diagnostics: Diagnostics) -> Int32 {
        let output = OutputWriter(fd: fd)
        output.buffer.append(Array(text.utf8))
        do { try output.flush() } catch {
            if case let .failed(_, message, hint) = error { diagnostics.error(message, hint: hint) }
            return error.status  // a reader that left (| head -1) is a quiet success
        }
        return ExitStatus.success.rawValue
    }

    /// The process's arguments as raw bytes (CommandLine.arguments would repair invalid UTF-8).
    public static var processArguments: [[UInt8]] {
        (1..<Int(CommandLine.argc)).map { i in
            let p = CommandLine.unsafeArgv[i]!
            return Array(UnsafeRawBufferPointer(start: p, count: strlen(p)))
        }
    }
}
