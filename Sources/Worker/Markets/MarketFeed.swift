import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging

/// The worker's live markets: one kline stream per venue endpoint, symbol and interval, shared by
/// every job trading on it (a thousand paper jobs on BTCUSDT 1m open one connection). A stream
/// starts with its first subscriber and stops with its last.
actor MarketFeed {
    struct Key: Hashable {
        var rest: String
        var symbol: String
        var interval: String
    }

    /// A job's view of a market: the shared candles, and what it needs to fill its own gaps
    /// (a resumed job catches up from its checkpoint).
    struct Subscription: Sendable {
        let id: Int
        let key: Key
        let candles: AsyncStream<BinanceKline>
        let rest: BinanceRESTClient
    }

    private struct Stream {
        var task: Task<Void, Never>
        var subscribers: [Int: AsyncStream<BinanceKline>.Continuation]
    }

    private var streams: [Key: Stream] = [:]
    private var clients: [String: BinanceRESTClient] = [:]
    private var nextId = 0
    private let logger: Logger

    init(logger: Logger) { self.logger = logger }

    struct UnknownEndpoint: Error, CustomStringConvertible {
        var endpoint: String
        var description: String { "market.endpoint \"\(endpoint)\" names no venue endpoint" }
    }

    func subscribe(_ market: MarketSource) async throws -> Subscription {
        guard let endpoint = BinanceEndpoint.named(market.endpoint) else {
            throw UnknownEndpoint(endpoint: market.endpoint)
        }
        let rest = try await client(endpoint)
        let key = Key(rest: endpoint.rest, symbol: market.symbol, interval: market.interval)
        nextId += 1
        let id = nextId
        let (candles, continuation) = AsyncStream<BinanceKline>.makeStream(bufferingPolicy: .bufferingNewest(10_000))
        if streams[key] == nil {
            let stream = BinanceMarketStream(
                endpoint: endpoint, symbol: market.symbol, interval: market.interval, rest: rest, logger: logger)
            let task = Task<Void, Never> { [weak self] in
                guard let feed = self else { return }
                try? await stream.run(after: nil) { [weak feed] candle in await feed?.broadcast(key, candle) }
            }
            streams[key] = Stream(task: task, subscribers: [:])
            logger.info(
                "market stream opened", metadata: ["market": "\(market.symbol)@\(market.interval) \(endpoint.streams)"])
        }
        streams[key]!.subscribers[id] = continuation
        return Subscription(id: id, key: key, candles: candles, rest: rest)
    }

    func unsubscribe(_ s: Subscription) {
        guard var stream = streams[s.key] else { return }
        stream.subscribers.removeValue(forKey: s.id)?.finish()
        if stream.subscribers.isEmpty {
            stream.task.cancel()
            streams[s.key] = nil
            logger.info("market stream closed", metadata: ["market": "\(s.key.symbol)@\(s.key.interval)"])
        } else {
            streams[s.key] = stream
        }
    }

    var openStreams: Int { streams.count }

    private func broadcast(_ key: Key, _ candle: BinanceKline) {
        for c in streams[key]?.subscribers.values ?? [:].values { c.yield(candle) }
    }

    /// One REST client per venue endpoint, its clock synchronised once.
    private func client(_ endpoint: BinanceEndpoint) async throws -> BinanceRESTClient {
        if let c = clients[endpoint.rest] { return c }
        let c = try BinanceRESTClient(endpoint: endpoint, credentials: nil, logger: logger)
        clients[endpoint.rest] = c
        do {
            try await c.syncClock()
        } catch {
            logger.warning(
                "venue clock not synchronised", metadata: ["venue": "\(endpoint.rest)", "error": "\(error)"])
        }
        return c
    }
}
