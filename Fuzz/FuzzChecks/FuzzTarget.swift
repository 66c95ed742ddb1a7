// What the fuzz targets check, in one place that both libFuzzer's entry points (Fuzz/Fuzz*/) and
// the test that replays Fuzz/Seeds call: a broken invariant is thrown, not trapped, so that a test
// reports it; the fuzz entry point turns it into a crash that libFuzzer records.

/// A fuzz target: a part of ZswiftCore fed arbitrary bytes, with the invariants it must keep.
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// Bytes split into argv words: Parser.parse, then Invocation, then what a run derives from it.
    case arguments
    /// Every input decoder, whole and in random pieces, and encode-decode round trips.
    case decoders
    /// CURVE keys as text, KEY|@FILE values, and certificates (ZPL).
    case security

    /// Checks `data`; throws the first invariant it breaks.
    public func check(_ data: [UInt8]) throws(InvariantFailure) {
        #if DEBUG
        switch self {
        case .arguments: try ArgumentsCheck.check(data)
        case .decoders: try DecodersCheck.check(data)
        case .security: try SecurityCheck.check(data)
        }
        #else
        // the checks reach ZswiftCore's internals through @testable import, which needs a debug build
        preconditionFailure("the fuzz checks are built in debug only (make fuzz)")
        #endif
    }

    /// libFuzzer's LLVMFuzzerTestOneInput: checks the input and crashes on a broken invariant.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do { try check(bytes) } catch {
            fatalError("fuzz \(rawValue): \(error.description)")
        }
        return 0
    }
}

/// An invariant that did not hold, in words for the crash report.
public struct InvariantFailure: Error, CustomStringConvertible, Sendable {
    public let description: String
}

/// Throws `message` unless `condition` holds.
@inline(__always)
func require(_ condition: Bool, _ message: @autoclosure () -> String) throws(InvariantFailure) {
    if !condition { throw InvariantFailure(description: message()) }
}

/// Fuzz bytes read as a sequence of choices; once they run out every choice is 0.
struct FuzzBytes {
    private let bytes: [UInt8]
    private var index = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var isEmpty: Bool { index >= bytes.count }

    mutating func byte() -> UInt8 {
        guard index < bytes.count else { return 0 }
        defer { index += 1 }
        return bytes[index]
    }

    /// A number in 0..<bound (bound > 0).
    mutating func below(_ bound: Int) -> Int { Int(byte()) % bound }

    /// Up to `count` bytes.
    mutating func take(_ count: Int) -> [UInt8] {
        let end = min(bytes.count, index + count)
        defer { index = end }
        return Array(bytes[index..<end])
    }

    /// Every byte left.
    mutating func rest() -> [UInt8] { take(bytes.count) }
}
