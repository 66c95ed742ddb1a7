// The one loop that sets a socket's options from its plan (CLI/SocketPlan.swift), -o's among them,
// and what a refusal from libzmq means: the command line's mistake (a usage error) for a flag or -o,
// a failure of zswift's own for the rest. It runs before any bind or connect.
import ZMQ

extension SocketPlan {
    /// Sets every option in order, then sends an XSUB's subscriptions.
    func apply(to socket: Socket) throws(Exit) {
        for setting in settings {
            do {
                try setting.bytes.withBytes { (raw) throws(ZMQError) in try socket.setRaw(setting.option.code, raw) }
            } catch {
                throw setting.failure(error, on: socket.type)
            }
        }
        for message in subscriptionMessages {
            do { _ = try socket.send(message, flags: .dontWait) } catch {
                throw Exit.runtime("cannot set up the socket: \(error)")
            }
        }
    }
}

extension SocketOptionSetting {
    /// How the run ends when libzmq refuses this setting on a socket of `type`. Invocation held the
    /// values of flags and -o to the option table; one libzmq refuses all the same (EINVAL) is
    /// still the command line's mistake, so a usage error.
    func failure(_ error: ZMQError, on type: SocketType) -> Exit {
        switch source {
        case .zswift:
            return .runtime("cannot set up the socket: \(error)")
        case .flag, .sockopt:
            guard error == .invalidArgument else { return .runtime("cannot set \(spelled): \(error)") }
            let refusal = refused(on: type)
            return .failed(.usage, refusal.message, hint: refusal.hint)
        }
    }
}
