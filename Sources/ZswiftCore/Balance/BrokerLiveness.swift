// A worker's view of its broker (the zguide's ppworker and mdwrkapi): when to heartbeat, when the
// broker has been silent too long, and how long to wait before reconnecting, doubling from 1 s to
// a 32 s cap and back to 1 s once the broker is heard again. Pure: `now` is given in nanoseconds.

/// When a worker heartbeats its broker, decides it is gone, and waits before reconnecting.
///
/// ppworker counts polls without input; this counts time, which is the same thing when polls last
/// one heartbeat interval and stays right when the worker's loop wakes for other reasons.
/// While a request is in hand (`requestStarted` to `requestFinished`) silence does not count: the
/// zguide's ppqueue and mdbroker heartbeat idle workers only.
struct BrokerLiveness: Equatable, Sendable {
    let heartbeat: HeartbeatSettings
    /// The first reconnect delay, and the delay again once the broker is heard: 1 s.
    let initialDelay: Int
    /// The longest reconnect delay: 32 s.
    let maximumDelay: Int
    /// The delay the next reconnection will wait.
    private(set) var delay: Int
    /// When the broker was last heard from (or the connection was made).
    private(set) var lastHeard: Int
    /// When the worker's next heartbeat is due.
    private(set) var nextHeartbeatAt: Int
    /// Whether a request is in hand.
    private(set) var busy = false

    init(heartbeat: HeartbeatSettings = .paranoidPirate, initialDelay: Int = 1_000_000_000,
         maximumDelay: Int = 32_000_000_000, now: Int) {
        precondition(initialDelay > 0 && maximumDelay >= initialDelay, "a back-off that does not grow")
        self.heartbeat = heartbeat
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        delay = initialDelay
        lastHeard = now
        nextHeartbeatAt = now + heartbeat.interval
    }

    /// Anything arrived from the broker (a heartbeat, a request): it is alive, and the back-off
    /// starts again from `initialDelay`.
    mutating func heard(now: Int) {
        lastHeard = now
        delay = initialDelay
    }

    /// Whether the broker has been silent for liveness × interval while this worker was idle.
    func brokerIsSilent(now: Int) -> Bool { !busy && now - lastHeard >= heartbeat.expiry }

    /// When the broker will count as silent unless heard from (for the poll timeout).
    var silentAt: Int { lastHeard + heartbeat.expiry }

    /// The delay to wait before reconnecting now, and the longer one for next time (doubling up to
    /// `maximumDelay`): 1, 2, 4, 8, 16, 32, 32... seconds with the defaults.
    mutating func takeReconnectDelay() -> Int {
        let wait = delay
        delay = min(maximumDelay, delay * 2)
        return wait
    }

    /// The worker reconnected (and sent READY): silence counts from `now`, heartbeats are due one
    /// interval later. The back-off is kept until the broker answers.
    mutating func connected(now: Int) {
        lastHeard = now
        busy = false
        nextHeartbeatAt = now + heartbeat.interval
    }

    /// Whether a heartbeat should be sent now; if so, the next is scheduled one interval later.
    mutating func heartbeatDue(now: Int) -> Bool {
        guard now >= nextHeartbeatAt else { return false }
        nextHeartbeatAt = now + heartbeat.interval
        return true
    }

    /// Any message sent to the broker counts as a heartbeat: the next is due one interval later.
    mutating func sent(now: Int) { nextHeartbeatAt = now + heartbeat.interval }

    /// A request arrived: it counts as hearing from the broker, and silence stops counting.
    mutating func requestStarted(now: Int) {
        heard(now: now)
        busy = true
    }

    /// The reply went: silence counts again from `now`.
    mutating func requestFinished(now: Int) {
        busy = false
        lastHeard = max(lastHeard, now)
    }

    /// The earliest time something is due (a heartbeat, or the broker counting as silent).
    var nextDeadline: Int { busy ? nextHeartbeatAt : min(nextHeartbeatAt, silentAt) }
}
