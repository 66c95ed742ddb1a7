// ZPL (ZeroMQ RFC 4), the text format of czmq's zconfig, in which czmq and pyzmq store CURVE
// certificates: a tree of `name = "value"` lines indented four spaces per level, with # comments.
// Parsing follows czmq's reader (what czmq accepts, this accepts); pure, no files.

/// One item of a ZPL tree: a name, a value ("" for a section), and the items under it.
struct ZPLItem: Equatable, Sendable {
    var name: String
    var value: String
    var children: [ZPLItem] = []

    /// The first child named `name`.
    func child(_ name: String) -> ZPLItem? { children.first { $0.name == name } }
}

/// What is wrong with a ZPL text, and on which line.
struct ZPLError: Error, Equatable, Sendable {
    let line: Int
    let reason: String
    var description: String { "line \(line): \(reason)" }
}

enum ZPL {
    /// The items at the top of the tree `text` holds. A line ends at \n; white space at its end
    /// (a \r too) is dropped; a line whose first character is # is a comment.
    static func parse(_ text: [UInt8]) throws(ZPLError) -> [ZPLItem] {
        var root = ZPLItem(name: "root", value: "")
        var number = 0
        for line in text.split(separator: 10, omittingEmptySubsequences: false) {
            number += 1
            var bytes = line[...]
            while let last = bytes.last, isSpace(last) { bytes = bytes.dropLast() }
            if bytes.first == UInt8(ascii: "#") { continue }
            if bytes.contains(0) { throw ZPLError(line: number, reason: "a NUL byte") }
            guard let (level, item) = try parseLine(bytes, number: number) else { continue }
            guard root.insert(item, atLevel: level) else {
                throw ZPLError(line: number, reason: "indented deeper than the item above it")
            }
        }
        return root.children
    }

    /// A line's level and item, or nil for a line with none (blank, or only a comment).
    private static func parseLine(_ line: ArraySlice<UInt8>, number: Int) throws(ZPLError) -> (Int, ZPLItem)? {
        let indent = line.prefix { $0 == UInt8(ascii: " ") }.count
        var rest = line.dropFirst(indent)
        let name = rest.prefix(while: isNameCharacter)
        rest = rest.dropFirst(name.count)
        if name.isEmpty {
            guard endsCleanly(rest) else { throw ZPLError(line: number, reason: "expected a name") }
            return nil
        }
        guard indent % 4 == 0 else { throw ZPLError(line: number, reason: "indent by 4 spaces a level") }
        guard name.first != UInt8(ascii: "/") && name.last != UInt8(ascii: "/") else {
            throw ZPLError(line: number, reason: "a name cannot begin or end with /")
        }
        let value = try parseValue(rest, number: number)
        return (indent / 4, ZPLItem(name: String(decoding: name, as: UTF8.self), value: value))
    }

    /// What follows a name: nothing (a section), or `= "value"`, `= 'value'`, `= value # comment`.
    private static func parseValue(_ text: ArraySlice<UInt8>, number: Int) throws(ZPLError) -> String {
        var rest = text.drop(while: isSpace)
        guard rest.first == UInt8(ascii: "=") else {
            guard endsCleanly(rest) else { throw ZPLError(line: number, reason: "expected = after the name") }
            return ""
        }
        rest = rest.dropFirst().drop(while: isSpace)
        if let quote = rest.first, quote == UInt8(ascii: "\"") || quote == UInt8(ascii: "'") {
            let body = rest.dropFirst()
            guard let end = body.firstIndex(of: quote) else {
                throw ZPLError(line: number, reason: "the value has no closing \(quote == 34 ? "\"" : "'")")
            }
            guard endsCleanly(body[(end + 1)...]) else {
                throw ZPLError(line: number, reason: "something follows the quoted value")
            }
            return String(decoding: body[..<end], as: UTF8.self)
        }
        var value = rest.prefix { $0 != UInt8(ascii: "#") }
        while let last = value.last, isSpace(last) { value = value.dropLast() }
        return String(decoding: value, as: UTF8.self)
    }

    /// Whether `rest` holds only white space, up to the end or a # comment.
    private static func endsCleanly(_ rest: ArraySlice<UInt8>) -> Bool {
        rest.drop(while: isSpace).first.map { $0 == UInt8(ascii: "#") } ?? true
    }

    static func isSpace(_ byte: UInt8) -> Bool { byte == 32 || (9...13).contains(byte) }

    /// Letters, digits and $ - _ @ . & + / (RFC 4; czmq's s_is_namechar).
    static func isNameCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: Array("$-_@.&+/".utf8).contains(byte)
        }
    }

    // MARK: - Writing

    /// `value` quoted for a ZPL line: in double quotes, or in single quotes when it holds a double
    /// one; nil when it holds both, or a line break (ZPL has no escapes).
    static func quoted(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        if bytes.contains(where: { $0 == 10 || $0 == 13 || $0 == 0 }) { return nil }
        if !bytes.contains(UInt8(ascii: "\"")) { return "\"" + value + "\"" }
        if !bytes.contains(UInt8(ascii: "'")) { return "'" + value + "'" }
        return nil
    }
}

extension ZPLItem {
    /// Appends `item` under the last item at depth `level` - 1 (the root is depth -1); false when
    /// there is none (a line indented two levels below the one above it).
    fileprivate mutating func insert(_ item: ZPLItem, atLevel level: Int) -> Bool {
        if level == 0 {
            children.append(item)
            return true
        }
        guard !children.isEmpty else { return false }
        return children[children.count - 1].insert(item, atLevel: level - 1)
    }
}
