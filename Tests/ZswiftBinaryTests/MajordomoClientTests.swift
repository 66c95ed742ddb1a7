// Black-box: req --service as a Majordomo client (MDP/0.1) against a pyzmq broker stand-in
// (Tests/peers/mdp_echo_broker.py): the request carries MDPC01 and the service, the reply's
// header is taken off (every body frame kept), and a reply that is not Majordomo's is an error
// that names what was wrong.
import Glibc
import Testing
import TestSupport

private func majordomoBroker() throws -> (Process, String) {
    let process = try Process(["python3", Paths.peer("mdp_echo_broker.py"), "tcp://127.0.0.1:*"])
    return (process, try process.boundEndpoint())
}

@Test func reqWithAServiceSpeaksMajordomoAndPrintsTheReplysBody() throws {
    let (broker, endpoint) = try majordomoBroker()
    defer { broker.signal(SIGKILL); _ = broker.wait(within: 5) }
    let r = try zswift(["req", "-c", endpoint, "--service", "echo", "-S", ",", "-t", "5s"], input: "a,b\nhello\n")
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "echo:a,echo:b\necho:hello\n", "\(r)")
    #expect(try broker.waitForStderr("request for echo").contains("request for echo"))
}

@Test func aReplyThatIsNotMajordomosIsAnErrorNamingIt() throws {
    let (rep, endpoint) = try startBound("rep", ["--data", "plain", "-n", "1"])
    defer { rep.signal(SIGKILL); _ = rep.wait(within: 5) }
    let r = try zswift(["req", "-c", endpoint, "--service", "echo", "-d", "hi", "-t", "5s"])
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("is not a Majordomo reply (it does not begin with MDPC01)") && r.err.contains("broker --mode majordomo"), "\(r)")
}

@Test func reqWithAServiceRetriesWithoutARequestIDFrameAMajordomoBrokerWouldRefuse() throws {
    // --retries with --identity turns req_correlate on for plain req; a Majordomo request must
    // stay [client, "", MDPC01, service, body]
    let (broker, endpoint) = try majordomoBroker()
    defer { broker.signal(SIGKILL); _ = broker.wait(within: 5) }
    let r = try zswift(["req", "-c", endpoint, "--service", "echo", "--identity", "me", "-t", "5s", "--retries", "1", "-d", "hi"])
    #expect(r.status == 0 && r.out == "echo:hi\n", "\(r)")
}
