// Counting subscribers for --wait-subscribers. An XPUB does not say which connection a
// subscription came from, so each completed handshake is one credit, and a subscription that
// finds a credit counts one subscriber (a subscriber's further prefixes find none).
//
// libzmq reports a connection's handshake on the monitor before it decodes any message of that
// connection (stream_engine_base.cpp, mechanism_ready), but the monitor and the socket are read
// apart: a subscription may be read before its handshake event is. So a subscription that finds
// no credit has the monitor read first, and the order of the two reads cannot lose a subscriber.

struct SubscriberTally {
    private(set) var counted = 0

    /// Takes a subscription; `handshakes` gives the handshakes completed so far, reading pending
    /// monitor events first when `refresh` is true. Returns whether it counted a new subscriber.
    mutating func subscription(handshakes: (_ refresh: Bool) throws(Exit) -> Int) throws(Exit) -> Bool {
        if counted >= (try handshakes(false)), counted >= (try handshakes(true)) { return false }
        counted += 1
        return true
    }
}
