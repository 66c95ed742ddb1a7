// Who may connect: what --curve-allow, --plain-users, --allow and --deny add up to, as a pure value
// that answers ZAP requests (the handler thread is ZAPHandler). Addresses come first (a --deny
// match wins over --allow; a non-empty --allow lets in only what it lists), then the credentials
// of the mechanism.
import ZMQ

struct AccessPolicy: Equatable, Sendable {
    /// The client public keys a CURVE server lets in; nil lets in any key.
    var allowedCurveKeys: Set<CurveKey>?
    /// The users a PLAIN server lets in; nil lets in any user name and password.
    var plainUsers: PlainUsers?
    /// When not empty, only peers whose address is in one of these ranges come in.
    var allow: [AddressRange] = []
    /// Peers whose address is in one of these ranges never come in.
    var deny: [AddressRange] = []
    /// The ZAP domain of the sockets this policy is for (nil: every socket). A socket of another
    /// domain — one the security flags leave out, whose domain only refuses ZMTP 1.0/2.0 peers
    /// (a broker side --secure leaves out) — is let in unchecked.
    var domain: String?

    init(allowedCurveKeys: Set<CurveKey>? = nil, plainUsers: PlainUsers? = nil, allow: [AddressRange] = [], deny: [AddressRange] = []) {
        self.allowedCurveKeys = allowedCurveKeys
        self.plainUsers = plainUsers
        self.allow = allow
        self.deny = deny
    }

    /// The answer to the request in `frames`: 500 when they are not a well-formed request.
    func decide(frames: [[UInt8]]) -> ZAPDecision {
        do { return decide(try ZAPRequest(frames: frames)) } catch { return .malformed(error) }
    }

    /// The answer to `request`.
    func decide(_ request: ZAPRequest) -> ZAPDecision {
        if let problem = request.problem { return .malformed(ZAPRequest.Malformed(requestID: request.requestID, reason: problem)) }
        let userID = AccessPolicy.userID(request)
        if let domain, request.domain != domain {
            return ZAPDecision(statusCode: "200", userID: userID, address: request.address, mechanism: request.mechanism,
                               reason: "a socket the security flags leave out", requestID: request.requestID, domain: request.domain)
        }
        func answer(_ allowed: Bool, _ reason: String) -> ZAPDecision {
            ZAPDecision(statusCode: allowed ? "200" : "400", userID: userID, address: request.address,
                        mechanism: request.mechanism, reason: reason, requestID: request.requestID, domain: request.domain)
        }
        let shown = request.address.isEmpty ? "(none)" : request.address
        if let range = deny.first(where: { $0.contains(request.address) }) {
            return answer(false, "address \(shown) is in --deny \(range)")
        }
        if !allow.isEmpty && !allow.contains(where: { $0.contains(request.address) }) {
            return answer(false, "address \(shown) is not in --allow")
        }
        let (allowed, reason) = credentials(request)
        return answer(allowed, reason)
    }

    /// Whether the mechanism's credentials let the peer in, and why.
    private func credentials(_ request: ZAPRequest) -> (Bool, String) {
        switch request.mechanism {
        case "NULL":
            return (true, "NULL needs no credentials")
        case "PLAIN":
            let user = "PLAIN user '\(PlainUsers.printable(request.credentials[0]))'"
            guard let plainUsers else { return (true, "any \(user) (no --plain-users)") }
            switch plainUsers.check(user: request.credentials[0], password: request.credentials[1]) {
            case .accepted: return (true, "\(user) is in --plain-users")
            case .unknownUser: return (false, "unknown \(user)")
            case .wrongPassword: return (false, "wrong password for \(user)")
            }
        case "CURVE":
            guard let allowedCurveKeys else { return (true, "any key (no --curve-allow)") }
            guard let key = AccessPolicy.curveKey(request), allowedCurveKeys.contains(key) else {
                return (false, "its key \(AccessPolicy.userID(request)) is not in --curve-allow")
            }
            return (true, "its key is in --curve-allow")
        default:
            return (false, "mechanism \(request.mechanism) is not supported by zswift's ZAP handler")
        }
    }

    /// The user id libzmq will give the peer's messages: the CURVE client's key in Z85, the PLAIN
    /// user name, or nothing.
    static func userID(_ request: ZAPRequest) -> String {
        switch request.mechanism {
        case "CURVE": Z85.encode(request.credentials[0])
        case "PLAIN": String(decoding: request.credentials[0], as: UTF8.self)
        default: ""
        }
    }

    /// The CURVE client's public key.
    private static func curveKey(_ request: ZAPRequest) -> CurveKey? {
        CurveKey(z85: Z85.encode(request.credentials[0]), kind: .public)
    }
}
