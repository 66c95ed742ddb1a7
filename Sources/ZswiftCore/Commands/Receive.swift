// pull and sub: print every message received until --count, --timeout (status 3), a signal, or
// a reader that left stdout.
import ZMQ

enum ReceiveCommand {
    static func run(_ scope: RunScope) throws(Exit) {
        let channel = try scope.open()
        try scope.invocation.output.withEncoder(diagnostics: scope.diagnostics, ReceiveLoop(channel: channel))
        try scope.output.flush()
    }

    /// The error for a receiver whose --timeout ran out.
    static func timedOut(_ scope: RunScope) -> Exit {
        let invocation = scope.invocation
        let got = scope.stats.receivedMessages
        // a worker hears heartbeats from its broker all along: what did not come is a request
        let noun = invocation.command == .worker ? "request" : "message"
        let filtered = invocation.command.spec.subscribes != .none && !invocation.socket.subscriptions.isEmpty
        let nothing = invocation.command == .worker ? "no request came" : "nothing came"
        let seen = scope.channels.first.map { "; " + $0.whatWasSeen(waitedFor: got == 0 ? nothing + (filtered ? " that matched --subscribe" : "") : "nothing more came") } ?? ""
        if let count = invocation.count {
            let arrived = invocation.command == .worker ? "no request arrived" : "nothing arrived"
            return .timeout("received \(got) of \(Words.count(count, noun)): \(arrived) within --timeout \(invocation.timeout!)" + seen)
        }
        return .timeout((got == 0 ? "no \(noun) arrived within --timeout \(invocation.timeout!)"
                                  : "nothing more arrived within --timeout \(invocation.timeout!) (after \(Words.count(got, noun)))") + seen)
    }

    /// The error for a run that ends (`why`) before --count messages arrived, or nil when they did.
    static func shortOfCount(_ scope: RunScope, _ why: String) -> Exit? {
        guard let count = scope.invocation.count, scope.stats.receivedMessages < count else { return nil }
        return .timeout("received \(scope.stats.receivedMessages) of \(count) messages: \(why)")
    }
}

struct ReceiveLoop: EncoderUser {
    let channel: Channel

    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit) {
        let limit = channel.invocation.count
        var message = Message()
        while true {
            _ = try channel.receiveWaiting(&encoder, &message, limit: limit)
            if let limit, channel.scope.stats.receivedMessages >= limit { return }
            // nothing waiting: receiveBlocking flushes, then waits (for --timeout at most)
            guard try channel.receiveBlocking(&message, until: Deadline(after: channel.invocation.timeout)) else {
                throw ReceiveCommand.timedOut(channel.scope)
            }
            try channel.writeReceived(&encoder, &message)
        }
    }
}
