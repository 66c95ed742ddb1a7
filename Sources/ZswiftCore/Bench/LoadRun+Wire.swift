// LoadRun's side of the sockets: one send without blocking, the poll, and the replies.
import ZMQ

extension LoadRun {
    /// Tries client `c`'s pending message: true once it is sent. A send that would block waits
    /// for room until --timeout, then counts a timeout: req gives that request up, push and pub
    /// give the client up (the service takes nothing).
    func send(_ c: Int, now: Int) -> Bool {
        do {
            if try sendPayload(clients[c].socket) {
                clients[c].pending = false
                clients[c].blocked = false
                if mode == .req {
                    clients[c].waiting = true
                    clients[c].since = now
                } else {
                    summary.nanoseconds = now
                    if plan.rate != nil { summary.lag.record(now - clients[c].intended) }
                }
                summary.sent += 1
                return true
            }
        } catch {
            if error == .interrupted { return false }
            summary.errors += 1
            clients[c].pending = false
            clients[c].blocked = false
            return false
        }
        if !clients[c].blocked {
            clients[c].blocked = true
            clients[c].since = now
        } else if now - clients[c].since >= plan.timeout {
            summary.timeouts += 1
            summary.neverSent += 1
            clients[c].pending = false
            clients[c].blocked = false
            if mode != .req || givesUp() { clients[c].done = true }
        }
        return false
    }

    /// One message of the payload, or nothing when it would block. A one-frame payload is a
    /// copy of the template (zmq_msg_copy shares its buffer: no allocation per message).
    private func sendPayload(_ socket: Socket) throws(ZMQError) -> Bool {
        if let frames { return try socket.send(frames, dontWait: true) }
        var message = Message()
        message.copy(from: template)
        return try socket.send(&message, flags: .dontWait)
    }

    /// Polls for what the clients wait for (replies, room to send) until `due` (nanoseconds since
    /// the start), or a signal. A wait under a millisecond polls without blocking, so a rate
    /// above 1000/s per client keeps its schedule.
    func wait(until due: Int, now: Int) {
        for c in clients.indices where !clients[c].socket.isClosed {
            var events: PollEvents = []
            if clients[c].waiting { events.insert(.readable) }
            if clients[c].blocked { events.insert(.writable) }
            poller.setEvents(c, events)
        }
        let gap = due == Int.max ? 1000 : (due - now) / 1_000_000
        _ = try? poller.poll(timeout: min(max(gap, 0), 1000))
        if watchesSignals { Signals.drainWake() }
    }

    /// Takes every reply that came: each request's latency counts from when it was meant to go.
    func take(at now: Int) {
        var reply = MultipartMessage()
        for c in clients.indices where clients[c].waiting && poller.events(c).contains(.readable) {
            do {
                guard try clients[c].socket.receive(&reply, dontWait: true) else { continue }
            } catch {
                if error != .interrupted { summary.errors += 1 }
                continue
            }
            clients[c].waiting = false
            summary.answered += 1
            summary.latency.record(now - clients[c].intended)
            summary.nanoseconds = now
        }
    }
}
