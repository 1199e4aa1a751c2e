import NIOCore

/// Coordinator → worker: every outbox message up to `messageSeq` is committed; drop them.
public struct Ack: WireBody {
    static let name = "Ack"
    public var messageSeq: UInt64

    public init(messageSeq: UInt64) { self.messageSeq = messageSeq }

    func encode(into b: inout ByteBuffer) { b.writeProto(1, uint: messageSeq) }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(messageSeq: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: messageSeq = try r.uint64(w)
            default: try r.skip(w)
            }
        }
    }
}
