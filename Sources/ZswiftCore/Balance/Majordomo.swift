// Majordomo (MDP/0.1, rfc.zeromq.org spec 7) messages as values: a client's request or the
// broker's reply ("MDPC01", service, body), and the worker protocol's five commands ("MDPW01",
// READY, REQUEST, REPLY, HEARTBEAT, DISCONNECT), with their frames and the reasons frames are not
// a message. Reading frames off each socket is in Majordomo+Parse.swift.

/// Majordomo constants.
enum MDP {
    /// The first frame of every client message: MDP/Client 0.1.
    static let clientHeader: [UInt8] = Array("MDPC01".utf8)
    /// The first frame of every worker message: MDP/Worker 0.1.
    static let workerHeader: [UInt8] = Array("MDPW01".utf8)
    /// Services whose names start with this are the broker's own (8/MMI).
    static let internalPrefix: [UInt8] = Array("mmi.".utf8)
    /// The MMI service that says whether a service exists.
    static let serviceLookup: [UInt8] = Array("mmi.service".utf8)
}

/// The worker protocol's commands, each one byte on the wire.
enum MDPCommand: UInt8, CaseIterable, Sendable, CustomStringConvertible {
    case ready = 1, request, reply, heartbeat, disconnect

    var description: String {
        switch self {
        case .ready: "READY"
        case .request: "REQUEST"
        case .reply: "REPLY"
        case .heartbeat: "HEARTBEAT"
        case .disconnect: "DISCONNECT"
        }
    }
}

/// A client's request to a service, or the broker's reply from it: the frames after the routing
/// envelope are `["MDPC01", service, body...]`.
struct MDPClientMessage: Equatable, Sendable {
    var service: [UInt8]
    var body: [[UInt8]]

    var frames: [[UInt8]] { [MDP.clientHeader, service] + body }

    /// Whether this asks for one of the broker's own services (`mmi.`).
    var isInternal: Bool { service.starts(with: MDP.internalPrefix) }
}

/// A worker-protocol message: the frames after the empty delimiter are `["MDPW01", command, ...]`.
enum MDPWorkerMessage: Equatable, Sendable {
    /// Worker to broker, first: the service it serves.
    case ready(service: [UInt8])
    /// Broker to worker: a client's request; the reply goes back with the same `client`.
    case request(client: [UInt8], body: [[UInt8]])
    /// Worker to broker: the reply to `client`'s request.
    case reply(client: [UInt8], body: [[UInt8]])
    /// Either way, when there is no other traffic.
    case heartbeat
    /// Either way: the session is over (the worker reconnects when the broker says it).
    case disconnect

    var command: MDPCommand {
        switch self {
        case .ready: .ready
        case .request: .request
        case .reply: .reply
        case .heartbeat: .heartbeat
        case .disconnect: .disconnect
        }
    }

    /// Which side may send this command: READY and REPLY come from workers, REQUEST from the broker.
    var sender: MDPSender? {
        switch self {
        case .ready, .reply: .worker
        case .request: .broker
        case .heartbeat, .disconnect: nil
        }
    }

    var frames: [[UInt8]] {
        let head = [MDP.workerHeader, [command.rawValue]]
        switch self {
        case .ready(let service): return head + [service]
        case .request(let client, let body), .reply(let client, let body): return head + [client, []] + body
        case .heartbeat, .disconnect: return head
        }
    }
}

/// The two sides of the worker protocol.
enum MDPSender: Equatable, Sendable {
    case broker, worker
}

/// Why frames are not a Majordomo message; `description` says it in words.
enum MDPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No frames at all.
    case empty
    /// The empty delimiter is missing where REQ framing puts it (before the header).
    case missingDelimiter
    /// Nothing where "MDPC01" or "MDPW01" should be.
    case missingHeader
    /// A header that is not "MDPC01" or "MDPW01" (at most 32 of its bytes).
    case unknownHeader([UInt8])
    /// A client message, or a READY, without a (non-empty) service name.
    case missingService
    /// "MDPW01" and nothing after it.
    case missingCommand
    /// A command frame that is not one byte from 1 to 5 (at most 32 of its bytes).
    case unknownCommand([UInt8])
    /// A command the other side sends (a worker sending REQUEST, a broker sending READY or REPLY).
    case wrongDirection(MDPCommand)
    /// A REQUEST or REPLY without a client address.
    case missingClientAddress(MDPCommand)
    /// A REQUEST or REPLY whose client address is not followed by an empty frame.
    case missingEnvelopeDelimiter(MDPCommand)
    /// A client message where a worker message was expected or the other way round.
    case wrongProtocol(expected: [UInt8])

    var description: String {
        switch self {
        case .empty: "an empty message"
        case .missingDelimiter: "no empty delimiter before the protocol header"
        case .missingHeader: "no protocol header (MDPC01 or MDPW01)"
        case .unknownHeader(let bytes): "not a Majordomo header: \(PirateWire.show(bytes))"
        case .missingService: "no service name"
        case .missingCommand: "no command after MDPW01"
        case .unknownCommand(let bytes): "not a Majordomo command (01 to 05): \(PirateWire.show(bytes))"
        case .wrongDirection(let command): "\(command) sent by the wrong side"
        case .missingClientAddress(let command): "\(command) without a client address"
        case .missingEnvelopeDelimiter(let command): "\(command) without an empty frame after the client address"
        case .wrongProtocol(let expected): "expected \(String(decoding: expected, as: UTF8.self))"
        }
    }
}
