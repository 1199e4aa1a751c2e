import ATSEngine
import NIOCore

/// Worker → coordinator: fills of one job, in sequence order, all made under revision
/// `specRevision` of its definition.
public struct FillBatch: WireBody {
    static let name = "FillBatch"
    public var header: JobHeader
    public var fills: [Fill]
    public var specRevision: Int64

    public init(header: JobHeader, fills: [Fill], specRevision: Int64 = 1) {
        self.header = header
        self.fills = fills
        self.specRevision = specRevision
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        for fill in fills { b.writeProto(4) { fill.encode(into: &$0) } }
        b.writeProto(5, int: specRevision)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, fills: [], specRevision: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: fills.append(try Fill(record: r.lengthDelimited(w)))
            case 5: specRevision = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
