/// The coordinator's side of a worker connection, as rules over the frames alone (no I/O, no
/// database): after the challenge the first frame must be a `Hello`; after it, heartbeats renew
/// leases, job messages must come in `message_seq` order (a reconnect's first may start anywhere)
/// and are persisted, and anything else is a protocol error. Once a rule is broken the connection
/// is done: every later frame is refused too. The worker server applies these rules to every
/// frame it reads; scripts/fuzz.sh drives them with arbitrary bytes.
public struct WorkerSessionRules: Sendable {
    /// What to do with an accepted frame.
    public enum Step: Sendable {
        /// Verify the hello (version, proof) and answer it.
        case hello(Hello)
        /// Renew the worker's leases and echo the heartbeat.
        case renew(Heartbeat)
        /// Persist this job message, in order, then ack it.
        case persist(WireMessage)
    }

    public enum State: Sendable, Equatable {
        case awaitingHello
        case established
        /// A rule was broken: the connection closes.
        case closed
    }

    public private(set) var state = State.awaitingHello
    /// The `message_seq` the next job message must carry (nil: none seen yet).
    public private(set) var expectedSeq: UInt64?

    public init() {}

    public mutating func accept(_ message: WireMessage) throws(ProtocolError) -> Step {
        do {
            return try step(message)
        } catch {
            state = .closed
            throw error
        }
    }

    private mutating func step(_ message: WireMessage) throws(ProtocolError) -> Step {
        switch (state, message) {
        case (.closed, _):
            throw .unexpectedMessage("\(message.name) after the connection broke a rule")
        case (.awaitingHello, .hello(let hello)):
            state = .established
            return .hello(hello)
        case (.awaitingHello, _):
            throw .unexpectedMessage("\(message.name) (expected Hello)")
        case (.established, .heartbeat(let beat)):
            return .renew(beat)
        case (.established, _):
            guard let seq = message.jobHeader?.messageSeq else {
                throw .unexpectedMessage("\(message.name) from a worker")
            }
            if let expected = expectedSeq, seq != expected {
                throw .sequence(expected: expected, got: seq)
            }
            expectedSeq = seq &+ 1
            return .persist(message)
        }
    }
}
