// Poller: waiting on sockets and plain file descriptors together with zmq_poll, including a pipe
// at end of file and ignored items. Signal interruption is not tested here.
import Glibc
import Testing
import ZMQ

// MARK: - Sockets

@Test func pollingWithTimeoutZeroReturnsZeroWhenNothingIsReady() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.bound, .readable)
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(poller.events(index).isEmpty)
}

@Test func aPollerWithNoItemsWaitsOutItsTimeout() throws {
    var poller = Poller()
    let start = ContinuousClock.now
    #expect(try poller.poll(timeout: 20) == 0)
    #expect(ContinuousClock.now - start >= .milliseconds(15))
}

@Test func aShortTimeoutExpiresWithNothingReady() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    poller.add(pair.bound, .readable)
    let start = ContinuousClock.now
    #expect(try poller.poll(timeout: 30) == 0)
    let waited = ContinuousClock.now - start
    #expect(waited >= .milliseconds(20))
    #expect(waited < .seconds(patience / 1000))
}

@Test func aSocketBecomesReadableWhenAMessageArrives() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.bound, .readable)
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(try pair.connected.send([1]))
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index).contains(.readable))
    var message = Message()
    #expect(try pair.bound.receive(&message, dontWait: true))
    // Drained: not readable any more.
    #expect(try poller.poll(timeout: 0) == 0)
}

@Test func aConnectedPushIsWritable() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.connected, .writable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index) == .writable)
}

@Test func onlyTheReadySocketIsReported() throws {
    let first = try inprocPair(.pull, .push)
    let second = try inprocPair(.pull, .push)
    var poller = Poller()
    let a = poller.add(first.bound, .readable)
    let b = poller.add(second.bound, .readable)
    #expect(a == 0)
    #expect(b == 1)
    #expect(try second.connected.send([2]))
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(a).isEmpty)
    #expect(poller.events(b) == .readable)
}

@Test func eventsAreClearedBeforeEachPoll() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.bound, .readable)
    #expect(try pair.connected.send([1]))
    #expect(try poller.poll(timeout: patience) == 1)
    var message = Message()
    #expect(try pair.bound.receive(&message, dontWait: true))
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(poller.events(index).isEmpty)
}

@Test func aSocketWithNoEventsRequestedIsNotReported() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.bound, .readable)
    #expect(try pair.connected.send([1]))
    poller.setEvents(index, [])
    #expect(try poller.poll(timeout: 0) == 0)
    poller.setEvents(index, .readable)
    #expect(try poller.poll(timeout: patience) == 1)
}

@Test func aDisabledSocketItemIsIgnored() throws {
    let pair = try inprocPair(.pull, .push)
    var poller = Poller()
    let index = poller.add(pair.bound, .readable)
    #expect(try pair.connected.send([1]))
    poller.disable(index)
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(poller.events(index).isEmpty)
}

// MARK: - File descriptors

@Test func aPipeBecomesReadableWhenBytesAreWritten() throws {
    let (r, w) = makePipe()
    defer { close(r); close(w) }
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(write(w, "x", 1) == 1)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index) == .readable)
}

@Test func aSocketAndAPipeAreWatchedTogether() throws {
    let pair = try inprocPair(.pull, .push)
    let (r, w) = makePipe()
    defer { close(r); close(w) }
    var poller = Poller()
    let socketIndex = poller.add(pair.bound, .readable)
    let pipeIndex = poller.add(fd: r, .readable)

    #expect(write(w, "x", 1) == 1)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(pipeIndex) == .readable)
    #expect(poller.events(socketIndex).isEmpty)

    #expect(try pair.connected.send([1]))
    #expect(try poller.poll(timeout: patience) == 2)
    #expect(poller.events(socketIndex) == .readable)
}

@Test func aPipeAtEndOfFileIsReportedAtOnceAndReadsZero() throws {
    let (r, w) = makePipe()
    defer { close(r) }
    close(w)
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    #expect(try poller.poll(timeout: patience) == 1)
    let events = poller.events(index)
    #expect(events.contains(.readable) || events.contains(.error), "events \(events.rawValue)")
    var byte: UInt8 = 0
    #expect(read(r, &byte, 1) == 0)
}

@Test func aPipeAtEndOfFileShowsReadableAsPollerDocuments() throws {
    // Poller.add(fd:_:) says "For a pipe at end of file libzmq reports .readable and .error together"
    // (architecture.md says the same). Debian's libzmq 4.3.4 implements zmq_poll with poll(2);
    // Linux reports only POLLHUP for an empty pipe whose writer is gone, and libzmq maps that to
    // ZMQ_POLLERR alone. A loop that reads only on .readable spins at end of input.
    let (r, w) = makePipe()
    defer { close(r) }
    close(w)
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    #expect(try poller.poll(timeout: patience) == 1)
    let events = poller.events(index)
    #expect(events.contains(.error))
    #expect(!events.contains(.readable), "as Poller.add(fd:) documents: an error, not readable")
}

@Test func aPipeWithDataLeftAfterTheWriterClosedIsReadableAndInError() throws {
    let (r, w) = makePipe()
    defer { close(r) }
    #expect(write(w, "xy", 2) == 2)
    close(w)
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index).contains(.readable))
}

@Test func settingAnItemsDescriptorToMinusOneIgnoresIt() throws {
    let (r, w) = makePipe()
    defer { close(r) }
    close(w)  // at end of file: would be reported on every poll
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    #expect(try poller.poll(timeout: 0) == 1)
    poller.setFD(index, -1, .readable)
    #expect(try poller.poll(timeout: 0) == 0)
    #expect(poller.events(index).isEmpty)
}

@Test func settingAnItemsDescriptorSwitchesItToAnotherFile() throws {
    let (r1, w1) = makePipe()
    let (r2, w2) = makePipe()
    defer { close(r1); close(w1); close(r2); close(w2) }
    var poller = Poller()
    let index = poller.add(fd: r1, .readable)
    #expect(write(w2, "x", 1) == 1)
    #expect(try poller.poll(timeout: 0) == 0)
    poller.setFD(index, r2, .readable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index) == .readable)
}

@Test func aDescriptorWithNoEventsRequestedStillReportsItsHangUp() throws {
    // As Poller.setEvents documents: an empty set ignores an item, except for errors on fds.
    let (r, w) = makePipe()
    defer { close(r) }
    close(w)
    var poller = Poller()
    let index = poller.add(fd: r, [])
    #expect(try poller.poll(timeout: 0) == 1)
    #expect(poller.events(index) == .error)
}

@Test func aDisabledDescriptorItemIsIgnoredEvenAtEndOfFile() throws {
    let (r, w) = makePipe()
    defer { close(r) }
    close(w)
    var poller = Poller()
    let index = poller.add(fd: r, .readable)
    poller.disable(index)
    #expect(try poller.poll(timeout: 0) == 0)
}

@Test func anEmptyPipesWriteEndIsWritable() throws {
    let (r, w) = makePipe()
    defer { close(r); close(w) }
    var poller = Poller()
    let index = poller.add(fd: w, .writable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index) == .writable)
}

@Test func aPipeWhoseReaderIsGoneShowsAnErrorOnTheWriteEnd() throws {
    let (r, w) = makePipe()
    defer { close(w) }
    close(r)
    var poller = Poller()
    let index = poller.add(fd: w, .writable)
    #expect(try poller.poll(timeout: patience) == 1)
    #expect(poller.events(index).contains(.error))
}
