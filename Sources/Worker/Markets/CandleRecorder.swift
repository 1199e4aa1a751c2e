import ATSEngine
import ATSShared
import ATSVenues

/// The candles a job on a live market traded since its last checkpoint, sent (`CandlesSeen`)
/// just before the next one: what a checkpoint has traded is then on record before it, and what
/// came after is traded, and recorded, again by the run that resumes from it.
struct CandleRecorder: Sendable {
    let market: MarketSource
    /// A live run's venue rules (nil for a paper job).
    var rules: Instrument?
    private var firstBar: Int64 = 0
    private var pending: [SeenCandle] = []

    init(market: MarketSource, rules: Instrument? = nil) {
        self.market = market
        self.rules = rules
    }

    /// `candle` is about to be traded as the job's bar `bar`.
    mutating func traded(_ candle: BinanceKline, bar: Int) {
        if pending.isEmpty { firstBar = Int64(bar) }
        pending.append(
            SeenCandle(
                openTimeMs: candle.openTime, open: candle.open.description, high: candle.high.description,
                low: candle.low.description, close: candle.close.description, volume: candle.volume.description))
    }

    /// The message for the candles traded since the last call, or nil when there are none.
    mutating func take() -> (@Sendable (JobHeader) -> WireMessage)? {
        guard !pending.isEmpty else { return nil }
        let (market, firstBar, candles, rules) = (market, firstBar, pending, rules)
        pending = []
        return {
            var m = CandlesSeen(
                header: $0, endpoint: market.endpoint, symbol: market.symbol, interval: market.interval,
                firstBar: firstBar, candles: candles)
            if let rules {
                m.tickSize = rules.tickSize
                m.stepSize = rules.stepSize
                m.minQuantity = rules.minQuantity
                m.minNotional = rules.minNotional
            }
            return .candlesSeen(m)
        }
    }
}
