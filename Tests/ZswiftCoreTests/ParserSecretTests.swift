// Found by the arguments fuzz target (Fuzz/Seeds/arguments/crash-secret-before-command): a flag
// typed before the command was echoed whole in the usage error, value and all, so
// `zswift --plain-user=alice:s3cret pull ...` printed the password.
import Testing
@testable import ZswiftCore

@Test(arguments: ["--plain-user=alice:s3cret-password", "--curve-secret-key=rJ+F}lTr0x]]k7p:Oq1Yo{.fi8PzP@RAmN-MC}Gg"])
func aFlagBeforeTheCommandIsNamedWithoutItsValue(_ word: String) {
    let error = #expect(throws: UsageError.self) { try parse(word, "pull", ":5555") }
    let flag = String(word.prefix { $0 != "=" })
    #expect(error?.message == "a command comes first, before \(flag)")
    let value = String(word.dropFirst(flag.count + 1))
    #expect(error?.message.contains(value) == false && error?.hint?.contains(value) != true)
}
