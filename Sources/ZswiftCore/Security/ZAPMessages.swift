// The two messages of ZAP (RFC 27, https://rfc.zeromq.org/spec/27/): the request libzmq sends a
// handler when a peer completes a security handshake, and the decision that answers it (the reply
// frames, plus what -v and --events json say about it). Pure: frames in, frames out.
import ZMQ

/// A ZAP request as libzmq sends it to inproc://zeromq.zap.01.
struct ZAPRequest: Equatable, Sendable {
    /// "1.0", the only version there is.
    var version = ZAPRequest.version
    /// Echoed in the reply, so libzmq can match it to the handshake.
    var requestID: [UInt8]
    /// The socket's ZMQ_ZAP_DOMAIN ("" when none is set).
    var domain: String
    /// The peer's IP address (IPv4 or IPv6 text, no port); empty or other text for ipc and inproc.
    var address: String
    /// The peer connection's routing identity.
    var identity: [UInt8] = []
    /// "NULL", "PLAIN", "CURVE" (or "GSSAPI").
    var mechanism: String
    /// PLAIN: user name and password; CURVE: the client's 32-byte public key; NULL: none.
    var credentials: [[UInt8]] = []

    static let version = "1.0"

    /// Why frames are not a ZAP request; `requestID` is the second frame when there is one, for
    /// the 500 reply.
    struct Malformed: Error, Equatable, Sendable {
        let requestID: [UInt8]
        let reason: String
    }

    /// The request `frames` hold (the handler's REP socket has stripped the envelope).
    init(frames: [[UInt8]]) throws(Malformed) {
        let requestID = frames.count > 1 ? frames[1] : []
        func malformed(_ reason: String) -> Malformed { Malformed(requestID: requestID, reason: reason) }
        guard frames.count >= 6 else { throw malformed("\(frames.count) frames, fewer than the 6 of RFC 27") }
        let text = { (index: Int) in String(decoding: frames[index], as: UTF8.self) }
        guard text(0) == ZAPRequest.version else { throw malformed("version '\(PlainUsers.printable(frames[0]))', not \(ZAPRequest.version)") }
        self.init(requestID: requestID, domain: text(2), address: text(3), identity: frames[4],
                  mechanism: text(5), credentials: Array(frames[6...]))
        if let problem { throw malformed(problem) }
    }

    /// What is wrong with the credentials for the mechanism, or nil when nothing is.
    var problem: String? {
        switch mechanism {
        case "NULL" where !credentials.isEmpty: "NULL with \(credentials.count) credential frames"
        case "PLAIN" where credentials.count != 2: "PLAIN with \(credentials.count) credential frames, not 2"
        case "CURVE" where credentials.count != 1 || credentials[0].count != 32: "CURVE without one credential frame of 32 bytes"
        default: nil
        }
    }

    init(requestID: [UInt8], domain: String, address: String, identity: [UInt8] = [], mechanism: String, credentials: [[UInt8]] = []) {
        (self.requestID, self.domain, self.address, self.identity) = (requestID, domain, address, identity)
        (self.mechanism, self.credentials) = (mechanism, credentials)
    }

    /// The request's frames, as libzmq would send them.
    var frames: [[UInt8]] {
        [Array(version.utf8), requestID, Array(domain.utf8), Array(address.utf8), identity, Array(mechanism.utf8)] + credentials
    }
}

/// A handler's answer to one request, and what to report about it.
struct ZAPDecision: Equatable, Sendable {
    /// "200" (allowed), "400" (denied) or "500" (the request was malformed).
    let statusCode: String
    let statusText: String
    /// Who the peer is: CURVE, its public key in Z85; PLAIN, its user name; NULL, empty. libzmq
    /// gives it to every message from the peer as the "User-Id" property.
    let userID: String
    /// The peer's address, as the request gave it.
    let address: String
    /// "NULL", "PLAIN", "CURVE", or what the request named.
    let mechanism: String
    /// Why, in words for -v: "address 10.1.2.3 is in --deny 10.0.0.0/8".
    let reason: String
    let requestID: [UInt8]
    let domain: String

    /// Whether the peer is let in.
    var allowed: Bool { statusCode == "200" }

    init(statusCode: String, userID: String = "", address: String = "", mechanism: String = "", reason: String,
         requestID: [UInt8] = [], domain: String = "") {
        self.statusCode = statusCode
        statusText = ZAPDecision.statusText[statusCode] ?? "Unknown status"
        (self.userID, self.address, self.mechanism, self.reason) = (userID, address, mechanism, reason)
        (self.requestID, self.domain) = (requestID, domain)
    }

    private static let statusText = ["200": "OK", "300": "Try again", "400": "Access denied", "500": "Malformed request"]

    /// The 500 answer to a malformed request.
    static func malformed(_ problem: ZAPRequest.Malformed) -> ZAPDecision {
        ZAPDecision(statusCode: "500", reason: "a malformed ZAP request: \(problem.reason)", requestID: problem.requestID)
    }

    /// The reply frames (RFC 27): version, request id, status code, status text, user id, and
    /// metadata (none).
    var replyFrames: [[UInt8]] {
        [Array(ZAPRequest.version.utf8), requestID, Array(statusCode.utf8), Array(statusText.utf8), Array(userID.utf8), []]
    }

    // MARK: - Between threads

    /// The decision as frames, to pass from the handler's thread to the thread that reports it.
    var frames: [[UInt8]] {
        [statusCode, userID, address, mechanism, reason, domain].map { Array($0.utf8) } + [requestID]
    }

    /// The decision `frames` (from `frames`) hold; nil for anything else.
    init?(frames: [[UInt8]]) {
        guard frames.count == 7 else { return nil }
        let text = frames.prefix(6).map { String(decoding: $0, as: UTF8.self) }
        self.init(statusCode: text[0], userID: text[1], address: text[2], mechanism: text[3], reason: text[4],
                  requestID: frames[6], domain: text[5])
    }
}
