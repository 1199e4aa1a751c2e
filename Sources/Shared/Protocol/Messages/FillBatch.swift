import ATSEngine
import NIOCore

/// Worker → coordinator: fills of one job, in sequence order.
public struct FillBatch: WireBody {
    static let name = "FillBatch"
    public var header: JobHeader
    public var fills: [Fill]

    public init(header: JobHeader, fills: [Fill]) {
        self.header = header
        self.fills = fills
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        for fill in fills { b.writeProto(4) { fill.encode(into: &$0) } }
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, fills: [])
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: fills.append(try Fill(record: r.lengthDelimited(w)))
            default: try r.skip(w)
            }
        }
    }
}
