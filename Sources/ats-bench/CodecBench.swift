import ATSShared
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix
import Synchronization

/// Frames per second through the codec over one loopback connection: the client encodes small
/// frames (Heartbeat, 13 bytes on the wire; or FillBatch of one fill) into large writes; the server
/// decodes them with the production `FrameDecoder` and counts.
struct CodecBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codec", abstract: "Frames per second over loopback, one connection.")

    @Option(help: "Frames to send.") var frames: Int = 5_000_000
    @Option(help: "Frames per write.") var batch: Int = 4096
    @Option(help: "heartbeat or fill.") var message: String = "heartbeat"

    final class Counter: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = WireMessage
        let target: Int
        let done: EventLoopPromise<Void>
        var count = 0

        init(target: Int, done: EventLoopPromise<Void>) {
            self.target = target
            self.done = done
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            count += 1
            if count == target { done.succeed() }
        }
    }

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let serverLoop = group.next()
        let done = serverLoop.makePromise(of: Void.self)
        let target = frames
        let server = try await ServerBootstrap(group: serverLoop)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder()))
                    try channel.pipeline.syncOperations.addHandler(Counter(target: target, done: done))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let client = try await ClientBootstrap(group: group.next())
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: "127.0.0.1", port: server.localAddress!.port!).get()

        let sample: WireMessage =
            message == "fill"
            ? .fills(
                FillBatch(
                    header: JobHeader(jobId: 1, epoch: 1, messageSeq: 1),
                    fills: [
                        .init(
                            seq: 1, orderId: 1, time: 1_700_000_000_000, barIndex: 1, side: .buy, price: 100.5,
                            quantity: 0.25, feeBase: 0, feeQuote: 0.025, liquidity: .taker, tag: "long")
                    ]))
            : .heartbeat(Heartbeat(sentAtMs: 1_700_000_000_000, runningJobs: 3))
        var one = ByteBufferAllocator().buffer(capacity: 64)
        sample.writeFrame(into: &one)
        let frameSize = one.readableBytes

        // Encode-only rate, in memory.
        var scratch = ByteBufferAllocator().buffer(capacity: frameSize * batch)
        let encodeWatch = Stopwatch()
        var encoded = 0
        while encoded < frames {
            scratch.clear()
            for _ in 0..<batch { sample.writeFrame(into: &scratch) }
            encoded += batch
        }
        let encodeRate = Double(encoded) / encodeWatch.seconds

        // Decode-only rate, in memory.
        var decoder = FrameDecoder()
        scratch.clear()
        for _ in 0..<batch { sample.writeFrame(into: &scratch) }
        let decodeWatch = Stopwatch()
        var decoded = 0
        while decoded < frames {
            var copy = scratch
            while let _ = try decoder.decode(buffer: &copy) { decoded += 1 }
        }
        let decodeRate = Double(decoded) / decodeWatch.seconds

        // Over loopback: the client encodes into large writes, the server decodes every frame.
        let watch = Stopwatch()
        var sent = 0
        while sent < frames {
            let n = min(batch, frames - sent)
            var buffer = client.allocator.buffer(capacity: frameSize * n)
            for _ in 0..<n { sample.writeFrame(into: &buffer) }
            try await client.writeAndFlush(buffer)
            sent += n
        }
        try await done.futureResult.get()
        let seconds = watch.seconds
        try await client.close()
        try await server.close()
        try await group.shutdownGracefully()
        print("message \(message), \(frameSize) bytes per frame, \(frames) frames")
        print(String(format: "encode only:        %.2f M frames/s", encodeRate / 1e6))
        print(String(format: "decode only:        %.2f M frames/s", decodeRate / 1e6))
        print(
            String(
                format: "loopback end to end: %.2f M frames/s (%.1f MB/s), %.3f s", Double(frames) / seconds / 1e6,
                Double(frames * frameSize) / seconds / 1e6, seconds))
    }
}
