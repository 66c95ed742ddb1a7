// Majordomo frames read off each socket, and built for it: a broker's ROUTER (`[sender id, "",
// header, ...]`), a worker's DEALER (`["", "MDPW01", ...]`) and a client's REQ (`["MDPC01", ...]`,
// REQ having taken the delimiter off) or DEALER (`["", "MDPC01", ...]`). Any input gives a
// message or an MDPError, never a trap.

extension MDP {
    /// What a broker received, by protocol.
    enum Inbound: Equatable, Sendable {
        case client(MDPClientMessage)
        case worker(MDPWorkerMessage)
    }

    // MARK: - Broker (ROUTER)

    /// Reads what a broker's ROUTER received: `[sender id, "", "MDPC01" or "MDPW01", ...]`.
    /// A worker message that only the broker sends (REQUEST) is an error.
    static func parseAtBroker(_ frames: [[UInt8]]) -> Result<(sender: [UInt8], message: Inbound), MDPError> {
        guard let sender = frames.first else { return .failure(.empty) }
        let rest = frames.dropFirst()
        guard let first = rest.first else { return .failure(.missingDelimiter) }
        guard first.isEmpty else { return .failure(.missingDelimiter) }
        let protocolFrames = rest.dropFirst()
        guard let header = protocolFrames.first else { return .failure(.missingHeader) }
        if header == clientHeader {
            return parseClient(protocolFrames).map { (sender, .client($0)) }
        }
        if header == workerHeader {
            return parseWorker(protocolFrames, sentBy: .worker).map { (sender, .worker($0)) }
        }
        return .failure(.unknownHeader(Array(header.prefix(32))))
    }

    /// The frames a broker sends to a client: `[client id, "", "MDPC01", service, body...]`.
    static func toClient(_ client: [UInt8], _ message: MDPClientMessage) -> [[UInt8]] {
        [client, []] + message.frames
    }

    /// The frames a broker sends to a worker: `[worker id, "", "MDPW01", command, ...]`.
    static func toWorker(_ worker: [UInt8], _ message: MDPWorkerMessage) -> [[UInt8]] {
        [worker, []] + message.frames
    }

    // MARK: - Worker (DEALER)

    /// Reads what a worker's DEALER received from the broker: `["", "MDPW01", command, ...]`.
    static func parseAtWorker(_ frames: [[UInt8]]) -> Result<MDPWorkerMessage, MDPError> {
        guard let first = frames.first else { return .failure(.empty) }
        guard first.isEmpty else { return .failure(.missingDelimiter) }
        let protocolFrames = frames.dropFirst()
        return checkHeader(protocolFrames, workerHeader).flatMap { parseWorker(protocolFrames, sentBy: .broker) }
    }

    /// The frames a worker's DEALER sends: `["", "MDPW01", command, ...]`.
    static func fromWorker(_ message: MDPWorkerMessage) -> [[UInt8]] { [[]] + message.frames }

    // MARK: - Client (REQ or DEALER)

    /// Reads a reply as a client socket received it: from REQ (`delimited: false`, the delimiter
    /// already taken off) `["MDPC01", service, body...]`, from DEALER the same after an empty frame.
    static func parseAtClient(_ frames: [[UInt8]], delimited: Bool) -> Result<MDPClientMessage, MDPError> {
        var protocolFrames = frames[...]
        if delimited {
            guard let first = frames.first else { return .failure(.empty) }
            guard first.isEmpty else { return .failure(.missingDelimiter) }
            protocolFrames = protocolFrames.dropFirst()
        }
        return checkHeader(protocolFrames, clientHeader).flatMap { parseClient(protocolFrames) }
    }

    /// The frames a client sends: from REQ `["MDPC01", service, body...]`, from DEALER
    /// (`delimited: true`) the same after an empty frame.
    static func fromClient(_ message: MDPClientMessage, delimited: Bool) -> [[UInt8]] {
        delimited ? [[]] + message.frames : message.frames
    }

    // MARK: - Protocol frames

    private static func checkHeader(_ frames: ArraySlice<[UInt8]>, _ expected: [UInt8]) -> Result<Void, MDPError> {
        guard let header = frames.first else { return .failure(.missingHeader) }
        if header == expected { return .success(()) }
        if header == clientHeader || header == workerHeader { return .failure(.wrongProtocol(expected: expected)) }
        return .failure(.unknownHeader(Array(header.prefix(32))))
    }

    /// `["MDPC01", service, body...]`: a body may have any number of frames, none included.
    private static func parseClient(_ frames: ArraySlice<[UInt8]>) -> Result<MDPClientMessage, MDPError> {
        let afterHeader = frames.dropFirst()
        guard let service = afterHeader.first, !service.isEmpty else { return .failure(.missingService) }
        return .success(MDPClientMessage(service: service, body: Array(afterHeader.dropFirst())))
    }

    /// `["MDPW01", command, ...]` sent by `sender`. Frames after a READY's service name, a
    /// HEARTBEAT or a DISCONNECT are ignored (later MDP versions add some).
    private static func parseWorker(_ frames: ArraySlice<[UInt8]>, sentBy sender: MDPSender) -> Result<MDPWorkerMessage, MDPError> {
        let afterHeader = frames.dropFirst()
        guard let commandFrame = afterHeader.first else { return .failure(.missingCommand) }
        guard commandFrame.count == 1, let command = MDPCommand(rawValue: commandFrame[0]) else {
            return .failure(.unknownCommand(Array(commandFrame.prefix(32))))
        }
        let operands = afterHeader.dropFirst()
        let message: MDPWorkerMessage
        switch command {
        case .ready:
            guard let service = operands.first, !service.isEmpty else { return .failure(.missingService) }
            message = .ready(service: service)
        case .request, .reply:
            guard let client = operands.first, !client.isEmpty else { return .failure(.missingClientAddress(command)) }
            let afterClient = operands.dropFirst()
            guard let delimiter = afterClient.first, delimiter.isEmpty else { return .failure(.missingEnvelopeDelimiter(command)) }
            let body = Array(afterClient.dropFirst())
            message = command == .request ? .request(client: client, body: body) : .reply(client: client, body: body)
        case .heartbeat: message = .heartbeat
        case .disconnect: message = .disconnect
        }
        if let only = message.sender, only != sender { return .failure(.wrongDirection(command)) }
        return .success(message)
    }
}
