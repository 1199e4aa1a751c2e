import ATSVenues
import Foundation

/// Downloads a symbol's public trades between two times from `GET /api/v3/aggTrades` (a page of
/// 1,000 at a time, weight 4 each, paced by the client's rate limiter: the first page from the
/// start time, the next ones from the trade id after the last) and turns them into closed
/// candles of any length that divides a day (``TradeCandles``), oldest first, each once.
public struct TradeDownloader: Sendable {
    let rest: BinanceRESTClient

    public init(rest: BinanceRESTClient) { self.rest = rest }

    /// Hands the closed candles to `page` as they are made; returns how many there were. Candles
    /// start at the first one with a trade in the span (before it the last price is unknown);
    /// those not over yet at the venue's time are left out.
    @discardableResult
    public func download(
        symbol: String, interval: String, fromMs: Int64, toMs: Int64,
        page: ([BinanceKline]) async throws -> Void
    ) async throws -> Int {
        guard var candles = TradeCandles(symbol: symbol, interval: interval) else {
            throw KlineDownloader.Failure(description: "unknown interval \(interval)")
        }
        let length = candles.length
        let start = fromMs - fromMs % length
        let lastOpen = toMs - toMs % length
        var total = 0
        func emit(_ closed: [BinanceKline]) async throws {
            let kept = closed.filter { $0.openTime >= start && $0.openTime <= lastOpen }
            guard !kept.isEmpty else { return }
            try await page(kept)
            total += kept.count
        }
        var parameters = [("symbol", symbol), ("startTime", String(start)), ("limit", "1000")]
        while true {
            let r = try await rest.send(.GET, "/api/v3/aggTrades", parameters, weight: 4)
            guard (200..<300).contains(r.status) else { throw rest.failure(r) }
            let trades = try BinanceAggTrade.rows(Data(r.body))
            var past = false
            var closed: [BinanceKline] = []
            for t in trades {
                if t.timeMs >= lastOpen + length {
                    past = true
                    break
                }
                closed += candles.add(price: t.price, quantity: t.quantity, timeMs: t.timeMs)
            }
            try await emit(closed)
            guard !past, trades.count == 1_000, let last = trades.last else { break }
            parameters = [("symbol", symbol), ("fromId", String(last.id + 1)), ("limit", "1000")]
        }
        // No trade came after the last one fetched: what is over by the venue's clock (less the
        // margin its estimate is off by) and within the span is closed.
        let now = rest.venueNowMs() - KlineDownloader.closedMarginMs
        try await emit(candles.close(through: min(now, lastOpen + length)))
        return total
    }
}
