import NIOCore

/// Worker → coordinator: how far the job is, and its equity now.
public struct JobProgress: WireBody {
    static let name = "Progress"
    public var header: JobHeader
    public var barsDone: Int64
    public var barsTotal: Int64
    public var equity: Double

    public init(header: JobHeader, barsDone: Int64, barsTotal: Int64, equity: Double) {
        self.header = header
        self.barsDone = barsDone
        self.barsTotal = barsTotal
        self.equity = equity
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: barsDone)
        b.writeProto(5, int: barsTotal)
        b.writeProto(6, double: equity)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, barsDone: 0, barsTotal: 0, equity: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: barsDone = try r.int64(w)
            case 5: barsTotal = try r.int64(w)
            case 6: equity = try r.double(w)
            default: try r.skip(w)
            }
        }
    }
}
