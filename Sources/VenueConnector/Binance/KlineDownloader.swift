import ATSVenues
import Foundation

/// Downloads a symbol's closed candles between two times from `GET /api/v3/klines`, a page of
/// 1,000 at a time (weight 2 each, paced by the client's rate limiter), oldest first, each once.
public struct KlineDownloader: Sendable {
    let rest: BinanceRESTClient

    public init(rest: BinanceRESTClient) { self.rest = rest }

    /// How long past its close time a candle must be before it counts as closed.
    public static let closedMarginMs: Int64 = 1_000

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Hands each page to `page`; returns the number of candles. Candles not closed yet (at the
    /// venue's time) are left out.
    @discardableResult
    public func download(
        symbol: String, interval: String, fromMs: Int64, toMs: Int64,
        page: ([BinanceKline]) async throws -> Void
    ) async throws -> Int {
        guard let length = BinanceKline.length(of: interval) else {
            throw Failure(description: "unknown interval \(interval)")
        }
        var start = fromMs - fromMs % length
        var total = 0
        while start <= toMs {
            let r = try await rest.send(
                .GET, "/api/v3/klines",
                [
                    ("symbol", symbol), ("interval", interval), ("startTime", String(start)),
                    ("endTime", String(toMs)), ("limit", "1000"),
                ], weight: 2)
            guard (200..<300).contains(r.status) else { throw rest.failure(r) }
            // Closed only once its close time is a second past on our estimate of the venue's clock:
            // the estimate is off by up to half a round trip, and a candle still open at the venue
            // would be written with prices that later change.
            let rows = try BinanceKline.rows(
                Data(r.body), symbol: symbol, interval: interval, venueNowMs: rest.venueNowMs() - Self.closedMarginMs)
            let closed = rows.filter { $0.isClosed && $0.openTime >= start && $0.openTime <= toMs }
            if !closed.isEmpty {
                try await page(closed)
                total += closed.count
            }
            guard rows.count == 1_000, let last = rows.last, last.isClosed else { return total }
            start = last.openTime + length
        }
        return total
    }
}
