// Flag values that are more than text: durations (Interval), counts, byte sizes, and the edit
// distance behind every "did you mean" hint (NearMiss).
import Testing
@testable import ZswiftCore

// MARK: - Durations

@Test(arguments: [
    ("250ms", 250), ("2s", 2000), ("1.5s", 1500), ("1m", 60_000), ("1h", 3_600_000), ("3", 3000),
    ("0", 0), ("0ms", 0), ("0.25", 250), ("1.5m", 90_000), ("2S", 2000), ("10MS", 10), ("1us", 1), ("1500us", 2),
    ("0.1s", 100), ("2.5h", 9_000_000),
])
func durationsTakeAUnitAndABareNumberMeansSeconds(_ text: String, _ milliseconds: Int) throws {
    #expect(try Interval.parse(text, flag: "timeout") == .ms(milliseconds))
}

@Test(arguments: ["inf", "INF", "forever"])
func infinityIsForEver(_ text: String) throws {
    let interval = try Interval.parse(text, flag: "linger")
    #expect(interval == .forever)
    #expect(interval.zmqMilliseconds == -1)
}

@Test(arguments: ["-3", "abc", "", "s", "ms", "1x", "2 s", "+1s", "nan", "1s2", "-0.5s", "infs"])
func malformedDurationsAreUsageErrorsNamingTheFlag(_ text: String) {
    let error = #expect(throws: UsageError.self) { try Interval.parse(text, flag: "timeout") }
    #expect(error?.message == "--timeout: '\(text)' is not a duration")
    #expect(error?.hint?.contains("250ms") == true)
}

@Test func millisecondDecimalsAreNotRoundedUpPastTheirValue() throws {
    // 2.007 * 1000 is 2007.0000000000002 in binary floating point; rounding that up gives 2008 ms
    let a = try Interval.parse("2.007s", flag: "timeout")
    let b = try Interval.parse("4.001", flag: "timeout")
    #expect(a == .ms(2007))
    #expect(b == .ms(4001))

}

@Test func aHugeOrNonDecimalDurationIsAUsageErrorNotACrash() {
    for text in ["1e300", "99999999999999999999s", "0x10", "1e3ms", "9999999999h"] {
        #expect(throws: UsageError.self, "\(text)") { try Interval.parse(text, flag: "timeout") }
    }
}

@Test func intervalsOrderWithForEverLast() {
    #expect(Interval.ms(1) < .ms(2))
    #expect(Interval.ms(1_000_000) < .forever)
    #expect(!(Interval.forever < .forever))
    #expect(!(Interval.forever < .ms(0)))
}

@Test func intervalsDescribeThemselvesInTheLargestWholeUnit() {
    #expect(Interval.ms(120_000).description == "2m")
    #expect(Interval.ms(2000).description == "2s")
    #expect(Interval.ms(1500).description == "1500ms")
    #expect(Interval.ms(0).description == "0s")
    #expect(Interval.forever.description == "for ever")
    #expect(Interval.ms(Int.max).zmqMilliseconds == Int32.max)
}

// MARK: - Counts and sizes

@Test func countsAreWholeNumbersAtLeastTheMinimum() throws {
    #expect(try Values.count("10", flag: "count") == 10)
    #expect(try Values.count("0", flag: "hwm") == 0)
    #expect(try Values.count("1", flag: "count", minimum: 1) == 1)
    for bad in ["0", "-1", "x", "", "1.5", "1e3", "ten"] {
        let error = #expect(throws: UsageError.self) { try Values.count(bad, flag: "count", minimum: 1) }
        #expect(error?.message == "--count: '\(bad)' is not a whole number of at least 1")
        #expect(error?.hint == "for example --count 10")
    }
    let negative = #expect(throws: UsageError.self) { try Values.count("-1", flag: "hwm") }
    #expect(negative?.message == "--hwm: '-1' is not a whole number")
}

@Test(arguments: [("1M", Int64(1 << 20)), ("64k", 65536), ("64K", 65536), ("2G", Int64(2) << 30), ("512", 512), ("0", 0), ("1m", Int64(1 << 20))])
func sizesTakeBinarySuffixes(_ text: String, _ value: Int64) throws {
    #expect(try Values.bytes(text, flag: "max-msg-size") == value)
}

@Test(arguments: ["", "k", "1.5M", "1KB", "-1", "lots", "9223372036854775807k", "1T", " 1"])
func malformedSizesAreUsageErrors(_ text: String) {
    let error = #expect(throws: UsageError.self) { try Values.bytes(text, flag: "max-msg-size") }
    #expect(error?.message == "--max-msg-size: '\(text)' is not a size in bytes")
}

// MARK: - Near misses

@Test(arguments: [
    ("", "", 0), ("abc", "abc", 0), ("", "abc", 3), ("abc", "", 3),
    ("kitten", "sitting", 3), ("subscibe", "subscribe", 1), ("pul", "pull", 1),
    ("ab", "ba", 1), ("tpc", "tcp", 1), ("pusj", "push", 1), ("abcd", "badc", 2), ("ca", "abc", 3),
])
func editDistanceCountsInsertionsDeletionsSubstitutionsAndTranspositions(_ a: String, _ b: String, _ d: Int) {
    #expect(NearMiss.distance(a, b) == d)
    #expect(NearMiss.distance(b, a) == d)
}

@Test func suggestionsAreOnlyMadeForLikelyTypos() {
    #expect(NearMiss.suggestion(for: "subscibe", among: Flag.all.map(\.long)) == "subscribe")
    #expect(NearMiss.suggestion(for: "pul", among: Command.allCases.map(\.rawValue)) == "pull")
    #expect(NearMiss.suggestion(for: "lin", among: ["linger"]) == "linger")  // a prefix of 3+ letters
    #expect(NearMiss.suggestion(for: "zzzz", among: Command.allCases.map(\.rawValue)) == nil)
    #expect(NearMiss.suggestion(for: "x", among: []) == nil)
}

@Test func separatorEscapesAreTabAnyByteAndBackslash() throws {
    #expect(try Values.separator(Array(#"\t"#.utf8)) == [9])
    #expect(try Values.separator(Array(#"a\x1fb"#.utf8)) == [97, 0x1f, 98])
    #expect(try Values.separator(Array(#"\\t"#.utf8)) == Array(#"\t"#.utf8))
    #expect(try Values.separator(Array("::".utf8)) == Array("::".utf8))
    #expect(try Values.separator(Array(#"\q"#.utf8)) == Array(#"\q"#.utf8))
    #expect(throws: UsageError.self) { try Values.separator([]) }
    #expect(throws: UsageError.self) { try Values.separator(Array(#"\x1"#.utf8)) }
}
