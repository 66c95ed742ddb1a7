// One event loop for a run: zmq sockets and plain file descriptors with handlers, timers, and
// the signal wake fd, in one poll(2). Commands register handlers on it, or wait on it for one
// socket while everything else registered (monitor events, stdout's reader leaving, timers) is
// still served. It does not own what it watches; RunScope does.
//
// A zmq socket is watched through its ZMQ_FD, which only says that the socket's state may have
// changed (zmq_getsockopt(3), ZMQ_FD), and only after a receive said "would block" or
// ZMQ_EVENTS was read (either takes the pending commands). So when the fd fires, the socket's handler (or its
// waiter) just tries again; and before the loop blocks, a socket that may have changed unseen
// (its handler or waiter did not end on "would block") is looked at with ZMQ_EVENTS. zmq_poll
// would look at every socket twice per wait instead.
import Glibc
import ZMQ

final class Reactor {
    /// Called with what may be ready (a socket's handler must cope with finding nothing);
    /// returns whether it took everything it could (libzmq said "would block"), so the socket
    /// need not be looked at before the next wait.
    typealias Handler = (PollEvents) throws(Exit) -> Bool
    typealias Action = () throws(Exit) -> Void

    /// A registered socket or fd.
    struct Watch: Hashable {
        fileprivate let id: Int
        /// No watch (before one is registered).
        static let none = Watch(id: 0)
    }
    /// A registered timer.
    struct Timer: Hashable { fileprivate let id: Int }

    private final class Entry {
        let socket: Socket?
        let fd: Int32
        var events: PollEvents
        /// Whether the socket's state may have changed unseen (it must be looked at before a wait).
        var stale = true
        /// What a handler-less entry last saw ready (for `wait`).
        var ready: PollEvents = []
        let handler: Handler?
        /// Every use of the socket reads it until "would block" (a monitor's event socket): what
        /// other handlers do cannot leave it ready unseen, so they do not make it stale.
        var drainedByEveryUse = false
        init(socket: Socket?, fd: Int32, events: PollEvents, handler: Handler?) {
            (self.socket, self.fd, self.events, self.handler) = (socket, fd, events, handler)
        }
    }

    private struct TimerEntry {
        let id: Int
        var due: Int
        let every: Int?
        let action: Action
    }

    private var entries: [(id: Int, entry: Entry)] = []
    private var timers: [TimerEntry] = []
    private var nextID = 0
    private var pollSet: [pollfd] = []

    init() {}

    // MARK: - Registering

    /// Watches a zmq socket for `events`. Without a handler, `wait(for:)` is how it is used.
    /// `drainedByEveryUse`: whoever touches the socket (its handler, or code outside the loop)
    /// reads it until "would block", as ConnectionMonitor.drain does, so a handler of another
    /// socket need not make the loop look at it again (one ZMQ_EVENTS less per turn).
    @discardableResult
    func watch(_ socket: Socket, for events: PollEvents, drainedByEveryUse: Bool = false, _ handler: Handler? = nil) -> Watch {
        let fd: Int32 = (try? socket.get(.fileDescriptor)) ?? -1
        let entry = Entry(socket: socket, fd: fd, events: events, handler: handler)
        entry.drainedByEveryUse = drainedByEveryUse
        return add(entry)
    }

    /// Watches a plain file descriptor: level-triggered; `[]` still reports errors and hang-ups
    /// (how a pipe whose reader left is noticed without writing).
    @discardableResult
    func watch(fd: Int32, for events: PollEvents, _ handler: Handler? = nil) -> Watch {
        add(Entry(socket: nil, fd: fd, events: events, handler: handler))
    }

    private func add(_ entry: Entry) -> Watch {
        nextID += 1
        entries.append((nextID, entry))
        return Watch(id: nextID)
    }

    /// Changes what `watch` waits for (`[]`: nothing but errors on a plain fd; a socket is then
    /// left alone).
    func change(_ watch: Watch, to events: PollEvents) {
        guard let entry = entry(watch) else { return }
        if entry.events != events { entry.stale = true }
        entry.events = events
    }

    /// Says that `watch`'s socket may be ready without its fd saying so (it was used outside the
    /// loop and did not end on "would block").
    func mayBeReady(_ watch: Watch) { entry(watch)?.stale = true }

    /// Says that `watch`'s socket was just told "would block": it need not be looked at before
    /// the next wait (its fd fires when that changes).
    func drained(_ watch: Watch) { entry(watch)?.stale = false }

    /// What a handler-less watch saw ready in the turns since the last call, cleared.
    func take(_ watch: Watch) -> PollEvents {
        guard let entry = entry(watch) else { return [] }
        defer { entry.ready = [] }
        return entry.ready
    }

    func remove(_ watch: Watch) { entries.removeAll { $0.id == watch.id } }

    /// Runs `action` once after `milliseconds`, or every `milliseconds` when `repeating`.
    @discardableResult
    func timer(after milliseconds: Int, repeating: Bool = false, _ action: @escaping Action) -> Timer {
        nextID += 1
        timers.append(TimerEntry(id: nextID, due: Clock.now() + milliseconds, every: repeating ? max(1, milliseconds) : nil, action: action))
        return Timer(id: nextID)
    }

    func cancel(_ timer: Timer) { timers.removeAll { $0.id == timer.id } }

    private func entry(_ watch: Watch) -> Entry? { entries.first { $0.id == watch.id }?.entry }

    // MARK: - Running

