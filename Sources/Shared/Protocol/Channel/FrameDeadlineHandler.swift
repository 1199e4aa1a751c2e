import NIOCore

/// Closes a connection whose peer does not complete frames in time: the first frame (the hello)
/// within the handshake timeout, each later one within the idle timeout. It counts whole frames,
/// not bytes, so a peer trickling a byte a second (slowloris) is closed like a silent one.
/// Sits after the frame decoder.
public final class FrameDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = WireMessage
    public typealias InboundOut = WireMessage

    /// Why the connection was closed, fired as an error down the pipeline before closing.
    public struct Expired: Error, CustomStringConvertible {
        public var handshake: Bool
        public var description: String {
            handshake ? "no handshake within the deadline" : "no complete frame within the idle timeout"
        }
    }

    private let handshakeTimeout: TimeAmount
    private let idleTimeout: TimeAmount
    private var lastFrame = NIODeadline.now()
    private var frames = 0
    private var check: Scheduled<Void>?

    public init(handshakeTimeout: TimeAmount, idleTimeout: TimeAmount) {
        self.handshakeTimeout = handshakeTimeout
        self.idleTimeout = idleTimeout
    }

    public func handlerAdded(context: ChannelHandlerContext) {
        lastFrame = .now()
        if context.channel.isActive { schedule(context, at: lastFrame + handshakeTimeout) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        lastFrame = .now()
        schedule(context, at: lastFrame + handshakeTimeout)
        context.fireChannelActive()
    }

    public func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        frames += 1
        lastFrame = .now()
        context.fireChannelRead(data)
    }

    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        check?.cancel()
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(deadline: deadline) {
            let (handler, context) = loopBound.value
            handler.expire(context)
        }
    }

    private func expire(_ context: ChannelHandlerContext) {
        check = nil
        guard context.channel.isActive else { return }
        let limit = frames == 0 ? handshakeTimeout : idleTimeout
        let due = lastFrame + limit
        if NIODeadline.now() < due {
            schedule(context, at: due)
            return
        }
        context.fireErrorCaught(Expired(handshake: frames == 0))
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension FrameDeadlineHandler: Sendable {}
