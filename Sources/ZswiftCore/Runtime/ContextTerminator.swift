// zmq_ctx_term blocks until every queued message is handed over (or linger runs out). It runs on
// a helper thread, which blocks the stop signals so they reach the main thread, and reports its
// end through a pipe the main thread can wait on with a timeout.
import Glibc
import ZMQ

final class ContextTerminator {
    /// Readable once termination has finished (poll it on the event loop).
    let readEnd: Int32
    private var finished = false

    private init(readEnd: Int32) { self.readEnd = readEnd }

    static func start(_ context: Context) -> ContextTerminator {
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            context.terminate()
            let t = ContextTerminator(readEnd: -1)
            t.finished = true
            return t
        }
        let job = UnsafeMutablePointer<(UnsafeMutableRawPointer, Int32)>.allocate(capacity: 1)
        job.initialize(to: (Unmanaged.passRetained(context).toOpaque(), fds[1]))
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { arg in
            Signals.blockInThisThread()
            let job = arg!.assumingMemoryBound(to: (UnsafeMutableRawPointer, Int32).self)
            let (contextPointer, writeEnd) = job.pointee
            job.deallocate()
            let context = Unmanaged<Context>.fromOpaque(contextPointer).takeRetainedValue()
            context.terminate()
            var byte: UInt8 = 1
            _ = write(writeEnd, &byte, 1)
            Glibc.close(writeEnd)
            return nil
        }, job)
        if rc != 0 {
            Unmanaged<Context>.fromOpaque(job.pointee.0).release()
            job.deallocate()
            context.terminate()
            Glibc.close(fds[1])
            let t = ContextTerminator(readEnd: fds[0])
            t.finished = true
            return t
        }
        pthread_detach(thread)
        return ContextTerminator(readEnd: fds[0])
    }

    /// Whether termination has finished, waiting up to `milliseconds` for it.
    func isFinished(waitingUpTo milliseconds: Int) -> Bool {
        if finished { return true }
        var p = pollfd(fd: readEnd, events: Int16(POLLIN), revents: 0)
        if Glibc.poll(&p, 1, Int32(clamping: milliseconds)) > 0 { finished = true }
        return finished
    }

    func close() {
        if readEnd >= 0 { Glibc.close(readEnd) }
    }
}
