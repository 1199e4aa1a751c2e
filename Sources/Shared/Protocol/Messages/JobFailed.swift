import NIOCore

/// Worker → coordinator: the job cannot go on (bad data, an engine error); `error` says why.
public struct JobFailed: WireBody {
    static let name = "JobFailed"
    public var header: JobHeader
    public var error: String

    public init(header: JobHeader, error: String) {
        self.header = header
        self.error = error
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, string: error)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, error: "")
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: error = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