    /// Turns until `done` says so (true) or `deadline` passes (false).
    func run(until deadline: Deadline = Deadline(after: nil), _ done: () throws(Exit) -> Bool) throws(Exit) -> Bool {
        while true {
            if try done() { return true }
            if deadline.hasPassed { return false }
            try turn(timeout: deadline.remaining())
        }
    }

    /// Waits until `watch`'s socket or fd can do `events` (false when `deadline` passed first),
    /// serving everything else meanwhile. `drained`: the caller was just told "would block".
    func wait(for watch: Watch, _ events: PollEvents, until deadline: Deadline, drained: Bool = false) throws(Exit) -> Bool {
        guard let entry = entry(watch) else { return false }
        let before = entry.events
        entry.events = events
        entry.ready = []
        // a receive that said "would block" took every pending command, so the fd fires on the
        // next change; a send does not (it takes them at most once a millisecond: socket_base.cpp,
        // process_commands with throttle): the socket is looked at first
        entry.stale = !(drained && events == .readable)
        defer { entry.events = before }
        // a pipe at end of input reports a hang-up, not readable: read it anyway (read(2) says 0)
        return try run(until: deadline) { () throws(Exit) -> Bool in !entry.ready.isDisjoint(with: events.union(.error)) }
    }

    /// One turn: waits up to `timeout` milliseconds (-1: until a timer or an event), then runs
    /// the handlers of what is ready and the timers that are due. It allocates nothing when it
    /// is not nested (a waiting receiver turns once per wait).
    func turn(timeout: Int) throws(Exit) {
        try Signals.check()
        depth += 1
        defer { depth -= 1 }
        var ready = depth == 1 ? readyBuffer : []
        ready.removeAll(keepingCapacity: true)
        defer { if depth == 1 { readyBuffer = ready } }
        for (_, entry) in entries where entry.socket != nil && entry.stale && !entry.events.isEmpty {
            entry.stale = false
            let now = entry.socket!.events.intersection(entry.events)
            if !now.isEmpty { ready.append((entry, now)) }
        }
        var wait = ready.isEmpty ? timeout : 0
        if !timers.isEmpty {
            var due = Int.max
            for timer in timers where timer.due < due { due = timer.due }
            let left = max(0, due - Clock.now())
            wait = wait < 0 ? left : min(wait, left)
        }
        if ready.isEmpty { try poll(timeout: wait, into: &ready) }
        for (entry, events) in ready { try dispatch(entry, events) }
        if !timers.isEmpty { try fireTimers() }
    }

    private var depth = 0
    private var readyBuffer: [(Entry, PollEvents)] = []

    private func poll(timeout: Int, into ready: inout [(Entry, PollEvents)]) throws(Exit) {
        pollSet.removeAll(keepingCapacity: true)
        for i in entries.indices {
            let entry = entries[i].entry
            // a plain fd that waits for nothing is still polled for errors when it has a handler
            let watched = !entry.events.isEmpty || (entry.socket == nil && entry.handler != nil)
            var events: Int16 = 0
            if entry.socket != nil || entry.events.contains(.readable) { events |= Int16(POLLIN) }
            if entry.socket == nil && entry.events.contains(.writable) { events |= Int16(POLLOUT) }
            pollSet.append(pollfd(fd: watched ? entry.fd : -1, events: events, revents: 0))
        }
        pollSet.append(pollfd(fd: Signals.wakeFD, events: Int16(POLLIN), revents: 0))
        let rc = Glibc.poll(&pollSet, nfds_t(pollSet.count), Int32(clamping: timeout))
        if rc < 0 && errno != EINTR { throw Exit.runtime("poll failed: \(String(cString: strerror(errno)))") }
        if pollSet[entries.count].revents != 0 { Signals.drainWake() }
        try Signals.check()
        guard rc > 0 else { return }
        for i in entries.indices where pollSet[i].revents != 0 {
            let entry = entries[i].entry
            if entry.socket != nil {
                // the fd fired: what it waits for may be ready. Its handler (or waiter) tries, which
                // takes the pending commands, so ZMQ_EVENTS would only cost one more look
                ready.append((entry, entry.events))
            } else {
                ready.append((entry, Reactor.events(pollSet[i].revents)))
            }
        }
    }

    private static func events(_ revents: Int16) -> PollEvents {
        var events: PollEvents = []
        if revents & Int16(POLLIN) != 0 { events.insert(.readable) }
        if revents & Int16(POLLOUT) != 0 { events.insert(.writable) }
        if revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { events.insert(.error) }
        return events
    }

    private func dispatch(_ entry: Entry, _ events: PollEvents) throws(Exit) {
        guard entries.contains(where: { $0.entry === entry }) else { return }  // removed meanwhile
        guard let handler = entry.handler else {
            entry.ready.formUnion(events)
            entry.stale = true  // the waiter acts on it outside the loop
            return
        }
        let drained = try handler(events)
        if !drained { entry.stale = true }
        // a handler may have used other sockets: look at them before blocking
        for (_, other) in entries where other !== entry && other.socket != nil && !other.drainedByEveryUse { other.stale = true }
    }

    private func fireTimers() throws(Exit) {
        let now = Clock.now()
        for timer in timers where timer.due <= now {
            guard let i = timers.firstIndex(where: { $0.id == timer.id }) else { continue }  // cancelled meanwhile
            if let every = timer.every { timers[i].due = now + every } else { timers.remove(at: i) }
            try timer.action()
        }
    }
}
