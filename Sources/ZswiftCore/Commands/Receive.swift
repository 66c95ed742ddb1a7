// pull and sub: print every message received until --count, --timeout (status 3), a signal, or
// a reader that left stdout.
import ZMQ

enum ReceiveCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        let session = try Session(invocation, io: io, diagnostics: diagnostics)
        defer { session.printStats() }
        do throws(Exit) {
            try invocation.output.withEncoder(diagnostics: diagnostics, ReceiveLoop(session: session))
            try session.output.flush()
            session.finish()
        } catch {
            if !error.isSignal { try? session.output.flush() }
            session.abandon()
            throw error
        }
    }

    /// The error for a receiver whose --timeout ran out.
    static func timedOut(_ session: Session) -> Exit {
        let invocation = session.invocation
        let got = session.stats.receivedMessages
        if let count = invocation.count {
            return .timeout("received \(got) of \(count) messages: nothing arrived within --timeout \(invocation.timeout!)")
        }
        return .timeout(got == 0 ? "no message arrived within --timeout \(invocation.timeout!)"
                                 : "nothing more arrived within --timeout \(invocation.timeout!) (after \(Words.count(got, "message")))")
    }

    /// The error for a run that ends (`why`) before --count messages arrived, or nil when they did.
    static func shortOfCount(_ session: Session, _ why: String) -> Exit? {
        guard let count = session.invocation.count, session.stats.receivedMessages < count else { return nil }
        return .timeout("received \(session.stats.receivedMessages) of \(count) messages: \(why)")
    }
}

struct ReceiveLoop: EncoderUser {
    let session: Session

    func use<E: MessageEncoder>(_ encoder: inout E) throws(Exit) {
        let limit = session.invocation.count
        var message = Message()
        while true {
            _ = try session.receiveWaiting(&encoder, &message, limit: limit)
            if let limit, session.stats.receivedMessages >= limit { return }
            // nothing waiting: receiveBlocking flushes, then waits (for --timeout at most)
            guard try session.receiveBlocking(&message, until: Deadline(after: session.invocation.timeout)) else {
                throw ReceiveCommand.timedOut(session)
            }
            try session.writeReceived(&encoder, &message)
        }
    }
}
