import NIOCore

/// Worker → coordinator: revision `revision` of the job's definition took effect before bar `bar`
/// (the strategy that processes bar `bar` is the new one). Sent after the fills made before it and
/// before any made after it, so once a later fill is stored, so is this. Fenced by epoch.
public struct ReloadApplied: WireBody {
    static let name = "ReloadApplied"
    public var header: JobHeader
    public var revision: Int64
    public var bar: Int64

    public init(header: JobHeader, revision: Int64, bar: Int64) {
        self.header = header
        self.revision = revision
        self.bar = bar
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: revision)
        b.writeProto(5, int: bar)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, revision: 0, bar: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: revision = try r.int64(w)
            case 5: bar = try r.int64(w)
            default: try r.skip(w)
            }
        }
    }
}
