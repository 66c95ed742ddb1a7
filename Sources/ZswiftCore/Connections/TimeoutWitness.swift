// What a timeout says it saw (issue 10, "every timeout says why"): the tracker counts what the
// connections came to — retries of a connect that found nothing, connections that never
// completed a ZMTP handshake, peers that did — and a run that ends with status 3 names it, so
// "nothing listens there", "something that is not ZMTP answered" and "a peer took it and said
// nothing" no longer read the same.

/// Counts of what the watched socket's connections came to since it was opened.
struct Seen: Equatable, Sendable {
    /// Connect attempts libzmq retried (a refused or failed connect).
    var retries = 0
    /// Connections made or accepted.
    var connections = 0
}

extension ConnectionTracker {
    /// What was seen at `endpoints` (as the user named them), in words for a timeout: `binds`
    /// when the socket only waits for peers to come.
    func whatWasSeen(at endpoints: String, binds: Bool) -> String {
        if ready > 0 {
            return "\(Words.count(ready, "peer")) connected and completed the ZMTP handshake"
        }
        if handshakes > 0 {
            return "\(Words.count(handshakes, "peer")) completed the handshake, and none is connected now"
        }
        if seen.connections > 0 && binds {
            let came = seen.connections == 1 ? "a connection came" : "\(seen.connections) connections came"
            return "\(came) to \(endpoints), but no ZMTP handshake completed (not a ZMTP peer, or of a socket type that does not fit)"
        }
        if seen.connections > 0 {
            let times = seen.connections == 1 ? "a connection was made" : "\(seen.connections) connections were made"
            return "\(times), but no ZMTP handshake completed: what is at \(endpoints) may not be a ZMTP peer of a fitting type (zswift probe \(endpoints) says what it is)"
        }
        if binds { return "no peer connected to \(endpoints)" }
        if seen.retries > 0 {
            return "nothing listens at \(endpoints): every connect failed (retried \(seen.retries) \(seen.retries == 1 ? "time" : "times"))"
        }
        return "no connection to \(endpoints) was made (the host may be unreachable, or drop what is sent to that port)"
    }
}

extension Channel {
    /// What a timeout on this socket saw, after reading the monitor events still waiting.
    /// `waitedFor`: what did not come from a peer that is there ("sent nothing", "did not answer").
    func whatWasSeen(waitedFor: String) -> String {
        _ = try? peers.drain()
        let tracker = peers.tracker
        let seen = tracker.whatWasSeen(at: endpointNames, binds: endpoints.allSatisfy { $0.role == .bind })
        return tracker.ready > 0 ? seen + ", and " + waitedFor : seen
    }
}
