// Black-box: the failures a review found — handshakes that cannot succeed, signals against a
// stalled reader, peers that confuse counting, inputs that must not crash — each stays fixed.
import Glibc
import Testing
import TestSupport

/// A CURVE key pair made by pyzmq: (public, secret) in Z85.
func curveKeyPair() throws -> (String, String) {
    let r = try run(["python3", "-c", "import zmq; p, s = zmq.curve_keypair(); print(p.decode(), s.decode())"], within: 10)
    let parts = r.out.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
    return (parts[0], parts[1])
}

@Test func aSenderWhosePeerIsOfAnIncompatibleTypeFailsInsteadOfReportingSuccess() throws {
    let endpoint = Paths.ipcEndpoint()
    let rep = try startZswift(["rep", "-b", endpoint, "--echo", "-t", "10s"])
    defer { rep.signal(SIGTERM) }
    let r = try zswift(["push", "-c", endpoint], input: "1\n2\n3\n", within: 15)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("handshake with \(endpoint) failed") && r.err.contains("PULL"), "\(r)")
}

@Test func aWrongCurveServerKeyIsASecurityFailureWithStatusFourOnBothDirections() throws {
    let (serverPublic, serverSecret) = try curveKeyPair()
    let (clientPublic, clientSecret) = try curveKeyPair()
    let (wrongPublic, _) = try curveKeyPair()
    _ = serverPublic
    let endpoint = Paths.ipcEndpoint()
    let server = try startZswift(["pull", "-b", endpoint, "-o", "curve_server=1", "-o", "curve_secretkey=\(serverSecret)", "-t", "15s"])
    defer { server.signal(SIGTERM) }
    let client = ["-c", endpoint, "-o", "curve_serverkey=\(wrongPublic)", "-o", "curve_publickey=\(clientPublic)",
                  "-o", "curve_secretkey=\(clientSecret)"]
    let push = try zswift(["push"] + client + ["-d", "x"], within: 15)
    #expect(push.status == 4, "\(push)")
    #expect(push.err.contains("during the CURVE handshake 3 times in a row"), "\(push)")
    let null = try zswift(["push", "-c", endpoint, "-d", "x"], within: 15)
    #expect(null.status == 4, "\(null)")
    // libzmq's server may reset before the client reads its ERROR: then the client says both
    #expect(null.err.contains("mechanism mismatch") || null.err.contains("or it wants a security mechanism"), "\(null)")
}

@Test func aSignalEndsAReceiverWhoseReaderStoppedReading() throws {
    // stdout is a pipe nobody reads: once it is full, the receiver is stuck in write(2)
    let endpoint = Paths.ipcEndpoint()
    let r = try shell("""
        mkfifo "$TMPDIR_/f"; ( exec 3<"$TMPDIR_/f"; sleep 30 ) & holder=$!
        "$Z" pull -b \(endpoint) > "$TMPDIR_/f" & p=$!
        head -c 3000000 /dev/zero | tr '\\0' x | fold -w 100 | "$Z" push -c \(endpoint) -t 2s --linger 2s >/dev/null 2>&1
        kill -TERM $p; wait $p; s=$?; kill $holder; exit $s
        """.replacing("$TMPDIR_", with: Paths.temporaryDirectory()), within: 30)
    #expect(r.status == 143, "\(r)")
}

@Test func theEndOfPairIsNotFooledByAnIdleConnection() throws {
    let (pair, endpoint) = try startBound("pair", ["-t", "10s"])
    pair.closeInput()
    let port = Int(endpoint.split(separator: ":").last!)!
    // an idle TCP connection that never speaks, then a real peer, then the idle one leaves
    let r = try run(["python3", "-c", """
        import socket, time, zmq
        idle = socket.create_connection(("127.0.0.1", \(port)))
        time.sleep(0.3)
        s = zmq.Context().socket(zmq.PAIR); s.connect("\(endpoint)"); s.send(b"a")
        time.sleep(0.5); idle.close(); time.sleep(0.5)
        s.send(b"b"); time.sleep(0.5); s.close(linger=1000)
        """], within: 20)
    #expect(r.status == 0, "\(r)")
    let got = pair.wait(within: 15)
    #expect(got.out == "a\nb\n", "\(got)")
}

