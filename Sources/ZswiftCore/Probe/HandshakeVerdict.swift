// A second look at an ambiguous fatal handshake. Under NULL, a server that breaks off the
// handshake again and again is either refusing this client (ZAP, --allow/--deny: status 4) or
// of a socket type this one cannot talk to (status 1): libzmq's events read the same, and which
// one a run sees depends on timing. One short probe of the endpoint (zswift probe's, no message
// sent) reads the peer's own READY and tells them apart.

import ZMQ

extension FatalHandshake {
    /// This verdict, or an incompatible peer's when the endpoint, probed within `milliseconds`,
    /// turns out to be a socket that `ours` cannot talk to.
    func checkedByProbe(ours: SocketType, milliseconds: Int = 1000) -> FatalHandshake {
        guard case .repeatedFailures(.null, _) = cause,
              let endpoint = try? Endpoint.parse(endpoint, role: .connect) else { return self }
        let seen = Prober(timeout: milliseconds).describe(endpoint)
        guard seen.kind == .zmtp, let theirs = seen.socketType,
              !ours.compatiblePeers.map(\.description).contains(theirs) else { return self }
        return FatalHandshake(endpoint: self.endpoint, cause: .incompatiblePeer(ours))
    }
}
