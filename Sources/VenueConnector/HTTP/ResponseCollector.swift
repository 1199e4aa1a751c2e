import NIOCore
import NIOHTTP1

/// One request in flight on a connection: what to write, where the answer goes, when to give up.
struct PendingRequest: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var promise: EventLoopPromise<VenueHTTPResponse>
    var timeout: TimeAmount
}

/// Writes a request's parts and gathers its answer, on the connection's event loop (so the
/// answer, a timeout and a closed connection never complete the promise twice). A timeout
/// closes the connection: the answer, if it ever comes, must not be read as the next request's.
final class ResponseCollector: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = PendingRequest
    typealias OutboundOut = HTTPClientRequestPart

    private var pending: EventLoopPromise<VenueHTTPResponse>?
    private var timer: Scheduled<Void>?
    private var head: HTTPResponseHead?
    private var body = ByteBuffer()

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let request = unwrapOutboundIn(data)
        guard pending == nil else {
            request.promise.fail(VenueHTTPError.busy)
            promise?.fail(VenueHTTPError.busy)
            return
        }
        guard context.channel.isActive else {
            request.promise.fail(VenueHTTPError.connectionClosed)
            promise?.fail(VenueHTTPError.connectionClosed)
            return
        }
        pending = request.promise
        head = nil
        body.clear()
        let loopContext = NIOLoopBound(context, eventLoop: context.eventLoop)
        let loopSelf = NIOLoopBound(self, eventLoop: context.eventLoop)
        timer = context.eventLoop.scheduleTask(in: request.timeout) {
            loopSelf.value.finish(.failure(VenueHTTPError.timedOut))
            loopContext.value.close(promise: nil)
        }
        context.write(wrapOutboundOut(.head(request.head)), promise: nil)
        if let b = request.body, b.readableBytes > 0 {
            context.write(wrapOutboundOut(.body(.byteBuffer(b))), promise: nil)
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body(var b): body.writeBuffer(&b)
        case .end:
            guard let h = head else { return }
            let response = VenueHTTPResponse(
                status: Int(h.status.code), headers: h.headers.map { ($0.name, $0.value) },
                body: body.readBytes(length: body.readableBytes) ?? [], keepAlive: h.isKeepAlive)
            finish(.success(response))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(.failure(VenueHTTPError.connectionClosed))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(.failure(error))
        context.close(promise: nil)
    }

    private func finish(_ result: Result<VenueHTTPResponse, any Error>) {
        timer?.cancel()
        timer = nil
        guard let p = pending else { return }
        pending = nil
        p.completeWith(result)
    }
}
