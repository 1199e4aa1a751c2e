import NIOCore

/// Worker → coordinator: the assigned job is running (its data is loaded, its state restored).
/// A resumed live job first says it is `reconciling` (settling its predecessor's orders and
/// trades with the venue, trading nothing), then starts again with no phase once it trades.
public struct JobStarted: WireBody {
    static let name = "JobStarted"
    public var header: JobHeader
    /// Bars in the job's data (0 for open-ended live feeds).
    public var barsTotal: Int64
    /// Empty, or `reconciling`.
    public var phase: String

    public static let reconciling = "reconciling"

    public init(header: JobHeader, barsTotal: Int64, phase: String = "") {
        self.header = header
        self.barsTotal = barsTotal
        self.phase = phase
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: barsTotal)
        b.writeProto(5, string: phase)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, barsTotal: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: barsTotal = try r.int64(w)
            case 5: phase = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
