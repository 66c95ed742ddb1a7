// What probe found at one endpoint: a plain value the prober fills in and the two reports (text
// and JSON Lines) print. Unknown facts stay nil (null in JSON).

/// The description of one endpoint.
struct ProbeResult: Equatable, Sendable {
    var endpoint: String
    var kind: PeerKind
    /// "3.1", "3.0", "2.0", "1.0".
    var zmtp: String?
    var mechanism: String?
    var asServer: Bool?
    /// Whether `asServer` was told by behaviour (libzmq 4.3.4 always sends 0 in the greeting).
    var asServerInferred = false
    var socketType: String?
    var identity: [UInt8]?
    /// Every property of the peer's READY, in the order sent.
    var metadata: [ZMTPProperty]?
    var connectMilliseconds: Double?
    var handshakeMilliseconds: Double?
    /// With --curve-server-key: whether that key completed a CURVE handshake.
    var keyAccepted: Bool?
    /// What the peer said first, when it is printable (an HTTP status line, an SSH banner).
    var banner: String?
    /// Why it is not more: "connection refused", "the peer sent ERROR: ...".
    var note: String?

    init(endpoint: String, kind: PeerKind) {
        self.endpoint = endpoint
        self.kind = kind
    }

    /// The exit status of this endpoint (cli.md, probe): a refused key is 4.
    var status: ExitStatus { keyAccepted == false ? .security : kind.status }

    /// The zswift command that talks to a socket of `socketType` ("req" for a REP).
    var suggestedCommand: String? {
        switch socketType {
        case "REP": "req"
        case "REQ": "rep"
        case "ROUTER": "dealer"
        case "DEALER": "router"
        case "PUB", "XPUB": "sub"
        case "SUB", "XSUB": "pub"
        case "PUSH": "pull"
        case "PULL": "push"
        case "PAIR": "pair"
        default: nil
        }
    }
}
