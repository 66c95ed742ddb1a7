// What the ZAP handler reads under fuzzing: a --plain-users file is read or refused without
// repeating a password, every user it lists is let in with its password and no other, an
// --allow/--deny range holds its own address, and any ZAP request gets a 200, 400 or 500 answer
// carrying the request id it came with.
#if DEBUG
@testable import ZswiftCore

enum AccessCheck {
    static func check(_ data: [UInt8]) throws(InvariantFailure) {
        var fuzz = FuzzBytes(data)
        switch fuzz.below(3) {
        case 0: try checkUserList(fuzz.rest())
        case 1: try checkRange(String(decoding: fuzz.rest(), as: UTF8.self))
        default: try checkRequest(fuzz.rest())
        }
    }

    static func checkUserList(_ bytes: [UInt8]) throws(InvariantFailure) {
        let entries = bytes.split(separator: 10).map { $0.last == 13 ? $0.dropLast() : $0 }
            .filter { !$0.isEmpty && $0.first != UInt8(ascii: "#") }
            .compactMap { line -> (user: [UInt8], password: [UInt8])? in
                guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { return nil }
                return (Array(line[..<colon]), Array(line[(colon + 1)...]))
            }
        let users: PlainUsers
        do { users = try PlainUsers(parsing: bytes, file: "fuzz") } catch {
            for entry in entries where entry.password.count >= 8 {
                let password = String(decoding: entry.password, as: UTF8.self)
                try require(!error.message.contains(password) && !(error.hint ?? "").contains(password), "a user list's error repeats a password")
            }
            return
        }
        for entry in entries {
            try require(users.check(user: entry.user, password: entry.password) == .accepted, "a listed user is refused with its password")
            try require(users.check(user: entry.user, password: entry.password + [0]) == .wrongPassword, "a listed user is let in with another password")
        }
    }

    static func checkRange(_ text: String) throws(InvariantFailure) {
        guard let range = try? AddressRange.parse(text, flag: "allow") else { return }
        let address = String(text.split(separator: "/", omittingEmptySubsequences: false)[0])
        try require(range.contains(address), "the range \(text) does not hold its own address")
    }

    static func checkRequest(_ bytes: [UInt8]) throws(InvariantFailure) {
        let frames = bytes.split(separator: 0xFF, omittingEmptySubsequences: false).map(Array.init)
        let policy = AccessPolicy(allowedCurveKeys: [], plainUsers: nil, allow: [], deny: [])
        let decision = policy.decide(frames: frames)
        try require(["200", "400", "500"].contains(decision.statusCode), "a ZAP answer with status \(decision.statusCode)")
        if frames.count > 1 && decision.statusCode != "500" {
            try require(decision.requestID == frames[1], "a ZAP answer without its request id")
        }
        try require(decision.replyFrames.count == 6, "a ZAP reply of \(decision.replyFrames.count) frames")
    }
}
#endif
