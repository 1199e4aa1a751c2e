import NIOCore

/// Worker → coordinator: the job's whole state after `cursor` bars; `nextFillSeq` is the seq its
/// next fill will carry. Fenced by epoch: one from a stale assignment is dropped. It records what
/// it was made under: the definition's revision, the engine version and the data's content hash,
/// so that only a worker that can reproduce it bit for bit resumes it.
public struct CheckpointSaved: WireBody {
    static let name = "CheckpointSaved"
    public var header: JobHeader
    public var cursor: Int64
    public var nextFillSeq: Int64
    public var state: [UInt8]
    public var specRevision: Int64
    public var engineVersion: String
    public var dataHash: String
    /// A live run numbers its checkpoints from 1: one with a higher serial (or made under a later
    /// epoch) replaces the stored one at the same cursor, because a live job checkpoints before
    /// every intent it writes, often several times a candle. 0 (backtests, paper): the first
    /// stored at a cursor is kept.
    public var serial: Int64

    public init(
        header: JobHeader, cursor: Int64, nextFillSeq: Int64, state: [UInt8], specRevision: Int64 = 1,
        engineVersion: String = "", dataHash: String = "", serial: Int64 = 0
    ) {
        self.header = header
        self.cursor = cursor
        self.nextFillSeq = nextFillSeq
        self.state = state
        self.specRevision = specRevision
        self.engineVersion = engineVersion
        self.dataHash = dataHash
        self.serial = serial
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: cursor)
        b.writeProto(5, int: nextFillSeq)
        b.writeProto(6, bytes: state)
        b.writeProto(7, int: specRevision)
        b.writeProto(8, string: engineVersion)
        b.writeProto(9, string: dataHash)
        b.writeProto(10, int: serial)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, cursor: 0, nextFillSeq: 0, state: [], specRevision: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: cursor = try r.int64(w)
            case 5: nextFillSeq = try r.int64(w)
            case 6: state = try r.bytes(w)
            case 7: specRevision = try r.int64(w)
            case 8: engineVersion = try r.string(w)
            case 9: dataHash = try r.string(w)
            case 10: serial = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
