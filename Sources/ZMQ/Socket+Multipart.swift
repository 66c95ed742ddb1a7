// Whole messages in one call: the frame loops every caller would otherwise write, with "would block"
// as a value and a send that can be resumed where it stopped. Single frames: Socket.swift.
import CZMQ

extension Socket {
    /// Sends `frames` as one message, starting at frame `next` and moving `next` past each frame
    /// libzmq queues, so that `next` always says how many frames are queued. Returns true once the
    /// last frame is queued; false when `dontWait` is set and the socket cannot take frame `next`
    /// now: call again with the same `next` to go on. A thrown error (`.interrupted` when a signal cut
    /// a blocking send short) leaves `next` at the frame that was not sent, so the caller can resume
    /// there too. The corresponding C function is `zmq_send` (with `ZMQ_SNDMORE` on all frames but the last).
    @inlinable
    public func send(_ frames: [UnsafeRawBufferPointer], from next: inout Int, dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        let last = frames.count - 1
        let wait = dontWait ? ZMQ_DONTWAIT : 0
        while next <= last {
            let frame = frames[next]
            if zmq_send(raw, frame.baseAddress, frame.count, next < last ? wait | ZMQ_SNDMORE : wait) < 0 {
                let error = ZMQError.last
                if error == .wouldBlock { return false }
                throw error
            }
            next += 1
        }
        return true
    }

    /// Sends `frames` as one message from the first frame; returns how many frames were queued:
    /// `frames.count` when the message was sent, fewer when `dontWait` is set and the socket would
    /// block (resume with `send(_:from:dontWait:)`).
    @inlinable
    public func send(_ frames: [UnsafeRawBufferPointer], dontWait: Bool = false) throws(ZMQError) -> Int {
        var next = 0
        _ = try send(frames, from: &next, dontWait: dontWait)
        return next
    }

    /// Sends `frames` (copies of small messages: commands, protocol replies) as one message.
    /// Returns false when `dontWait` is set and the socket cannot take the first frame now; then
    /// nothing is sent (libzmq takes the rest of a message whose first frame it took).
    @discardableResult
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        let wait: SendFlags = dontWait ? .dontWait : []
        for (i, frame) in frames.enumerated() {
            guard try send(frame, flags: i < frames.count - 1 ? wait.union(.more) : wait) else { return false }
        }
        return true
    }

    /// Receives one whole message into `message`, replacing its content (its buffer is reused).
    /// Returns false when `dontWait` is set and nothing is waiting, or throws (`.interrupted` when a
    /// signal cut a blocking wait short); either way `message` is then empty. The frames after the
    /// first are there already (libzmq delivers messages whole), so only the first can wait.
    /// The corresponding C function is `zmq_msg_recv`, once per frame.
    public func receive(_ message: inout MultipartMessage, dontWait: Bool = false) throws(ZMQError) -> Bool {
        try message.receive(from: self, dontWait: dontWait)
    }
}