@Test func waitSubscribersCountsSubscribersNotTheirPrefixes() throws {
    let endpoint = Paths.ipcEndpoint()
    let first = try startZswift(["sub", "-c", endpoint, "-s", "a", "-s", "", "-n", "1", "-t", "15s"])
    let pub = try startZswift(["pub", "-b", endpoint, "--wait-subscribers", "2", "-t", "15s", "-d", "x", "-v"])
    try pub.waitForStderr("accepted", within: 10)
    // the first subscriber's two prefixes must not count as two subscribers
    #expect(!((try? pub.waitForStderr("sent", within: 1)) != nil))
    let second = try startZswift(["sub", "-c", endpoint, "-n", "1", "-t", "15s"])
    #expect(pub.wait(within: 20).status == 0)
    #expect(first.wait(within: 10).out == "x\n")
    #expect(second.wait(within: 10).out == "x\n")
}

@Test func execOutputOfSeveralLinesSplitsWholeAtTheSeparator() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "1", "-S", ",", "--exec", #"printf "a,b\nc,d\n""#])
    let r = try zswift(["req", "-c", endpoint, "-d", "x", "--out", "json", "-t", "10s"])
    #expect(r.out == "[\"a\",\"b\\nc\",\"d\"]\n", "\(r)")
    _ = rep.wait(within: 10)
}

@Test func aCommandThatCannotStartIsAFailedCommandAndTheClientStillGetsAnAnswer() throws {
    let (rep, endpoint) = try startBound("rep", ["-n", "1", "--", "/nonexistent/command"])
    let r = try zswift(["req", "-c", endpoint, "-d", "x", "--out", "json", "-t", "10s"])
    #expect(r.status == 0 && r.out == "[\"\"]\n", "\(r)")
    let end = rep.wait(within: 10)
    #expect(end.status == 1, "\(end)")
    #expect(end.err.contains("cannot run /nonexistent/command"), "\(end)")
}

@Test func bindingAnIpcPathAnotherProcessServesIsAnAddressInUse() throws {
    let endpoint = Paths.ipcEndpoint()
    let first = try startZswift(["pull", "-b", endpoint, "-n", "1", "-v", "-t", "10s"])
    try first.waitForStderr("bound to", within: 10)
    let second = try zswift(["pull", "-b", endpoint, "-n", "1", "-t", "2s"])
    #expect(second.status == 1 && second.err.contains("address already in use: \(endpoint)"), "\(second)")
    _ = try zswift(["push", "-c", endpoint, "-d", "still mine"])
    #expect(first.wait(within: 10).out == "still mine\n")
}

@Test(arguments: [
    (["push", "-c", "tcp://1.1.1.99999999999999999999:5555", "-d", "x"], Int32(1)),
    (["pub", ":5555", "--\u{FFFD}=x"], Int32(2)),
    (["pub", ":5555", "-o", "\u{FFFD}=1"], Int32(2)),
])
func oddArgumentsAreErrorsNotCrashes(arguments: [String], status: Int32) throws {
    let r = try zswift(arguments)
    #expect(r.status == status, "\(r)")
    #expect(r.err.hasPrefix("zswift: error: "), "\(r)")
}

