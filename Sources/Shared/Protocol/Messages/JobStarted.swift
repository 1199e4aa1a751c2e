import NIOCore

/// Worker → coordinator: the assigned job is running (its data is loaded, its state restored).
public struct JobStarted: WireBody {
    static let name = "JobStarted"
    public var header: JobHeader
    /// Bars in the job's data (0 for open-ended live feeds).
    public var barsTotal: Int64

    public init(header: JobHeader, barsTotal: Int64) {
        self.header = header
        self.barsTotal = barsTotal
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: barsTotal)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, barsTotal: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: barsTotal = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
