// Black-box: a timeout (status 3) names what was seen — nothing listening, something that is not
// ZMTP, or a peer that took the request and said nothing — and req --stats gives round trips.
import Glibc
import Testing
import TestSupport

@Test func aReqToAClosedPortSaysNothingListensThereAndHowOftenItWasRetried() throws {
    let endpoint = "tcp://127.0.0.1:\(Paths.freePort())"
    let r = try zswift(["req", endpoint, "-d", "x", "-t", "1s"])
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("nothing listens at \(endpoint): every connect failed (retried "), "\(r)")
}

@Test func aReqToAListenerThatSpeaksNoZMTPSaysNoHandshakeCompletedAndPointsAtProbe() throws {
    let port = Paths.freePort()
    let listener = try shell("""
        d=$(mktemp -d) && mkfifo "$d/ready"
        python3 -c '
        import socket, sys, time
        s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", \(port))); s.listen(8); print("ready", flush=True)
        c, _ = s.accept(); time.sleep(3)' > "$d/ready" &
        read line < "$d/ready" && "$Z" req tcp://127.0.0.1:\(port) -d x -t 1s; s=$?; rm -r "$d"; exit $s
        """)
    #expect(listener.status == 3, "\(listener)")
    #expect(listener.err.contains("no ZMTP handshake completed"), "\(listener)")
    #expect(listener.err.contains("zswift probe tcp://127.0.0.1:\(port)"), "\(listener)")
}

@Test func aReqWhoseServerTookTheRequestAndNeverAnsweredSaysSo() throws {
    // a coprocess rep whose stdin stays open takes the request and writes no reply
    let (rep, endpoint) = try startBound("rep", ["-n", "1"])
    defer { rep.signal(SIGKILL) }
    let r = try zswift(["req", "-c", endpoint, "-d", "x", "-t", "1s"])
    #expect(r.status == 3, "\(r)")
    #expect(r.err.contains("1 peer connected and completed the ZMTP handshake, and it did not answer request 1"), "\(r)")
}

@Test func reqStatsGiveRoundTripsAndVeryVerboseSaysEachOne() throws {
    let (rep, endpoint) = try startBound("rep", ["--echo", "-n", "3"])
    defer { rep.signal(SIGKILL) }
    let r = try zswift(["req", "-c", endpoint, "--stats", "-vv", "-t", "10s"], input: "a\nb\nc\n")
    #expect(r.status == 0 && r.out == "a\nb\nc\n", "\(r)")
    #expect(r.err.contains("reply to request 3 after "), "\(r)")
    #expect(r.err.contains("round trips: min ") && r.err.contains(" over 3 requests"), "\(r)")
}
