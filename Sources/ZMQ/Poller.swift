// Waiting on several sockets and plain file descriptors at once (zmq_poll; Debian's libzmq has
// no zmq_poller_* draft API).
import CZMQ

/// Events to wait for or that happened. The corresponding C constants are `ZMQ_POLLIN`, `ZMQ_POLLOUT`, `ZMQ_POLLERR`.
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: Int16
    @inlinable public init(rawValue: Int16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
    public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    public static let error = PollEvents(rawValue: Int16(ZMQ_POLLERR))
}

/// A set of sockets and file descriptors to wait on. Items keep their index; the owner keeps the sockets alive.
public struct Poller {
    @usableFromInline var items: [zmq_pollitem_t] = []

    public init() {}

    /// Adds a socket and returns its index.
    @discardableResult
    public mutating func add(_ socket: Socket, _ events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Adds a plain file descriptor and returns its index. For a pipe at end of file Linux reports a
    /// hang-up, which libzmq shows as `.error` (not `.readable`): read it anyway, read(2) returns 0.
    @discardableResult
    public mutating func add(fd: Int32, _ events: PollEvents) -> Int {
        items.append(zmq_pollitem_t(socket: nil, fd: fd, events: events.rawValue, revents: 0))
        return items.count - 1
    }

    /// Changes what to wait for on item `index` (an empty set ignores it, except for errors on fds).
    public mutating func setEvents(_ index: Int, _ events: PollEvents) {
        items[index].events = events.rawValue
    }

    /// Watches file descriptor `fd` for `events` at item `index`; a negative fd is ignored by poll
    /// (an fd at end of file would otherwise report an error or hang-up on every poll).
    public mutating func setFD(_ index: Int, _ fd: Int32, _ events: PollEvents) {
        items[index].fd = fd
        items[index].events = events.rawValue
    }

    /// Watches `socket` at item `index` instead of what was there (a socket closed and reopened).
    public mutating func setSocket(_ index: Int, _ socket: Socket, _ events: PollEvents) {
        items[index] = zmq_pollitem_t(socket: socket.handle, fd: -1, events: events.rawValue, revents: 0)
    }

    /// Stops watching item `index` entirely.
    public mutating func disable(_ index: Int) {
        items[index].events = 0
        items[index].fd = -1
        items[index].socket = nil
    }

    /// Waits up to `timeout` milliseconds (-1: for ever) and returns how many items are ready.
    /// Throws `.interrupted` when a signal arrived. The corresponding C function is `zmq_poll`.
    public mutating func poll(timeout: Int) throws(ZMQError) -> Int {
        for i in items.indices { items[i].revents = 0 }
        let count = items.count
        let rc = items.withUnsafeMutableBufferPointer { zmq_poll($0.baseAddress, Int32(count), timeout) }
        if rc < 0 { throw ZMQError.last }
        return Int(rc)
    }

    /// What happened on item `index` in the last poll.
    public func events(_ index: Int) -> PollEvents { PollEvents(rawValue: items[index].revents) }
}
