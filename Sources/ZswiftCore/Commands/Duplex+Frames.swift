// The frames pair, dealer, router, xpub and xsub read and write differently: xpub shows each
// subscription as +TOPIC/-TOPIC, xsub reads them in that form, and in line format router's
// routing ids are hex on stdin and stdout so binary ids stay on one line.
import ZMQ

extension DuplexLoop {
    /// Turns an input message into what the socket takes (xsub's +/-, router's hex id).
    func inputFrames(_ frames: inout [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        if invocation.command == .xsub { try subscriptionFrame(&frames, record: record) }
        if invocation.command == .router && invocation.input.format == .line { try routingIDFrame(&frames, record: record) }
    }

    /// xpub output: a subscription message's first byte 1/0 is shown as +/-.
    func showSubscription(_ message: inout Message) {
        let bytes = message.mutableBytes
        guard bytes.count > 0 else { return }
        if bytes[0] == 1 {
            bytes[0] = UInt8(ascii: "+")
            // the transform cannot throw: what ends the run here ends it at the loop's next step
            do { try channel.countSubscription() } catch { pendingExit = pendingExit ?? error }
        } else if bytes[0] == 0 {
            bytes[0] = UInt8(ascii: "-")
            // an unsubscription counts nothing down: the subscriber may still hold other prefixes
        }
    }

    /// router input in line format: the first field is the routing id in hex.
    func routingIDFrame(_ frames: inout [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        guard frames.count >= 2 else {
            throw Exit.badInput("input record \(record): a router message is ROUTING-ID<TAB>FRAME..., the routing id in hex")
        }
        scratch.count = 0
        do { try Hex.decode(frames[0], into: scratch) } catch {
            throw Exit.badInput("input record \(record): the routing id is not hex: \(error.reason)")
        }
        frames[0] = scratch.bytes(0, scratch.count)
    }

    /// xsub input: +TOPIC subscribes and -TOPIC unsubscribes (the raw 1/0 bytes are accepted too).
    func subscriptionFrame(_ frames: inout [UnsafeRawBufferPointer], record: Int) throws(Exit) {
        guard let first = frames.first, let kind = first.first,
              [UInt8(ascii: "+"), UInt8(ascii: "-"), 0, 1].contains(kind) else {
            throw Exit.badInput("input record \(record): an xsub message is +TOPIC to subscribe or -TOPIC to unsubscribe")
        }
        scratch.count = 0
        scratch.append(kind == UInt8(ascii: "+") || kind == 1 ? 1 : 0)
        scratch.append(UnsafeRawBufferPointer(rebasing: first.dropFirst()))
        frames[0] = scratch.bytes(0, scratch.count)
    }
}

/// router in line format: the routing id (first frame) is written as hex, so binary ids stay on one line.
struct HexFirstFrame: MessageEncoder {
    var inner: any MessageEncoder
    private let scratch = ByteBuffer(capacity: 64)

    init(inner: any MessageEncoder) { self.inner = inner }

    mutating func frame(_ bytes: UnsafeRawBufferPointer, index: Int, more: Bool, to out: OutputWriter) throws(Exit) {
        guard index == 0 else { return try inner.frame(bytes, index: index, more: more, to: out) }
        scratch.count = 0
        Hex.encode(bytes, into: scratch)
        try inner.frame(scratch.bytes(0, scratch.count), index: 0, more: more, to: out)
    }
}
