// The subcommands zswift knows, with the facts the flag table, help, man page and completions
// share: which socket, what it does, examples. Behaviour lives in Commands/.
import ZMQ

/// A zswift subcommand.
public enum Command: String, CaseIterable, Sendable {
    case push, pull, pub, sub, pair, xpub, xsub

    /// The socket type the command opens.
    var socketType: SocketType {
        switch self {
        case .push: .push
        case .pull: .pull
        case .pub: .pub
        case .sub: .sub
        case .pair: .pair
        case .xpub: .xpub
        case .xsub: .xsub
        }
    }

    /// One line for the command list.
    var summary: String {
        switch self {
        case .push: "send each input message down a pipeline (PUSH)"
        case .pull: "print every message received from a pipeline (PULL)"
        case .pub: "publish each input message (PUB)"
        case .sub: "print every published message matching --subscribe prefixes (SUB)"
        case .pair: "stdin to the peer and the peer to stdout at once: netcat for zmq (PAIR)"
        case .xpub: "publish stdin and print subscription events as +TOPIC/-TOPIC (XPUB)"
        case .xsub: "send +TOPIC/-TOPIC subscriptions from stdin and print what arrives (XSUB)"
        }
    }

    /// What the command does, for `zswift COMMAND --help` and the man page.
    var details: String {
        switch self {
        case .push:
            "Reads messages from stdin (or --data/--file) and sends each to one of the connected PULL peers, round robin. At end of input it waits until every queued message is delivered (see --linger)."
        case .pull:
            "Prints every message it receives, one per record in the output format. Ends after --count messages, when no message arrives within --timeout (status 3), or on Ctrl-C."
        case .pub:
            "Publishes each input message to every subscriber whose subscription prefixes it. A PUB drops messages while nobody is subscribed: --wait-subscribers N holds the first message until N subscribers are there."
        case .sub:
            "Prints every published message that starts with one of the --subscribe prefixes (every message when none is given). Ends like pull."
        case .pair:
            "Sends stdin to the one peer and prints what the peer sends, both at once. At end of input it keeps printing; it ends when the peer has gone after end of input, after --count received messages, when nothing arrives within --timeout (status 3), or on Ctrl-C."
        case .xpub:
            "A publisher that also shows subscriptions: input messages are published, and each subscription event is printed as +TOPIC (subscribe) or -TOPIC (unsubscribe). Ends like pair."
        case .xsub:
            "A subscriber driven by stdin: each input message +TOPIC subscribes and -TOPIC unsubscribes; every message that arrives is printed. -s subscribes from the command line. Ends like pair."
        }
    }

    /// How the command moves messages.
    enum Shape { case sender, receiver, bidirectional }
    var shape: Shape {
        switch self {
        case .push, .pub: .sender
        case .pull, .sub: .receiver
        case .pair, .xpub, .xsub: .bidirectional
        }
    }

    /// Worked examples for help and the man page: (command line, what it does).
    var examples: [(String, String)] {
        switch self {
        case .push: [("seq 100 | zswift push -c :5557", "send 100 messages to a PULL bound on port 5557"),
                     ("zswift push :5557 --data hello -n 5 -i 1s", "bind and send hello five times, once a second")]
        case .pull: [("zswift pull :5557 -n 100 > out.txt", "bind, receive 100 messages, exit"),
                     ("zswift pull -b 'tcp://127.0.0.1:*' -v", "bind a free port and report it on stderr")]
        case .pub: [("tail -f log | zswift pub :5556", "publish every new log line"),
                    ("seq 10 | zswift pub :5556 --wait-subscribers 1", "wait for a subscriber before the first message")]
        case .sub: [("zswift sub localhost:5556 -s 10001", "print updates whose text starts with 10001"),
                    ("zswift sub :5556 -n 1 -t 5s", "connect to port 5556 locally, print one message, give up after 5 s")]
        case .pair: [("zswift pair :5555", "bind and chat with the peer that connects"),
                     ("zswift pair localhost:5555 < /dev/null", "print what the peer sends until it leaves")]
        case .xpub: [("zswift xpub :5556", "publish stdin and watch subscribers come and go")]
        case .xsub: [("printf '+weather\\n' | zswift xsub localhost:5556", "subscribe to weather and print it")]
        }
    }
}