@Test func aZmtpFrameClaimingAnEnormousSizeIsAMalformedRecordNotACrash() throws {
    let r = try zswift(["push", "-c", Paths.ipcEndpoint(), "--in", "zmtp", "--linger", "0", "--max-msg-size", "9223372036854775807"],
                       bytes: [0x02, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
    #expect(r.status == 1 && r.err.contains("truncated zmtp frame"), "\(r)")
}

@Test func xpubShowsTheUnsubscriptionsOfItsLastSubscriberBeforeEnding() throws {
    let endpoint = Paths.ipcEndpoint()
    let xpub = try startZswift(["xpub", "-b", endpoint, "-t", "10s"])
    xpub.closeInput()
    let r = try run(["python3", "-c", """
        import time, zmq
        s = zmq.Context().socket(zmq.SUB); s.connect("\(endpoint)")
        s.setsockopt(zmq.SUBSCRIBE, b"news"); time.sleep(0.5); s.close()
        """], within: 10)
    #expect(r.status == 0)
    let got = xpub.wait(within: 10)
    #expect(got.out == "+news\n-news\n", "\(got)")
}

@Test func statsWithADurationPrintsEveryDuration() throws {
    let r = try zswift(["pull", "-b", Paths.ipcEndpoint(), "--stats=300ms", "-t", "1s"])
    #expect(r.status == 3)
    #expect(lines(r.err).filter { $0.contains("received 0 messages") }.count >= 3, "\(r)")
}

@Test func bindingAHostThatIsNotThisMachineSaysWhatABindAddressIs() throws {
    let r = try zswift(["pull", "-b", "no-such-host.invalid:\(Paths.freePort())"])
    #expect(r.status == 1 && r.err.contains("a host name of this machine"), "\(r)")
}

// MARK: - A second exploratory review

@Test func xsubSubscribesToTheGivenPrefixes() throws {
    let (pub, endpoint) = try startBound("pub", ["--wait-subscribers", "1", "-t", "15s"])
    defer { pub.signal(SIGTERM) }
    let sub = try startZswift(["xsub", "-c", endpoint, "-s", "foo", "-n", "1", "-t", "15s"])
    try pub.write("bar 1\nfoo 2\n")
    pub.closeInput()
    let r = sub.wait(within: 20)
    #expect(r.status == 0, "\(r)")
    #expect(r.out == "foo 2\n", "\(r)")
}

@Test func aClosedStdinIsAnErrorNotSomeOtherFile() throws {
    let r = try shell(#"exec "$Z" push -c tcp://127.0.0.1:9 --linger 0 <&-"#, within: 10)
    #expect(!r.timedOut && r.status == 1, "\(r)")
    #expect(r.err.contains("cannot read stdin: Bad file descriptor"), "\(r)")
}

@Test func aConnectingPubWhoseSubscriberLeftEndsInsteadOfWaitingForItsReturn() throws {
    let (sub, endpoint) = try startBound("sub", ["-n", "1", "-t", "15s"])
    let pub = try zswift(["pub", "-c", endpoint, "-d", "x", "-i", "100ms", "-n", "8"], within: 15)
    #expect(!pub.timedOut && pub.status == 0, "\(pub)")
    #expect(sub.wait(within: 10).out == "x\n")
}

@Test func timeoutBoundsTheWaitForDeliveryAtEndOfInputWhenLingerIsNotGiven() throws {
    let port = Paths.freePort()
    let r = try zswift(["push", "-c", "tcp://127.0.0.1:\(port)", "-t", "300ms"], input: "1\n2\n3\n", within: 10)
    #expect(!r.timedOut && r.status == 3, "\(r)")
    #expect(r.err.contains("--timeout 300ms ran out with messages undelivered"), "\(r)")
}

@Test func aDirectoryGivenToFileIsReportedByItsName() throws {
    let r = try zswift(["push", "-c", "tcp://127.0.0.1:9", "--file", Paths.temporaryDirectory()], within: 10)
    #expect(r.status == 1, "\(r)")
    #expect(r.err.hasSuffix(": Is a directory\n") && r.err.contains("cannot read --file /"), "\(r)")
}

@Test func aHostNameOfThisMachineCanBeBound() throws {
    let port = Paths.freePort()
    let pull = try startZswift(["pull", "-b", "tcp://localhost:\(port)", "-v", "-n", "1", "-t", "15s"])
    #expect(try pull.waitForStderr("bound to tcp://127.0.0.1:\(port)").contains("bound to"))
    let push = try zswift(["push", "-c", "tcp://127.0.0.1:\(port)", "-d", "hi"], within: 10)
    #expect(push.status == 0, "\(push)")
    #expect(pull.wait(within: 10).out == "hi\n")
}

@Test func aReqWithADeadAndALiveServerAsksTheLiveOne() throws {
    let (rep, live) = try startBound("rep", ["--echo", "-t", "15s"])
    defer { rep.signal(SIGTERM) }
    let dead = "tcp://127.0.0.1:\(Paths.freePort())"
    for order in [[dead, live], [live, dead]] {
        let r = try zswift(["req", "-c", order[0], "-c", order[1], "-t", "5s", "--retries", "2"], input: "a\nb\nc\n", within: 20)
        #expect(r.status == 0 && r.out == "a\nb\nc\n", "\(r)")
        #expect(!r.err.contains("no reply"), "\(r)")
    }
}

@Test func separatorEscapesAndDuplicateBindsAndValueOnASwitchAreUsageErrorsWithHints() throws {
    let twice = try zswift(["pull", "-b", ":5999", "-b", ":5999"])
    #expect(twice.status == 2 && twice.err.contains("bound twice") && twice.err.contains("hint:"), "\(twice)")
    let valued = try zswift(["pull", "-c", ":5999", "--verbose=2"])
    #expect(valued.status == 2 && valued.err.contains("hint: write --verbose alone"), "\(valued)")
    let option = try zswift(["push", "-c", ":5999", "-o", "sndhwm=abc"])
    #expect(option.status == 2 && option.err.contains("hint: for example -o sndhwm=1000"), "\(option)")
}

@Test func helpAndVersionSayWhyTheyCouldNotWriteStdout() throws {
    let closed = try shell(#"exec "$Z" --version >&-"#, within: 10)
    #expect(closed.status == 1 && closed.err.contains("cannot write to stdout: Bad file descriptor"), "\(closed)")
    let full = try shell(#"exec "$Z" --help >/dev/full"#, within: 10)
    #expect(full.status == 1 && full.err.contains("cannot write to stdout: No space left on device"), "\(full)")
    let gone = try shell(#""$Z" --help | head -c 1 >/dev/null"#, within: 10)
    #expect(gone.status == 0 && gone.err.isEmpty, "\(gone)")
}

@Test(arguments: ["regular file", "symbolic link", "directory", "named pipe"])
func bindingAnIpcPathWhereAFileIsRefusesAndLeavesTheFileAlone(kind: String) throws {
    let dir = Paths.temporaryDirectory()
    let path = dir + "/f"
    let make = switch kind {
    case "regular file": "echo data > \(path)"
    case "symbolic link": "echo data > \(dir)/target && ln -s \(dir)/target \(path)"
    case "directory": "mkdir \(path) && echo data > \(path)/inside"
    default: "mkfifo \(path)"
    }
    #expect(try shell(make).status == 0)
    let r = try zswift(["pull", "-b", "ipc://" + path, "-t", "300ms"])
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("\(path) is a \(kind), not a socket"), "\(r)")
    #expect(r.err.contains("hint: bind another path"), "\(r)")
    // the same kind of file is still there, with what it held
    let left = try shell("stat -c %F \(path); " + (kind == "named pipe" ? "" : "cat \(kind == "directory" ? path + "/inside" : path)"))
    #expect(left.out == (kind == "named pipe" ? "fifo\n" : "\(kind)\ndata\n"), "\(left)")
}

@Test func bindingAnIpcPathWhereAStaleSocketIsReplacesIt() throws {
    let dir = Paths.temporaryDirectory()
    let path = dir + "/s"
    // a socket file whose process has gone (bound, closed, never unlinked)
    #expect(try run(["python3", "-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()", path]).status == 0)
    let (pull, _) = (try startZswift(["pull", "-b", "ipc://" + path, "-n", "1", "-v", "-t", "10s"]), 0)
    try pull.waitForStderr("bound to", within: 10)
    _ = try zswift(["push", "-c", "ipc://" + path, "-d", "here"])
    #expect(pull.wait(within: 10).out == "here\n")
}

@Test func aStaleSocketInADirectoryThatCannotBeWrittenIsNotCalledAnAddressInUse() throws {
    // run as nobody: root may write anywhere
    guard getuid() == 0 else { return }
    let dir = Paths.temporaryDirectory()
    let path = dir + "/s"
    #expect(try run(["python3", "-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.close()", path]).status == 0)
    #expect(try shell("chmod 755 \(dir)").status == 0)
    let r = try run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", Paths.zswift, "pull", "-b", "ipc://" + path, "-t", "300ms"])
    #expect(r.status == 1, "\(r)")
    #expect(r.err.contains("its directory is not writable"), "\(r)")
    #expect(!r.err.contains("address already in use"), "\(r)")
}
