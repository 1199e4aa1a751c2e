import ATSShared
import NIOCore

/// Closes a connection that has sent nothing for the idle timeout (no hello, or no heartbeats):
/// together with `IdleStateHandler` it is the coordinator's side of lease expiry.
final class IdleCloseHandler: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }
}
