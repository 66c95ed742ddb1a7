// The message formats of stdin and stdout (cli.md's table). Only the names and their promises
// live here; Decoders.swift and Encoders.swift do the work.

/// How messages are written as bytes on stdin and stdout.
enum Format: String, CaseIterable, Sendable {
    case line, raw, quoted, hex, base64, json, zmtp

    /// Whether any message (any bytes, any number of frames) survives a round trip.
    var isLossless: Bool { self != .line && self != .raw }

    /// The most input bytes one message byte can take in this format (json's \u0000 escapes are
    /// six), so that a record limit in message bytes can bound what is read for it.
    var encodedBytesPerByte: Int {
        switch self {
        case .line, .raw, .zmtp: 1
        case .hex, .base64: 2
        case .quoted: 4
        case .json: 6
        }
    }

    var summary: String {
        switch self {
        case .line: "one message per line; frames split at and joined by -S (TAB out)"
        case .raw: "all of stdin is one message; frames written as they are"
        case .quoted: "a line per message, frames as C-style quoted strings"
        case .hex: "a line per message, frames as hex separated by a space"
        case .base64: "a line per message, frames as base64 separated by a space"
        case .json: "JSON Lines: an array of frames, each a string or {\"base64\": ...}"
        case .zmtp: "binary ZMTP/3 frames: the fast lossless way to chain zswift"
        }
    }
}
