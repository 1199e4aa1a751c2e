import ATSEngine
import ATSShared
import ATSVenues

/// The candles a job on a live market traded since they were last sent (`CandlesSeen`): before
/// each checkpoint and before any fills, so a checkpoint's or a fill's candles are on record
/// before it is; what came after the checkpoint is traded, and recorded, again by the run that
/// resumes from it.
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

    /// Candles per message: a run that catches up days of 1-second candles sends them in pieces
    /// far below the frame limit (about 90 bytes a candle).
    static let perMessage = 10_000

    /// The messages for the candles traded since the last call (none when there are none).
    mutating func take() -> [@Sendable (JobHeader) -> WireMessage] {
        guard !pending.isEmpty else { return [] }
        let (market, rules) = (market, rules)
        var out: [@Sendable (JobHeader) -> WireMessage] = []
        for start in stride(from: 0, to: pending.count, by: Self.perMessage) {
            let candles = Array(pending[start..<min(start + Self.perMessage, pending.count)])
            let firstBar = self.firstBar + Int64(start)
            out.append {
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
        pending = []
        return out
    }
}
