import ATSVenues
import Testing

/// Closed candles in order, each once, a gap found before it is traded over.
@Suite struct KlineSequencerTests {
    static func k(_ minute: Int64, closed: Bool = true) -> BinanceKline {
        let d = VenueDecimal(Int64(1))
        return BinanceKline(
            symbol: "BTCUSDT", interval: "1m", openTime: minute * 60_000, closeTime: minute * 60_000 + 59_999, open: d,
            high: d, low: d, close: d, volume: d, trades: 1, isClosed: closed)
    }

    @Test func eachClosedCandleOnceInOrderAndAGapAsksForARefill() {
        var s = KlineSequencer(length: 60_000)
        #expect(s.offer(Self.k(10, closed: false)) == .skip, "an open candle still changes")
        #expect(s.offer(Self.k(10)) == .emit)
        #expect(s.offer(Self.k(10)) == .skip, "a reconnect resends the last candle")
        #expect(s.offer(Self.k(9)) == .skip)
        #expect(s.offer(Self.k(11)) == .emit)
        // 12 and 13 were missed: fetch from 12, then 14 again.
        #expect(s.offer(Self.k(14)) == .refill(fromOpenTime: 12 * 60_000))
        #expect(s.offer(Self.k(12)) == .emit)
        #expect(s.offer(Self.k(13)) == .emit)
        #expect(s.offer(Self.k(14)) == .emit)
        // The venue had nothing for 15–16: go on from 17.
        #expect(s.offer(Self.k(17)) == .refill(fromOpenTime: 15 * 60_000))
        s.acceptGap(before: Self.k(17))
        #expect(s.offer(Self.k(17)) == .emit)
    }

    @Test func aResumedJobStartsAfterItsLastCandle() {
        var s = KlineSequencer(length: 60_000, lastOpenTime: 20 * 60_000)
        #expect(s.offer(Self.k(20)) == .skip)
        #expect(s.offer(Self.k(23)) == .refill(fromOpenTime: 21 * 60_000))
    }
}
