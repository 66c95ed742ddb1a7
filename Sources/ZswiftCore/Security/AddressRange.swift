// An --allow/--deny value: one IPv4 or IPv6 address, or a CIDR range of them, read with
// inet_pton(3) (numbers only: no name is looked up). IPv4 is held as its IPv4-mapped IPv6 form,
// so `10.0.0.0/8` also matches a peer shown as `::ffff:10.1.2.3`, and the other way round.
import Glibc

/// An IP address or CIDR range that a ZAP request's peer address is matched against.
struct AddressRange: Hashable, Sendable, CustomStringConvertible {
    /// The value as given (`10.0.0.0/8`), for messages.
    let text: String
    /// The first address of the range, 16 bytes (IPv4 as ::ffff:a.b.c.d).
    let network: [UInt8]
    /// How many leading bits of the 128 must match (IPv4 /8 is 96 + 8).
    let prefixLength: Int

    var description: String { text }

    /// The range `text` names, or a usage error beginning with `--flag:` (flag without dashes,
    /// as in Values.swift: "allow").
    static func parse(_ text: String, flag: String) throws(UsageError) -> AddressRange {
        let example = "for example --\(flag) 192.168.1.7, --\(flag) 10.0.0.0/8 or --\(flag) fe80::/10"
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let host = String(parts[0])
        guard let (bytes, isIPv4) = address(host) else {
            throw UsageError("--\(flag): '\(text)' is not an IP address or CIDR range",
                             hint: "addresses are numbers, never looked up as names; " + example)
        }
        let width = isIPv4 ? 32 : 128
        var length = width
        if parts.count == 2 {
            guard let n = Int(parts[1]), parts[1].allSatisfy(\.isASCII), (0...width).contains(n), parts[1].first != "+" else {
                throw UsageError("--\(flag): '\(text)' has a prefix length that is not a number from 0 to \(width)", hint: example)
            }
            length = n
        }
        let prefix = length + (isIPv4 ? 96 : 0)
        let network = masked(bytes, prefix)
        guard network == bytes else {
            let base = render(network, isIPv4: isIPv4)
            throw UsageError("--\(flag): '\(text)' has bits set after its /\(length) prefix",
                             hint: "the range's first address is \(base): write \(base)/\(length), or \(host) alone for that one address")
        }
        return AddressRange(text: text, network: network, prefixLength: prefix)
    }

    /// Whether the peer address `address` (as a ZAP request gives it: IPv4 or IPv6 text, no port)
    /// is in the range. A scope (`fe80::1%eth0`) is ignored; text that is no address never matches.
    func contains(_ address: String) -> Bool {
        let host = address.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard let (bytes, _) = AddressRange.address(host) else { return false }
        return AddressRange.masked(bytes, prefixLength) == network
    }

    // MARK: - Bytes

    /// The 16 bytes of the address `text` (IPv4 mapped into IPv6) and whether it was written as
    /// IPv4; nil when inet_pton takes it for neither.
    static func address(_ text: String) -> ([UInt8], Bool)? {
        guard !text.isEmpty, !text.utf8.contains(0) else { return nil }
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return ([UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + withUnsafeBytes(of: &v4) { Array($0) }, true)
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return (withUnsafeBytes(of: &v6) { Array($0) }, false) }
        return nil
    }

    /// `bytes` with every bit after the first `prefix` cleared.
    private static func masked(_ bytes: [UInt8], _ prefix: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(8, max(0, prefix - index * 8))
            return kept == 8 ? byte : byte & ~(0xFF >> UInt8(kept))
        }
    }

    /// The address `bytes` stands for as text (inet_ntop), IPv4 as dotted quads.
    private static func render(_ bytes: [UInt8], isIPv4: Bool) -> String {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let source = isIPv4 ? Array(bytes[12...]) : bytes
        _ = source.withUnsafeBytes { inet_ntop(isIPv4 ? AF_INET : AF_INET6, $0.baseAddress, &buffer, socklen_t(buffer.count)) }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
