import NIOCore

/// Splits the byte stream into frames and decodes them. The length is checked against the
/// maximum as soon as its four bytes arrive, before any space is reserved for the frame, so an
/// oversize or garbage length costs nothing but the connection.
public struct FrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = WireMessage
    public let maximumFrameSize: Int

    public init(maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> WireMessage? {
        guard let length: UInt32 = buffer.getInteger(at: buffer.readerIndex) else { return nil }
        guard length > 0 else { throw ProtocolError.emptyFrame }
        guard length <= maximumFrameSize else {
            throw ProtocolError.frameTooLarge(length: length, maximum: maximumFrameSize)
        }
        guard buffer.readableBytes >= 4 + Int(length) else { return nil }
        buffer.moveReaderIndex(forwardBy: 4)
        var frame = buffer.readSlice(length: Int(length))!
        let type: UInt8 = frame.readInteger()!
        return try WireMessage.decode(type: type, body: frame)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> WireMessage? {
        try decode(buffer: &buffer)
    }
}
