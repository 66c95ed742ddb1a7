// Making a socket ready: created in the run's context, its options applied from the invocation's
// plan (SocketPlan: zswift's, the flags', then -o's), its connection tracker attached, then its
// binds (an ipc path checked first; a host name resolved) and connects. What cannot be set up is
// said in words.
import Glibc
import ZMQ

enum SocketSetup {
    /// Creates the socket with every option, its peer tracker, and its binds and connects.
    static func open(_ type: SocketType, context: Context, invocation: Invocation, diagnostics: Diagnostics,
                     endpoints: [Endpoint]? = nil, secured: Bool = true, reopening: Bool = false) throws(Exit) -> (Socket, ConnectionMonitor) {
        let endpoints = endpoints ?? invocation.endpoints
        let socket: Socket
        do { socket = try Socket(context, type: type) } catch { throw Exit.runtime("cannot create a socket: \(error)") }
        let binds = endpoints.contains { $0.role == .bind }
        let peers: ConnectionMonitor
        try invocation.socketPlan(binding: binds, secured: secured).apply(to: socket)
        do {
            peers = try ConnectionMonitor(socket: socket, diagnostics: diagnostics, events: invocation.events,
                              refusesLegacy: binds && !invocation.legacyZMTP,
                              refusalsExplained: secured && invocation.security.policy != nil)
            if invocation.command.writesOutput { peers.maxMessageSize = invocation.socket.maxMessageSize }
            for endpoint in endpoints where endpoint.role == .connect {
                if let resolved = HostLookup.resolvedAddress(endpoint, ipv6: invocation.socket.ipv6) {
                    peers.name(resolved, as: endpoint.address)
                }
            }
        } catch {
            throw Exit.runtime("cannot set up the socket: \(error)")
        }
        for endpoint in endpoints where endpoint.role == .bind {
            do throws(Exit) { try IPCPath.checkBindable(endpoint, reopening: reopening) } catch {
                socket.close()
                throw error
            }
            var attempts = 0
            while true {
                do { try socket.bind(endpoint.address); break } catch {
                    // libzmq binds *, addresses and interface names, not host names: resolve one
                    if error == .noDevice || error == .wouldBlock,
                       let resolved = HostLookup.resolvedBindAddress(endpoint.address, ipv6: invocation.socket.ipv6),
                       (try? socket.bind(resolved)) != nil {
                        break
                    }
                    // a socket just closed may hold its address for a moment (Lazy Pirate reopen)
                    attempts += 1
                    if reopening && error == .addressInUse && attempts < 50 {
                        var p = pollfd()
                        _ = Glibc.poll(&p, 0, 20)
                        continue
                    }
                    socket.close()
                    throw SocketSetup.bindError(error, endpoint)
                }
            }
            if !reopening { diagnostics.info("bound to \(socket.lastEndpoint)") }
        }
        for endpoint in endpoints where endpoint.role == .connect {
            do { try socket.connect(endpoint.address) } catch {
                socket.close()
                throw Exit.runtime("cannot connect to \(endpoint.address): \(error)")
            }
            if !reopening { diagnostics.info("connecting to \(endpoint.address)") }
        }
        return (socket, peers)
    }

    static func bindError(_ error: ZMQError, _ endpoint: Endpoint) -> Exit {
        let address = endpoint.address
        switch error {
        case .addressInUse:
            return .runtime("address already in use: \(address)",
                            hint: address.hasPrefix("ipc://") ? "another process has it; pick another path" : "another process has it; pick another port, or * for any free one")
        case .addressNotAvailable:
            return .runtime("address not available on this machine: \(address)", hint: "bind an address of this machine, or * for all")
        case .noDevice:
            return .runtime("no such interface, address or host name: \(address)", hint: "bind an address of this machine, or * for all")
        case .permissionDenied:
            return .runtime("permission denied: \(address)",
                            hint: address.hasPrefix("tcp") ? "ports below 1024 need privileges"
                                : address.hasPrefix("ipc://") ? "an ipc path must be in a directory you can write" : nil)
        case .protocolNotSupported:
            return .runtime("this libzmq has no transport for \(address)")
        case .wouldBlock where address.hasPrefix("tcp://") || address.hasPrefix("ws"):
            return .runtime("cannot bind \(address): a bind address is *, an IP address, an interface name or a host name of this machine",
                            hint: "bind 127.0.0.1 for this machine only, or * (:PORT) for every interface")
        default:
            if error.code == ENOENT {
                return .runtime("cannot bind \(address): its directory does not exist")
            }
            return .runtime("cannot bind \(address): \(error)")
        }
    }

}
