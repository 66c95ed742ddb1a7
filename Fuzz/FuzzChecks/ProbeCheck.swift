// What probe reads from a peer, under fuzzing: any bytes classify as an opening and a peer kind
// without a trap, a command decodes within the bytes it was given, and a READY made of the
// properties read back encodes and decodes to the same properties.
#if DEBUG
@testable import ZswiftCore

enum ProbeCheck {
    static func check(_ bytes: [UInt8]) throws(InvariantFailure) {
        _ = ZMTPGreeting.classify(bytes)
        _ = PeerKind.of(bytes)
        _ = PeerKind.banner(bytes)
        switch ZMTPCommand.decode(bytes) {
        case let .command(command, consumed):
            try require(consumed <= bytes.count && consumed > 0, "a command consumed \(consumed) of \(bytes.count) bytes")
            if command.name == "READY", let properties = ZMTPCommand.properties(command.body),
               properties.allSatisfy({ $0.name.utf8.allSatisfy { $0 < 128 } }) {
                let again = ZMTPCommand.decode(ZMTPCommand.ready(properties).encoded())
                guard case let .command(back, _) = again else {
                    throw InvariantFailure(description: "a READY made of properties read does not decode")
                }
                try require(ZMTPCommand.properties(back.body) == properties, "a READY's properties do not read back the same")
            }
        case .incomplete, .invalid:
            break
        }
    }
}
#endif
