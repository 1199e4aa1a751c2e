import NIOCore

/// Every frame of the protocol. A frame is a 4-byte big-endian length, then that many bytes: a
/// one-byte type code and the message body in protobuf encoding (docs/PROTOCOL.md, docs/ats.proto).
public enum WireMessage: Sendable, Hashable {
    case hello(Hello)
    case welcome(Welcome)
    case refuse(Refuse)
    case assign(AssignJob)
    case stop(StopJob)
    case reload(ReloadJob)
    case heartbeat(Heartbeat)
    case started(JobStarted)
    case fills(FillBatch)
    case checkpoint(CheckpointSaved)
    case progress(JobProgress)
    case finished(JobFinished)
    case failed(JobFailed)
    case ack(Ack)
    case challenge(Challenge)
    case reloadApplied(ReloadApplied)
    case intentWritten(OrderIntentWritten)
    case intentVerdict(IntentVerdict)
    case intentResolved(OrderIntentResolved)
    case venueFills(VenueFills)
    case candlesSeen(CandlesSeen)

    /// The type code on the wire.
    public var typeCode: UInt8 {
        switch self {
        case .hello: 1
        case .welcome: 2
        case .refuse: 3
        case .assign: 4
        case .stop: 5
        case .reload: 6
        case .heartbeat: 7
        case .started: 8
        case .fills: 9
        case .checkpoint: 10
        case .progress: 11
        case .finished: 12
        case .failed: 13
        case .ack: 14
        case .challenge: 15
        case .reloadApplied: 16
        case .intentWritten: 17
        case .intentVerdict: 18
        case .intentResolved: 19
        case .venueFills: 20
        case .candlesSeen: 21
        }
    }

    public var name: String {
        switch self {
        case .hello: Hello.name
        case .welcome: Welcome.name
        case .refuse: Refuse.name
        case .assign: AssignJob.name
        case .stop: StopJob.name
        case .reload: ReloadJob.name
        case .heartbeat: Heartbeat.name
        case .started: JobStarted.name
        case .fills: FillBatch.name
        case .checkpoint: CheckpointSaved.name
        case .progress: JobProgress.name
        case .finished: JobFinished.name
        case .failed: JobFailed.name
        case .ack: Ack.name
        case .challenge: Challenge.name
        case .reloadApplied: ReloadApplied.name
        case .intentWritten: OrderIntentWritten.name
        case .intentVerdict: IntentVerdict.name
        case .intentResolved: OrderIntentResolved.name
        case .venueFills: VenueFills.name
        case .candlesSeen: CandlesSeen.name
        }
    }

    /// The header of a worker → coordinator job message.
    public var jobHeader: JobHeader? {
        switch self {
        case .started(let m): m.header
        case .fills(let m): m.header
        case .checkpoint(let m): m.header
        case .progress(let m): m.header
        case .finished(let m): m.header
        case .failed(let m): m.header
        case .reloadApplied(let m): m.header
        case .intentWritten(let m): m.header
        case .intentResolved(let m): m.header
        case .venueFills(let m): m.header
        case .candlesSeen(let m): m.header
        default: nil
        }
    }

    /// Writes the body (without length and type).
    public func encodeBody(into b: inout ByteBuffer) {
        switch self {
        case .hello(let m): m.encode(into: &b)
        case .welcome(let m): m.encode(into: &b)
        case .refuse(let m): m.encode(into: &b)
        case .assign(let m): m.encode(into: &b)
        case .stop(let m): m.encode(into: &b)
        case .reload(let m): m.encode(into: &b)
        case .heartbeat(let m): m.encode(into: &b)
        case .started(let m): m.encode(into: &b)
        case .fills(let m): m.encode(into: &b)
        case .checkpoint(let m): m.encode(into: &b)
        case .progress(let m): m.encode(into: &b)
        case .finished(let m): m.encode(into: &b)
        case .failed(let m): m.encode(into: &b)
        case .ack(let m): m.encode(into: &b)
        case .challenge(let m): m.encode(into: &b)
        case .reloadApplied(let m): m.encode(into: &b)
        case .intentWritten(let m): m.encode(into: &b)
        case .intentVerdict(let m): m.encode(into: &b)
        case .intentResolved(let m): m.encode(into: &b)
        case .venueFills(let m): m.encode(into: &b)
        case .candlesSeen(let m): m.encode(into: &b)
        }
    }

    /// Decodes a body of the given type.
    public static func decode(type: UInt8, body: ByteBuffer) throws(ProtocolError) -> WireMessage {
        func read<M: WireBody>(_: M.Type) throws(ProtocolError) -> M {
            var r = ProtoReader(body, message: M.name)
            return try M(reader: &r)
        }
        switch type {
        case 1: return .hello(try read(Hello.self))
        case 2: return .welcome(try read(Welcome.self))
        case 3: return .refuse(try read(Refuse.self))
        case 4: return .assign(try read(AssignJob.self))
        case 5: return .stop(try read(StopJob.self))
        case 6: return .reload(try read(ReloadJob.self))
        case 7: return .heartbeat(try read(Heartbeat.self))
        case 8: return .started(try read(JobStarted.self))
        case 9: return .fills(try read(FillBatch.self))
        case 10: return .checkpoint(try read(CheckpointSaved.self))
        case 11: return .progress(try read(JobProgress.self))
        case 12: return .finished(try read(JobFinished.self))
        case 13: return .failed(try read(JobFailed.self))
        case 14: return .ack(try read(Ack.self))
        case 15: return .challenge(try read(Challenge.self))
        case 16: return .reloadApplied(try read(ReloadApplied.self))
        case 17: return .intentWritten(try read(OrderIntentWritten.self))
        case 18: return .intentVerdict(try read(IntentVerdict.self))
        case 19: return .intentResolved(try read(OrderIntentResolved.self))
        case 20: return .venueFills(try read(VenueFills.self))
        case 21: return .candlesSeen(try read(CandlesSeen.self))
        default: throw .unknownMessageType(type)
        }
    }

    /// Appends the whole frame (length, type, body) to `buffer`.
    public func writeFrame(into buffer: inout ByteBuffer) {
        let start = buffer.writerIndex
        buffer.writeInteger(UInt32(0))
        buffer.writeInteger(typeCode)
        encodeBody(into: &buffer)
        buffer.setInteger(UInt32(buffer.writerIndex - start - 4), at: start)
    }
}
