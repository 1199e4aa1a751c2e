import ATSVenues
import Foundation
import Logging

/// Hands on closed candles in order, each once, refilling a gap before one from
/// `GET /api/v3/klines` a page of 1,000 at a time (``KlineSequencer`` decides; this fetches).
public struct KlineGapFiller: Sendable {
    public let symbol: String
    public let interval: String
    let rest: BinanceRESTClient
    let logger: Logger

    public init(symbol: String, interval: String, rest: BinanceRESTClient, logger: Logger) {
        self.symbol = symbol
        self.interval = interval
        self.rest = rest
        self.logger = logger
    }

    /// The candles to hand on for `k`, in order: none (a repeat), `k`, or the missing ones and `k`.
    public func deliver(_ k: BinanceKline, sequencer: inout KlineSequencer) async throws -> [BinanceKline] {
        var from: Int64
        switch sequencer.offer(k) {
        case .emit: return [k]
        // A repeat (a reconnect resends the last candle) or one not closed yet.
        case .skip: return []
        case .refill(let start): from = start
        }
        var out: [BinanceKline] = []
        while true {
            let response = try await rest.send(
                .GET, "/api/v3/klines",
                [
                    ("symbol", symbol), ("interval", interval), ("startTime", String(from)),
                    ("endTime", String(k.openTime - 1)), ("limit", "1000"),
                ], weight: 2)
            guard (200..<300).contains(response.status) else { throw rest.failure(response) }
            let rows = try BinanceKline.rows(
                Data(response.body), symbol: symbol, interval: interval, venueNowMs: rest.venueNowMs())
            for row in rows where sequencer.offer(row) == .emit { out.append(row) }
            switch sequencer.offer(k) {
            case .emit: return out + [k]
            case .skip: return out
            case .refill(let next) where next != from && !rows.isEmpty:
                from = next
            case .refill:
                logger.warning("klines missing at the venue", metadata: ["from": "\(from)", "to": "\(k.openTime)"])
                sequencer.acceptGap(before: k)
                return sequencer.offer(k) == .emit ? out + [k] : out
            }
        }
    }
}
