// Environment variables that stand for security flags when the flag is absent, so that secrets
// need not be typed on the command line, where `ps` shows them to every user. The table is the
// one place their names are defined; the man page lists each once its flag exists.
import Glibc

/// A variable that gives a flag's value when the flag is not on the command line.
enum EnvironmentDefault: String, CaseIterable, Sendable {
    /// --curve-secret-key KEY|@FILE: this side's own secret key, or its secret certificate.
    case curveSecretKey = "ZSWIFT_CURVE_SECRET_KEY"
    /// --curve-server-key KEY|@FILE: the server's public key, or a certificate holding it.
    case curveServerKey = "ZSWIFT_CURVE_SERVER_KEY"
    /// --plain-user USER:PASS: a PLAIN client's credentials.
    case plainUser = "ZSWIFT_PLAIN_USER"

    /// The long name of the flag the variable stands for.
    var flag: String {
        switch self {
        case .curveSecretKey: "curve-secret-key"
        case .curveServerKey: "curve-server-key"
        case .plainUser: "plain-user"
        }
    }

    /// What the variable holds, for the man page.
    var doc: String {
        switch self {
        case .curveSecretKey: "The value of --curve-secret-key (KEY or @FILE) when the flag is not given, for a CURVE server or client: this side's secret key, kept off the command line. It makes no socket a CURVE one by itself."
        case .curveServerKey: "The value of --curve-server-key (KEY or @FILE) when no security flag is given: while it is set, every socket is a CURVE client of that server."
        case .plainUser: "The value of --plain-user (USER:PASS) when no security flag is given, so the password is kept off the command line: while it is set, every socket is a PLAIN client. Setting it and ZSWIFT_CURVE_SERVER_KEY both is a usage error."
        }
    }

    /// Where a value from this variable came from, for messages.
    var origin: ValueOrigin { .environment(rawValue, for: flag) }

    /// The value for the flag: the one given on the command line (`given`), else the variable's
    /// when it is set and not empty, else nil. `environment` looks a variable up (getenv(3)).
    func value(given: String?, environment: (String) -> String? = EnvironmentDefault.variable) -> (text: String, origin: ValueOrigin)? {
        if let given { return (given, .flag(flag)) }
        guard let text = environment(rawValue), !text.isEmpty else { return nil }
        return (text, origin)
    }

    /// The process environment's value of `name` (getenv(3)).
    static func variable(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
