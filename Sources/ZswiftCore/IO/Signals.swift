// Signals: the handlers only record which signal arrived; the loops look at the record after
// any call that returned EINTR (libzmq's blocking calls do, even with SA_RESTART) and end with
// 128+N. SIGPIPE is ignored so a closed stdout shows up as EPIPE from write(2).
import Glibc
import Synchronization

private let caughtSignal = Atomic<Int32>(0)
private let statsRequests = Atomic<Int>(0)
/// The write end of the self-pipe: a handler writes a byte so a wait that began just after the
/// last check still wakes (the read end is in the loops' poll sets).
private let wakeWriteEnd = Atomic<Int32>(-1)

private func wake() {
    var byte: UInt8 = 1
    let fd = wakeWriteEnd.load(ordering: .relaxed)
    if fd >= 0 { _ = write(fd, &byte, 1) }
}

enum Signals {
    /// What SIGUSR1 prints (the session's counters); called from the loops, not the handler.
    nonisolated(unsafe) static var statisticsReport: (() -> Void)?

    /// Installs the handlers for SIGINT, SIGTERM and SIGHUP (without SA_RESTART), makes SIGUSR1 a
    /// request for statistics, and ignores SIGPIPE.
    static func install() {
        var fds: [Int32] = [-1, -1]
        if pipe(&fds) == 0 {
            for fd in fds {
                _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
                _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            }
            wakeFD = fds[0]
            wakeWriteEnd.store(fds[1], ordering: .relaxed)
        }
        installStatisticsRequest()
        for signal in [SIGINT, SIGTERM, SIGHUP] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = {
                caughtSignal.store($0, ordering: .relaxed)
                wake()
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
        Glibc.signal(SIGPIPE, SIG_IGN)
    }

    /// Makes SIGUSR1 a request for statistics (broker) instead of the end of the program.
    static func installStatisticsRequest() {
        for signal in [SIGUSR1, SIGALRM] {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { _ in
                statsRequests.wrappingAdd(1, ordering: .relaxed)
                wake()
            }
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(signal, &action, nil)
        }
    }

    /// The read end of the self-pipe (-1 before install): poll it with the other fds.
    nonisolated(unsafe) private(set) static var wakeFD: Int32 = -1

    /// Empties the self-pipe after a wake.
    static func drainWake() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while wakeFD >= 0 && read(wakeFD, &buffer, buffer.count) > 0 {}
    }

    /// --stats=DURATION: a statistics request every `milliseconds` (SIGALRM from setitimer).
    static func requestStatistics(every milliseconds: Int) {
        guard milliseconds > 0 else { return }
        var timer = itimerval()
        timer.it_interval = timeval(tv_sec: milliseconds / 1000, tv_usec: (milliseconds % 1000) * 1000)
        timer.it_value = timer.it_interval
        setitimer(__itimer_which_t(ITIMER_REAL.rawValue), &timer, nil)
    }

    /// Takes the pending SIGUSR1 requests: whether there was any.
    static func takeStatisticsRequest() -> Bool { statsRequests.exchange(0, ordering: .relaxed) > 0 }

    /// The signal that asked us to stop, or 0.
    @inline(__always)
    static var pending: Int32 { caughtSignal.load(ordering: .relaxed) }

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
