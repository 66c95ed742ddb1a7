// probe's part of the command line: the endpoints it describes (each a connect, ipc allowed
// positionally), the bound on each, its report format and the CURVE key to check.

/// What probe does.
struct ProbeSettings: Sendable {
    var endpoints: [Endpoint]
    /// The bound on each endpoint's description, in milliseconds (-t, default 2 s).
    var timeout: Int
    var format: ProbeFormat
    /// --curve-server-key: the key whose acceptance is checked.
    var serverKey: CurveKey?
    /// Said on stderr before the run (a certificate others can read).
    var warnings: [String] = []

    static let defaultTimeout = 2000

    init(_ raw: RawArguments) throws(UsageError) {
        guard !raw.positionals.isEmpty else {
            throw UsageError("probe needs an endpoint to describe", hint: "for example: zswift probe localhost:5555")
        }
        endpoints = []
        for text in raw.positionals {
            let endpoint = try Endpoint.parse(text, role: .connect)
            guard ProbeTarget(endpoint) != nil else {
                throw UsageError("probe speaks tcp and ipc, not \(endpoint.address)", hint: "for example: zswift probe tcp://host:5555 ipc:///tmp/socket")
            }
            endpoints.append(endpoint)
        }
        guard let ms = (raw.timeout ?? .ms(ProbeSettings.defaultTimeout)).milliseconds, ms > 0 else {
            throw UsageError("-t bounds each probe: give a time above 0", hint: "for example: -t 2s")
        }
        timeout = ms
        format = raw.probeFormat ?? .text
        if let key = raw.curveServerKey {
            let checked = try KeyArgument.publicKey(key, from: .flag("curve-server-key"))
            serverKey = checked.value
            warnings = checked.warnings
        }
    }
}
