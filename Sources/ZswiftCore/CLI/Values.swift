// Parsing flag values that are more than text: counts, durations, sizes. Each throws a
// UsageError that names the flag and shows an accepted form.

/// A length of time given on the command line ("250ms", "2s", "1.5s", "1m", a bare number: seconds).
struct Interval: Equatable, Comparable, Sendable, CustomStringConvertible {
    /// Milliseconds; nil means "for ever".
    let milliseconds: Int?

    static let forever = Interval(milliseconds: nil)
    static func ms(_ value: Int) -> Interval { Interval(milliseconds: value) }

    static func < (a: Interval, b: Interval) -> Bool {
        switch (a.milliseconds, b.milliseconds) {
        case let (x?, y?): x < y
        case (_?, nil): true
        default: false
        }
    }

    /// The value libzmq options want: milliseconds, -1 for ever.
    var zmqMilliseconds: Int32 { milliseconds.map { Int32(clamping: $0) } ?? -1 }

    var description: String {
        guard let ms = milliseconds else { return "for ever" }
        if ms % 60_000 == 0 && ms > 0 { return "\(ms / 60_000)m" }
        if ms % 1000 == 0 { return "\(ms / 1000)s" }
        return "\(ms)ms"
    }

    /// Parses digits with an optional fraction and a unit, exactly (no floating point): "2.007s" is
    /// 2007 ms; a fraction of a millisecond rounds up, so a positive duration never becomes 0.
    static func parse(_ text: String, flag: String) throws(UsageError) -> Interval {
        let t = text.lowercased()
        if t == "inf" || t == "forever" { return .forever }
        let bad = UsageError("--\(flag): '\(text)' is not a duration",
                             hint: "give a number with a unit: 250ms, 2s, 1.5s, 1m (a bare number means seconds; inf for ever)")
        var number = Substring(t)
        var unitMicros = 1_000_000  // seconds
        for (suffix, micros) in [("ms", 1000), ("us", 1), ("s", 1_000_000), ("m", 60_000_000), ("h", 3_600_000_000)] where t.hasSuffix(suffix) {
            number = t.dropLast(suffix.count)
            unitMicros = micros
            break
        }
        let parts = number.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        guard let whole = parts.first, !whole.isEmpty || parts.count == 2,
              whole.allSatisfy({ $0.isASCII && $0.isNumber }),
              parts.count == 1 || (!parts[1].isEmpty && parts[1].allSatisfy({ $0.isASCII && $0.isNumber })) else { throw bad }
        let fraction = parts.count == 2 ? parts[1] : ""
        // value in microseconds = (whole + fraction) * unitMicros, computed in integers
        guard whole.count <= 12, let w = whole.isEmpty ? 0 : Int(whole) else { throw bad }
        var micros = w.multipliedReportingOverflow(by: unitMicros)
        guard !micros.overflow, micros.partialValue <= Int(Int32.max) * 1000 else {
            throw UsageError("--\(flag): '\(text)' is too long a duration", hint: "use inf for ever")
        }
        var scale = unitMicros
        var total = micros.partialValue
        for digit in fraction.prefix(9) {
            scale /= 10
            if scale == 0 { break }
            micros = (Int(String(digit))! * scale).addingReportingOverflow(total)
            total = micros.partialValue
        }
        return Interval(milliseconds: (total + 999) / 1000)
    }
}

enum Values {
    /// A whole number >= `minimum`.
    static func count(_ text: String, flag: String, minimum: Int = 0) throws(UsageError) -> Int {
        guard let value = Int(text), value >= minimum else {
            throw UsageError("--\(flag): '\(text)' is not a whole number\(minimum > 0 ? " of at least \(minimum)" : "")",
                             hint: "for example --\(flag) \(max(minimum, 10))")
        }
        return value
    }

    /// Messages per second: 500, 500/s, 2.5k/s, 1M (more than 0, at most a billion).
    static func rate(_ text: String, flag: String) throws(UsageError) -> Double {
        var number = Substring(text.lowercased())
        if number.hasSuffix("/s") { number = number.dropLast(2) }
        var scale = 1.0
        if number.hasSuffix("k") { scale = 1e3; number = number.dropLast() } else if number.hasSuffix("m") { scale = 1e6; number = number.dropLast() }
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let value = Double(number),
              value > 0, value * scale <= 1e9 else {
            throw UsageError("--\(flag): '\(text)' is not a rate of messages per second", hint: "for example --\(flag) 1000/s or --\(flag) 2.5k")
        }
        return value * scale
    }

    /// A byte count with an optional binary suffix: 512, 64k, 1M, 2G.
    static func bytes(_ text: String, flag: String) throws(UsageError) -> Int64 {
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last?.lowercased().first, "kmg".contains(last) {
            digits = digits.dropLast()
            scale = last == "k" ? 1 << 10 : last == "m" ? 1 << 20 : 1 << 30
        }
        guard let value = Int64(digits), value >= 0, value <= Int64.max / scale else {
            throw UsageError("--\(flag): '\(text)' is not a size in bytes", hint: "for example --\(flag) 1M (suffixes k, M, G are powers of 1024)")
        }
        return value * scale
    }

    /// A --separator: bytes as typed, except the escapes \t (TAB), \\ (a backslash) and \xHH (any
    /// byte), so that -S '\t' means a TAB as it does to awk -F.
    static func separator(_ typed: [UInt8]) throws(UsageError) -> [UInt8] {
        guard !typed.isEmpty else {
            throw UsageError("--separator: the separator cannot be empty", hint: "for example -S , or -S '\\t' for a TAB")
        }
        var out: [UInt8] = []
        var i = 0
        while i < typed.count {
            guard typed[i] == UInt8(ascii: "\\"), i + 1 < typed.count else { out.append(typed[i]); i += 1; continue }
            switch typed[i + 1] {
            case UInt8(ascii: "t"): out.append(9); i += 2
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); i += 2
            case UInt8(ascii: "x"):
                guard i + 3 < typed.count, let hi = Hex.value(typed[i + 2]), let lo = Hex.value(typed[i + 3]) else {
                    throw UsageError("--separator: \\x must be followed by two hex digits", hint: "for example -S '\\x1f'")
                }
                out.append(hi << 4 | lo); i += 4
            default: out.append(typed[i]); i += 1
            }
        }
        return out
    }
}

// MARK: - Near misses

enum NearMiss {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    static func suggestion(for word: String, among candidates: [String]) -> String? {
        var best: (String, Int)?
        for candidate in candidates {
            // on a tie, a candidate the word begins ("pul" -> pull, not pub) is the likelier one
            let d = distance(word, candidate) * 2 - (candidate.hasPrefix(word) ? 1 : 0)
            if best == nil || d < best!.1 { best = (candidate, d) }
        }
        guard let (candidate, scored) = best else { return nil }
        let d = (scored + 1) / 2
        let limit = max(1, min(word.count, candidate.count) / 3)
        if d <= limit { return candidate }
        if candidate.hasPrefix(word) && word.count >= 3 { return candidate }
        return nil
    }

    /// Edit distance counting insertions, deletions, substitutions and adjacent transpositions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in stride(from: 1, through: a.count, by: 1) {
            for j in stride(from: 1, through: b.count, by: 1) {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
