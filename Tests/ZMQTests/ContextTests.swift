// The context and library facts.
import Testing
import ZMQ

@Test func theLinkedLibzmqIsVersionFour() {
    #expect(Library.version.major == 4)
}
