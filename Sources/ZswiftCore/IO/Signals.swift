// Signals: the handlers only record which signal arrived; the loops look at the record after
// any call that returned EINTR (libzmq's blocking calls do, even with SA_RESTART) and end with
// 128+N. SIGPIPE is ignored so a closed stdout shows up as EPIPE from write(2).
import Glibc
import Synchronization

private let caughtSignal = Atomic<Int32>(0)
private let statsRequests = Atomic<Int>(0)

enum Signals {
    /// What SIGUSR1 prints (the session's counters); called from the loops, not the handler.
    nonisolated(unsafe) static var statisticsReport: (() -> Void)?

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP (without SA_RESTART), makes SIGUSR1 a
    /// request for statistics, and ignores SIGPIPE.
    static func install() {
        installStatisticsRequest()
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { caughtSignal.store($0, ordering: .relaxed) }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// Makes SIGUSR1 a request for statistics (broker) instead of the end of the program.
    static func installStatisticsRequest() {
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in statsRequests.wrappingAdd(1, ordering: .relaxed) }
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGUSR1, &action, nil)
    }

    /// Takes the pending SIGUSR1 requests: whether there was any.
    static func takeStatisticsRequest() -> Bool { statsRequests.exchange(0, ordering: .relaxed) > 0 }

    /// The signal that asked us to stop, or 0.
    @inline(__always)
    static var pending: Int32 { caughtSignal.load(ordering: .relaxed) }

    /// For tests: forget a recorded signal.
    static func reset() { caughtSignal.store(0, ordering: .relaxed) }

    /// Throws the exit for a pending stop signal, if any; prints statistics for a SIGUSR1.
    @inline(__always)
    static func check() throws(Exit) {
        let signal = pending
        if signal != 0 { throw Exit.signal(signal) }
        if statsRequests.load(ordering: .relaxed) != 0, let report = statisticsReport, takeStatisticsRequest() { report() }
    }

    /// Blocks the stop signals in the calling thread (helper threads leave them to the main thread).
    static func blockInThisThread() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in [SIGINT, SIGTERM, SIGHUP] { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }
}
