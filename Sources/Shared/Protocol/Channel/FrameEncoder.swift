import NIOCore

/// Writes messages as frames: 4-byte big-endian length, type code, protobuf body. A frame over
/// `maximumFrameSize` is refused here, before anything is written: the peer would close the
/// connection on it, and a message resent after every reconnect would wedge the connection.
public struct FrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = WireMessage
    let maximumFrameSize: Int

    public init(maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public func encode(data: WireMessage, out: inout ByteBuffer) throws {
        let start = out.writerIndex
        data.writeFrame(into: &out)
        let length = out.writerIndex - start - 4
        if length > maximumFrameSize {
            out.moveWriterIndex(to: start)
            throw ProtocolError.frameTooLarge(length: UInt32(clamping: length), maximum: maximumFrameSize)
        }
    }
}
