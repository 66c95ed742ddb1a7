// probe: describes what listens at each endpoint (Probe/Prober.swift), checks a CURVE key when
// one is given, prints each description as soon as it is known and ends with the highest status
// of them (cli.md, probe). It runs alone: a libzmq context is made only to check a key.
import ZMQ

enum ProbeCommand {
    static func run(_ invocation: Invocation, io: StandardIO, diagnostics: Diagnostics) throws(Exit) {
        guard let settings = invocation.probe else { return }
        settings.warnings.forEach(diagnostics.warning)
        let prober = Prober(timeout: settings.timeout)
        let output = OutputWriter(fd: io.output)
        var status = ExitStatus.success
        for endpoint in settings.endpoints {
            try Signals.check()
            var result = prober.describe(endpoint)
            if let key = settings.serverKey { check(key, &result, timeout: settings.timeout) }
            let separator = settings.format == .text && endpoint != settings.endpoints.first ? "\n" : ""
            output.buffer.append(Array((separator + ProbeReport.render(result, as: settings.format)).utf8))
            try output.flush()
            if result.status.rawValue > status.rawValue { status = result.status }
        }
        if status != .success { throw Exit.failed(status, "") }
    }

    /// key_accepted: by libzmq's handshake when the peer speaks CURVE; a peer that speaks
    /// another mechanism refuses any CURVE client.
    static func check(_ key: CurveKey, _ result: inout ProbeResult, timeout: Int) {
        guard result.kind == .zmtp else { return }
        guard result.mechanism == "CURVE" else {
            result.keyAccepted = false
            result.note = "the peer does not speak CURVE (\(result.mechanism ?? "ZMTP " + (result.zmtp ?? "?"))), so no key is accepted"
            return
        }
        let type = SocketType.allCases.first { $0.description == result.socketType }
        let (accepted, note) = CurveKeyCheck.run(result.endpoint, serverKey: key, peer: type, timeout: timeout)
        result.keyAccepted = accepted
        if let note { result.note = note }
    }
}
