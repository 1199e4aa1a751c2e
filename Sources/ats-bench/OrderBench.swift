import ATSVenueConnector
import ATSVenues
import ArgumentParser
import Crypto
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// Decision to request on the wire: the time from asking ``OrderPlacer`` to place an order until
/// the first byte of its request reaches a venue on loopback, and the whole round trip. The venue
/// here is a bare TCP server in this process that notes when each request's first byte arrives
/// (the same clock as the caller's) and answers a canned FULL response, so the figure is the
/// connector's own work: the intent machine, the limiter, signing, HTTP, the syscalls.
struct OrderBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders", abstract: "Order placement: decision → request on the wire, and the round trip.")

    @Option(help: "Orders per key type.") var orders = 20_000
    @Option(help: "Orders before measuring.") var warmup = 2_000

    func run() async throws {
        let arrivals = NIOLockedValueBox<[String: ContinuousClock.Instant]>([:])
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(CannedVenue(arrivals: arrivals))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let port = server.localAddress!.port!
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let edKey = Curve25519.Signing.PrivateKey()
        for (name, signer) in [
            ("HMAC-SHA256", BinanceSigner(.hmac(secret: String(repeating: "s", count: 64)))),
            ("Ed25519", BinanceSigner(.ed25519(rawPrivateKey: edKey.rawRepresentation))),
        ] {
            let client = try BinanceRESTClient(
                endpoint: .local(port: port), credentials: BinanceCredentials(apiKey: "bench-key", signer: signer),
                logger: logger)
            let placer = OrderPlacer(client: client)
            var wire: [Double] = []
            var roundTrip: [Double] = []
            for k in 0..<(warmup + orders) {
                let id = ClientOrderId(job: 1, epoch: 1, sequence: Int64(k) + (name == "Ed25519" ? 1_000_000 : 0))
                let request = OrderPlacer.Request(
                    symbol: "BTCUSDT", side: .buy, type: .market,
                    fitted: SymbolFilters.Fitted(quantity: VenueDecimal("0.001")!, price: nil), clientOrderId: id)
                let start = ContinuousClock.now
                let outcome = try await placer.place(request) { _ in }
                let end = ContinuousClock.now
                guard case .accepted = outcome.state else { throw ValidationError("order \(k): \(outcome.state)") }
                guard k >= warmup, let arrived = arrivals.withLockedValue({ $0.removeValue(forKey: id.description) })
                else {
                    _ = arrivals.withLockedValue { $0.removeValue(forKey: id.description) }
                    continue
                }
                wire.append((arrived - start).seconds * 1e6)
                roundTrip.append((end - start).seconds * 1e6)
            }
            client.shutdown()
            // The CPU work inside it: the order's parameters in decimal, encoded and signed.
            let fitted = SymbolFilters.Fitted(quantity: VenueDecimal("0.001")!, price: nil)
            let signing = Stopwatch()
            var bytes = 0
            for k in 0..<orders {
                let params = BinanceOrders.newOrder(
                    symbol: "BTCUSDT", side: .buy, type: .market, timeInForce: nil, fitted: fitted,
                    clientOrderId: ClientOrderId(job: 1, epoch: 1, sequence: Int64(k)), timestampMs: 1_700_000_000_000,
                    recvWindowMs: 5_000)
                bytes &+= try signer.signedQuery(params).utf8.count
            }
            print(
                String(
                    format: "%-12@ %-24@ %6.1f µs each (%d bytes)", name as NSString,
                    "build, encode and sign" as NSString, signing.seconds * 1e6 / Double(orders), bytes / orders))
            for (label, values) in [("decision → on the wire", wire), ("round trip (loopback)", roundTrip)] {
                print(
                    String(
                        format: "%-12@ %-24@ p50 %6.1f µs  p99 %6.1f µs  p99.9 %6.1f µs  max %7.1f µs  (%d orders)",
                        name as NSString, label as NSString, percentile(values, 50), percentile(values, 99),
                        percentile(values, 99.9), values.max() ?? .nan, values.count))
            }
        }
        try await server.close()
    }
}

/// A venue that answers every request with the same FULL response, noting when each request's
/// first byte arrived (by its `newClientOrderId`).
final class CannedVenue: ChannelInboundHandler, Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let arrivals: NIOLockedValueBox<[String: ContinuousClock.Instant]>
    private let pending = NIOLockedValueBox((buffer: ByteBuffer(), firstByteAt: ContinuousClock.Instant?.none))

    static let body = """
        {"symbol":"BTCUSDT","orderId":1,"orderListId":-1,"clientOrderId":"x","transactTime":1,"price":"0.00000000",\
        "origQty":"0.00100000","executedQty":"0.00100000","origQuoteOrderQty":"0.00000000",\
        "cummulativeQuoteQty":"50.00000000","status":"FILLED","timeInForce":"GTC","type":"MARKET","side":"BUY",\
        "workingTime":1,"selfTradePreventionMode":"NONE","fills":[{"price":"50000.00000000","qty":"0.00100000",\
        "commission":"0.00000100","commissionAsset":"BTC","tradeId":1}]}
        """
    static let response =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json;charset=UTF-8\r\nContent-Length: \(body.utf8.count)\r\n"
        + "X-MBX-USED-WEIGHT-1M: 1\r\nX-MBX-ORDER-COUNT-10S: 1\r\nX-MBX-ORDER-COUNT-1D: 1\r\n\r\n" + body

    init(arrivals: NIOLockedValueBox<[String: ContinuousClock.Instant]>) { self.arrivals = arrivals }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let now = ContinuousClock.now
        var input = unwrapInboundIn(data)
        let complete: (String, ContinuousClock.Instant)? = pending.withLockedValue { p in
            if p.buffer.readableBytes == 0 { p.firstByteAt = now }
            p.buffer.writeBuffer(&input)
            let text = String(buffer: p.buffer)
            guard let end = text.range(of: "\r\n\r\n") else { return nil }
            let head = text[..<end.lowerBound]
            p.buffer.clear()
            let id = head.split(separator: "&").first { $0.hasPrefix("newClientOrderId=") }.map {
                String($0.dropFirst("newClientOrderId=".count))
            }
            return (id ?? "", p.firstByteAt ?? now)
        }
        guard let (id, at) = complete else { return }
        arrivals.withLockedValue { $0[id] = at }
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: Self.response)), promise: nil)
    }
}
