import ATSVenues
import Testing

/// Candles made from trades as the venue makes klines: aligned on the epoch, exact decimal
/// volume, quiet intervals flat at the last close, only what is over given out.
struct TradeCandlesTests {
    func d(_ s: String) -> VenueDecimal { VenueDecimal(s)! }

    @Test func lengthsAreWholeUnitsThatDivideADay() {
        #expect(TradeCandles.length(of: "5s") == 5_000 && TradeCandles.length(of: "1s") == 1_000)
        #expect(TradeCandles.length(of: "90m") == 5_400_000 && TradeCandles.length(of: "1d") == 86_400_000)
        for bad in ["7s", "0s", "1w", "2d", "s", "5", "-5s", "5x", "99999999999999999d"] {
            #expect(TradeCandles.length(of: bad) == nil, "\(bad)")
        }
    }

    @Test func tradesBecomeCandlesWithFlatOnesForQuietIntervals() throws {
        var c = try #require(TradeCandles(symbol: "BTCUSDT", interval: "5s"))
        #expect(c.add(price: d("100.10"), quantity: d("0.50"), timeMs: 10_001).isEmpty)
        #expect(c.add(price: d("101.00"), quantity: d("0.25"), timeMs: 12_000).isEmpty)
        #expect(c.add(price: d("99.50"), quantity: d("1.00"), timeMs: 14_999).isEmpty)
        // The next trade is two candles later: the first closes, the quiet one is flat.
        let closed = c.add(price: d("102"), quantity: d("0.1"), timeMs: 25_000)
        #expect(closed.map(\.openTime) == [10_000, 15_000, 20_000])
        let first = closed[0]
        #expect(first.open == d("100.10") && first.high == d("101.00") && first.low == d("99.50"))
        #expect(first.close == d("99.50") && first.volume.description == "1.75" && first.trades == 3)
        #expect(first.closeTime == 14_999 && first.isClosed)
        #expect(closed[1].open == d("99.50") && closed[1].high == d("99.50") && closed[1].volume == .zero)
        #expect(closed[2].close == d("99.50") && closed[2].trades == 0)
        // Not over yet at 29.999 s; over at 30 s, and the quiet candles after it as time passes.
        #expect(c.close(through: 29_999).isEmpty)
        let later = c.close(through: 41_000)
        #expect(later.map(\.openTime) == [25_000, 30_000, 35_000])
        #expect(later[0].close == d("102") && later[1].close == d("102") && later[2].volume == .zero)
        #expect(c.close(through: 41_500).isEmpty, "each candle once")
        // A trade after the quiet stretch: the flat candles up to it, then its own.
        let resumed = c.add(price: d("103"), quantity: d("1"), timeMs: 52_000)
        #expect(resumed.map(\.openTime) == [40_000, 45_000])
        #expect(c.close(through: 55_000).map(\.open) == [d("103")])
    }
}
