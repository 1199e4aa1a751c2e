import NIOCore

/// Worker → coordinator: the job's whole state after `cursor` bars; `nextFillSeq` is the seq its
/// next fill will carry. Fenced by epoch: one from a stale assignment is dropped.
public struct CheckpointSaved: WireBody {
    static let name = "Checkpoint"
    public var header: JobHeader
    public var cursor: Int64
    public var nextFillSeq: Int64
    public var state: [UInt8]

    public init(header: JobHeader, cursor: Int64, nextFillSeq: Int64, state: [UInt8]) {
        self.header = header
        self.cursor = cursor
        self.nextFillSeq = nextFillSeq
        self.state = state
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: cursor)
        b.writeProto(5, int: nextFillSeq)
        b.writeProto(6, bytes: state)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, cursor: 0, nextFillSeq: 0, state: [])
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: cursor = try r.int64(w)
            case 5: nextFillSeq = try r.int64(w)
            case 6: state = try r.bytes(w)
            default: try r.skip(w)
            }
        }
    }
}
