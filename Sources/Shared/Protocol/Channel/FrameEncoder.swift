import NIOCore

/// Writes messages as frames: 4-byte big-endian length, type code, protobuf body.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = WireMessage

    public init() {}

    public func encode(data: WireMessage, out: inout ByteBuffer) throws {
        data.writeFrame(into: &out)
    }
}
