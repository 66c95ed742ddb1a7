// What a zswift worker says to its broker and reads from it, in either protocol: Paranoid Pirate
// (broker --mode lb, the zguide's ppqueue: [01] READY, [02] HEARTBEAT, requests as
// [envelope..., "", body...]) or Majordomo (--service NAME, MDP/0.1 as the zguide's mdwrkapi
// speaks it). Pure: frames in, frames out; the parsing itself is PirateWire's and MDP's.

/// What the broker sent a worker.
enum WorkerInbound: Equatable {
    case heartbeat
    /// A request: `head` goes before the reply's frames, `body` is what to answer.
    case request(head: [[UInt8]], body: [[UInt8]])
    /// MDP DISCONNECT: the broker ends the session; the worker reconnects.
    case disconnect
    /// Frames that are no message of the protocol (ignored, said under -v).
    case invalid(String)
}

/// A worker's protocol: Paranoid Pirate, or Majordomo for one service.
enum WorkerWire: Equatable {
    case pirate
    case majordomo(service: [UInt8])

    init(service: String?) {
        self = service.map { .majordomo(service: Array($0.utf8)) } ?? .pirate
    }

    /// The application heartbeat's default: ppworker's 1 s, mdwrkapi's 2.5 s (3 missed: gone).
    var defaultHeartbeat: HeartbeatSettings {
        self == .pirate ? .paranoidPirate : .majordomo
    }

    /// The protocol's name in messages.
    var name: String { self == .pirate ? "Paranoid Pirate" : "Majordomo" }

    /// The first message on each connection.
    var ready: [[UInt8]] {
        switch self {
        case .pirate: [PirateWire.ready]
        case .majordomo(let service): MDP.fromWorker(.ready(service: service))
        }
    }

    /// The message sent when nothing else was, every heartbeat interval.
    var heartbeat: [[UInt8]] {
        switch self {
        case .pirate: [PirateWire.heartbeat]
        case .majordomo: MDP.fromWorker(.heartbeat)
        }
    }

    /// What a worker says when it leaves for good (Majordomo only; Paranoid Pirate has no word for it).
    var disconnect: [[UInt8]]? {
        self == .pirate ? nil : MDP.fromWorker(.disconnect)
    }

    /// The client's routing id at the broker, from a request's `head`: the envelope's first frame
    /// (Paranoid Pirate), or MDP's client frame.
    func client(ofHead head: [[UInt8]]) -> [UInt8]? {
        switch self {
        case .pirate: head.first
        case .majordomo: head.count > 3 ? head[3] : nil
        }
    }

    /// Reads what the worker's DEALER received.
    func read(_ frames: [[UInt8]]) -> WorkerInbound {
        switch self {
        case .pirate:
            switch PirateWire.parseAtWorker(frames) {
            case .success(.heartbeat): return .heartbeat
            case let .success(.request(envelope, body)):
                return .request(head: PirateWire.reply(envelope: Array(frames[envelope]), body: []), body: Array(frames[body]))
            case .failure(let error): return .invalid(error.description)
            }
        case .majordomo:
            switch MDP.parseAtWorker(frames) {
            case .success(.heartbeat): return .heartbeat
            case .success(.disconnect): return .disconnect
            case let .success(.request(client, body)):
                return .request(head: MDP.fromWorker(.reply(client: client, body: [])), body: body)
            case .success(let other): return .invalid("\(other.command) sent by the broker")
            case .failure(let error): return .invalid(error.description)
            }
        }
    }
}
