import NIOCore

extension ChannelPipeline.SynchronousOperations {
    /// Adds the frame decoder and encoder: the channel then reads and writes ``WireMessage``s.
    public func addWireProtocolHandlers(maximumFrameSize: Int = WireProtocol.defaultMaximumFrameSize) throws {
        try addHandler(ByteToMessageHandler(FrameDecoder(maximumFrameSize: maximumFrameSize)))
        try addHandler(MessageToByteHandler(FrameEncoder(maximumFrameSize: maximumFrameSize)))
    }
}
