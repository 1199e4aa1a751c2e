import NIOCore

/// A protocol message body: protobuf fields, with its one-byte type code. Field numbers are in
/// docs/ats.proto and never reused.
protocol WireBody: Sendable, Hashable {
    static var name: String { get }
    func encode(into buffer: inout ByteBuffer)
    init(reader: inout ProtoReader) throws(ProtocolError)
}
