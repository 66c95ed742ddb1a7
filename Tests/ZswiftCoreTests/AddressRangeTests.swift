// --allow/--deny values: addresses and CIDR ranges of IPv4 and IPv6 (IPv4-mapped IPv6 peers match
// IPv4 ranges), what a ZAP request's address matches, and the usage errors for what is no range.
import Testing
@testable import ZswiftCore

private func range(_ text: String) throws -> AddressRange { try AddressRange.parse(text, flag: "allow") }

@Test(arguments: [
    ("10.0.0.0/8", "10.1.2.3", true), ("10.0.0.0/8", "11.0.0.1", false),
    ("192.168.1.7", "192.168.1.7", true), ("192.168.1.7", "192.168.1.8", false),
    ("0.0.0.0/0", "203.0.113.9", true), ("192.168.1.0/24", "192.168.1.255", true), ("192.168.1.0/24", "192.168.2.0", false),
    ("172.16.0.0/12", "172.31.255.255", true), ("172.16.0.0/12", "172.32.0.0", false),
    ("::1", "::1", true), ("::1", "::2", false), ("fe80::/10", "fe80::1", true), ("fe80::/10", "febf::1", true),
    ("fe80::/10", "fec0::1", false), ("fe80::/10", "fe80::1%eth0", true),
    ("2001:db8::/32", "2001:db8:ffff::1", true), ("2001:db8::/32", "2001:db9::1", false),
])
func aRangeHoldsTheAddressesItsPrefixCovers(text: String, address: String, inside: Bool) throws {
    #expect(try range(text).contains(address) == inside)
}

@Test func anIPv4RangeMatchesAnIPv4MappedPeerAndAMappedRangeMatchesAnIPv4Peer() throws {
    #expect(try range("10.0.0.0/8").contains("::ffff:10.1.2.3"))
    #expect(try !range("10.0.0.0/8").contains("::ffff:11.1.2.3"))
    #expect(try range("::ffff:10.1.2.3").contains("10.1.2.3"))
    #expect(try range("::ffff:10.0.0.0/104").contains("10.200.0.1"))
    #expect(try !range("::1").contains("127.0.0.1"))
}

@Test(arguments: ["", "(none)", "localhost", ":::", "10.0.0", "tcp://10.0.0.1", "10.0.0.1:5555", "[::1]"])
func anAddressThatIsNoIPAddressMatchesNoRange(address: String) throws {
    #expect(try !range("0.0.0.0/0").contains(address))
    #expect(try !range("::/0").contains(address))
}

@Test(arguments: [
    ("localhost", "'localhost' is not an IP address or CIDR range"), ("", "is not an IP address"),
    ("10.0.0", "is not an IP address"), ("10.0.0.0/33", "a prefix length that is not a number from 0 to 32"),
    ("::/129", "from 0 to 128"), ("10.0.0.0/", "prefix length"), ("10.0.0.0/+8", "prefix length"),
    ("10.0.0.0/x", "prefix length"), ("10.1.2.3/8", "bits set after its /8 prefix"),
    ("fe80::1/10", "bits set after its /10 prefix"), ("010.0.0.1", "is not an IP address"),
])
func aValueThatIsNoRangeIsAUsageErrorNamingTheFlag(text: String, says: String) {
    let error = errorText { () throws(UsageError) in try AddressRange.parse(text, flag: "deny") }
    #expect(error?.hasPrefix("--deny: ") == true && error?.contains(says) == true, "\(error ?? "accepted")")
}

@Test func aRangeWithHostBitsSetSuggestsItsFirstAddress() {
    let error = errorText { () throws(UsageError) in try AddressRange.parse("10.1.2.3/8", flag: "allow") }
    #expect(error?.contains("write 10.0.0.0/8") == true, "\(error ?? "accepted")")
    let v6 = errorText { () throws(UsageError) in try AddressRange.parse("fe80::1/10", flag: "allow") }
    #expect(v6?.contains("write fe80::/10") == true, "\(v6 ?? "accepted")")
}

@Test func aRangeKeepsTheTextItWasGivenForMessages() throws {
    #expect(try range("10.0.0.0/8").description == "10.0.0.0/8")
    #expect(try range("::ffff:10.1.2.3").description == "::ffff:10.1.2.3")
}
