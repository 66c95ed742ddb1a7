// The other end of a bench run in one process: a body run on a thread of its own, with the stop
// signals blocked (they are the main thread's), joined for its failure. A failing body shuts the
// context down so the main thread's blocking calls end instead of waiting for it for ever.
import Glibc
import ZMQ

final class BenchThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let context: Context
    private let body: @Sendable () throws(BenchFailure) -> Void
    /// Written by the thread, read after `join` (pthread_join orders the two).
    private var failure: BenchFailure?

    /// Starts `body` on a new thread.
    init(_ context: Context, _ body: @escaping @Sendable () throws(BenchFailure) -> Void) throws(BenchFailure) {
        self.context = context
        self.body = body
        let me = Unmanaged.passRetained(self).toOpaque()
        let rc = pthread_create(&thread, nil, { argument in
            let me = Unmanaged<BenchThread>.fromOpaque(argument!).takeRetainedValue()
            Signals.blockInThisThread()
            me.run()
            return nil
        }, me)
        if rc != 0 {
            Unmanaged<BenchThread>.fromOpaque(me).release()
            throw BenchFailure("cannot start a thread: \(String(cString: strerror(rc)))")
        }
    }

    private func run() {
        do throws(BenchFailure) { try body() } catch {
            failure = error
            context.shutdown()
        }
    }

    /// Waits for the body to end; its failure, if any.
    func join() -> BenchFailure? {
        pthread_join(thread, nil)
        return failure
    }
}
