// Where received messages go: each frame to the encoder and stdout as it arrives (no copy), then
// the chain of per-message steps, each seeing the message whole with what is known of it. A -vv
// trace is a step; sequence checks and output templates are meant to be steps too. With no
// step (the usual case) nothing is collected: the throughput path pays one branch.
import ZMQ

/// What is known of a received message once it is whole.
struct ReceivedMessage {
    /// 1 for the first message of the run.
    let sequence: Int
    /// Bytes in all its frames.
    let size: Int
    /// When it was taken from the socket (Clock.now(), milliseconds).
    let receivedAt: Int
    /// The peer's address as libzmq saw it ("127.0.0.1:41234"), when a step asked for it.
    let peer: String?
    /// A ROUTER's routing id of the sender, or the peer's announced one, when a step asked.
    let routingID: [UInt8]?
    /// The frames, when a step asked for them (copies: they outlive the zmq message).
    let frames: [[UInt8]]
}

/// A per-message step on the receive side, run after the message is written.
protocol MessageStep: AnyObject {
    /// Whether the step needs the frames' bytes (collected for it: a copy per message).
    var needsFrames: Bool { get }
    /// Whether the step needs the peer's address and routing id (read from the last frame).
    var needsPeer: Bool { get }
    func take(_ message: ReceivedMessage) throws(Exit)
}

extension MessageStep {
    var needsPeer: Bool { false }
}

/// -vv: a one-line trace of every message received.
final class TraceStep: MessageStep {
    let diagnostics: Diagnostics
    init(diagnostics: Diagnostics) { self.diagnostics = diagnostics }
    var needsFrames: Bool { true }
    func take(_ message: ReceivedMessage) throws(Exit) {
        diagnostics.trace("received " + message.frames.withFramePointers { Words.describe($0) })
    }
}

/// The steps of a run, and what they need collected.
struct MessageSteps {
    let steps: [any MessageStep]
    let needsFrames: Bool
    let needsPeer: Bool

    init(_ steps: [any MessageStep]) {
        self.steps = steps
        needsFrames = steps.contains { $0.needsFrames }
        needsPeer = steps.contains { $0.needsPeer }
    }

    var isEmpty: Bool { steps.isEmpty }

    /// The steps a command line asks for.
    static func of(_ invocation: Invocation, diagnostics: Diagnostics) -> MessageSteps {
        MessageSteps(invocation.verbosity >= 2 ? [TraceStep(diagnostics: diagnostics)] : [])
    }

    /// Runs every step on a message whose last frame is in `last`.
    func run(sequence: Int, size: Int, frames: [[UInt8]], last: borrowing Message) throws(Exit) {
        let routingID = needsPeer ? (last.propertyBytes("Routing-Id") ?? last.propertyBytes("Identity")) : nil
        let message = ReceivedMessage(sequence: sequence, size: size, receivedAt: Clock.now(),
                                      peer: needsPeer ? last.property("Peer-Address") : nil,
                                      routingID: routingID, frames: frames)
        for step in steps { try step.take(message) }
    }
}
