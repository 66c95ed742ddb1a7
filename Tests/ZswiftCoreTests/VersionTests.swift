// --version.
import Testing
@testable import ZswiftCore

@Test func theVersionLineNamesZswiftAndLibzmq() {
    #expect(Version.line.hasPrefix("zswift \(Version.zswift) (libzmq 4."))
}
