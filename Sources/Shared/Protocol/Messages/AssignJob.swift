import NIOCore

/// Coordinator → worker: run this job under this fencing epoch, from this checkpoint (empty: from
/// the start). `spec` is the job spec as JSON, at revision `specRevision`.
///
/// A resumed job replays from its checkpoint, made under `checkpointRevision`, and applies
/// `schedule` on the way: the revisions that took effect after the checkpoint at the bars where
/// they did, then the newest one not yet in effect at `replayUntilBar` (the first bar after every
/// stored fact). Live reloads wait for the replay to reach `replayUntilBar`.
public struct AssignJob: WireBody {
    static let name = "AssignJob"
    public var jobId: Int64
    public var epoch: Int64
    public var name: String
    public var spec: [UInt8]
    public var checkpoint: [UInt8]
    public var specRevision: Int64
    /// The revision the checkpoint was made under (0 without a checkpoint).
    public var checkpointRevision: Int64
    /// The engine version that wrote the checkpoint (empty: not recorded).
    public var checkpointEngine: String
    /// The content hash of the data the checkpoint was made on (empty: not recorded).
    public var checkpointDataHash: String
    public var schedule: [RevisionStep]
    public var replayUntilBar: Int64
    /// A live job's venue credential (``VenueCredential`` as JSON), opened from the coordinator's
    /// vault for this assignment only; empty for other jobs. Never logged.
    public var venueCredential: [UInt8] = []
    /// A live job's intents written since its checkpoint or still unresolved, for reconciliation.
    public var priorIntents: [PriorIntent] = []
    /// The kill switch holds the job (why; empty: it does not): a live run cancels the job's open
    /// orders, flattens when `haltFlatten`, and stops, placing nothing else.
    public var halt: String = ""
    public var haltFlatten: Bool = false
    /// The job is a sweep's chunk: a worker that holds chunks ahead (``WorkerLoad``) may keep it
    /// waiting for a slot behind its running chunks.
    public var sweepChunk: Bool = false

    public init(
        jobId: Int64, epoch: Int64, name: String, spec: [UInt8], checkpoint: [UInt8], specRevision: Int64 = 1,
        checkpointRevision: Int64 = 0, checkpointEngine: String = "", checkpointDataHash: String = "",
        schedule: [RevisionStep] = [], replayUntilBar: Int64 = 0
    ) {
        self.jobId = jobId
        self.epoch = epoch
        self.name = name
        self.spec = spec
        self.checkpoint = checkpoint
        self.specRevision = specRevision
        self.checkpointRevision = checkpointRevision
        self.checkpointEngine = checkpointEngine
        self.checkpointDataHash = checkpointDataHash
        self.schedule = schedule
        self.replayUntilBar = replayUntilBar
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: jobId)
        b.writeProto(2, int: epoch)
        b.writeProto(3, bytes: spec)
        b.writeProto(4, bytes: checkpoint)
        b.writeProto(5, string: name)
        b.writeProto(6, int: specRevision)
        b.writeProto(7, int: checkpointRevision)
        b.writeProto(8, string: checkpointEngine)
        b.writeProto(9, string: checkpointDataHash)
        for step in schedule { b.writeProto(10) { step.encode(into: &$0) } }
        b.writeProto(11, int: replayUntilBar)
        b.writeProto(12, bytes: venueCredential)
        for intent in priorIntents { b.writeProto(13) { intent.encode(into: &$0) } }
        b.writeProto(14, string: halt)
        b.writeProto(15, bool: haltFlatten)
        b.writeProto(16, bool: sweepChunk)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(jobId: 0, epoch: 0, name: "", spec: [], checkpoint: [], specRevision: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: jobId = try r.int64(w)
            case 2: epoch = try r.int64(w)
            case 3: spec = try r.bytes(w)
            case 4: checkpoint = try r.bytes(w)
            case 5: name = try r.string(w)
            case 6: specRevision = try r.int64(w)
            case 7: checkpointRevision = try r.int64(w)
            case 8: checkpointEngine = try r.string(w)
            case 9: checkpointDataHash = try r.string(w)
            case 10: schedule.append(try RevisionStep(record: r.lengthDelimited(w)))
            case 11: replayUntilBar = try r.int64(w)
            case 12: venueCredential = try r.bytes(w)
            case 13: priorIntents.append(try PriorIntent(record: r.lengthDelimited(w)))
            case 14: halt = try r.string(w)
            case 15: haltFlatten = try r.uint64(w) != 0
            case 16: sweepChunk = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}

/// An assignment never shows a live job's credential: not in a log line, a trace or a test's output.
extension AssignJob: CustomReflectable {
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "jobId": jobId, "epoch": epoch, "name": name, "specRevision": specRevision,
                "checkpoint": "\(checkpoint.count) bytes", "checkpointRevision": checkpointRevision,
                "checkpointEngine": checkpointEngine, "checkpointDataHash": checkpointDataHash, "schedule": schedule,
                "replayUntilBar": replayUntilBar,
                "venueCredential": venueCredential.isEmpty ? "none" : "(redacted)", "priorIntents": priorIntents,
                "halt": halt, "haltFlatten": haltFlatten, "sweepChunk": sweepChunk,
            ], displayStyle: .struct)
    }
}
