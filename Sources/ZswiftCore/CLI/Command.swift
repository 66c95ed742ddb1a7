// The subcommands zswift knows, by name: the parser, help, man page and completions list them
// in this order. Everything else about a command is its spec (Commands/CommandSpecs.swift).
import ZMQ

/// A zswift subcommand.
public enum Command: String, CaseIterable, Sendable {
    case req, rep, pub, sub, push, pull, pair, dealer, router, xpub, xsub, broker, worker, keygen, probe, bench

    /// How a command moves messages; `offline`: it opens no socket and moves none (keygen);
    /// `inspector`: it moves none and makes connections of its own to the endpoints (probe);
    /// `meter`: it opens sockets of its own to measure them, not the run's (bench).
    enum Shape: Sendable { case sender, receiver, bidirectional, requester, replier, relay, offline, inspector, meter }

    /// The socket type the command opens; nil when its flags say (broker opens two, by --mode).
    var socketType: SocketType? { spec.socket }
    /// One line for the command list.
    var summary: String { spec.summary }
    /// What the command does, for `zswift COMMAND --help` and the man page.
    var details: String { spec.details }
    /// Worked examples for help and the man page: (command line, what it does).
    var examples: [(String, String)] { spec.examples }
    var shape: Shape { spec.shape }
    /// Whether the command opens libzmq sockets of the run (every command but keygen, probe and bench).
    var opensSockets: Bool { shape != .offline && shape != .inspector && shape != .meter }
    /// Whether the command takes positional endpoints (every command but keygen and bench).
    var takesEndpoints: Bool { shape != .offline && shape != .meter }
    /// Whether the command reads messages from stdin (or --data/--file).
    var readsInput: Bool { opensSockets && shape != .receiver && shape != .relay }
    /// Whether the command writes messages to stdout.
    var writesOutput: Bool { opensSockets && shape != .sender }
}
