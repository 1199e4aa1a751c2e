import ATSShared
import ATSVenues
import Testing

@testable import ATSWorker

/// What a job on a live market sends beside its fills: the candles it traded (before each
/// checkpoint) and a curve point a minute.
struct MarketRecordingTests {
    func kline(_ openTime: Int64, _ close: String) -> BinanceKline {
        BinanceKline(
            symbol: "BTCUSDT", interval: "1s", openTime: openTime, closeTime: openTime + 999,
            open: VenueDecimal("50000.01000000")!, high: VenueDecimal("50010.00")!, low: VenueDecimal("49990.5")!,
            close: VenueDecimal(close)!, volume: VenueDecimal("0.00000000")!, trades: 0, isClosed: true)
    }

    /// The messages a recorder's next `take()` makes.
    func taken(_ recorder: inout CandleRecorder) -> [CandlesSeen] {
        recorder.take().compactMap {
            guard case .candlesSeen(let m) = $0(JobHeader(jobId: 3, epoch: 2, messageSeq: 9)) else { return nil }
            return m
        }
    }

    @Test func theRecorderSendsTheCandlesTradedSinceTheLastCheckpointInTheVenuesDecimals() throws {
        let market = MarketSource(endpoint: "local:9100", symbol: "BTCUSDT", interval: "1s")
        var recorder = CandleRecorder(market: market)
        let nothing = taken(&recorder)
        #expect(nothing.isEmpty)
        recorder.traded(kline(1_000, "50001.00000000"), bar: 7)
        recorder.traded(kline(2_000, "50002.10"), bar: 8)
        let first = taken(&recorder)
        #expect(first.count == 1)
        let m = try #require(first.first)
        let times = m.candles.map { $0.openTimeMs }
        #expect(m.firstBar == 7)
        #expect(times == [1_000, 2_000])
        #expect(m.candles[0].open == "50000.01000000" && m.candles[1].close == "50002.10")
        #expect(m.endpoint == "local:9100" && m.interval == "1s" && m.stepSize == 0, "a paper job sends no rules")
        let again = taken(&recorder)
        #expect(again.isEmpty, "each candle once")
        recorder.traded(kline(3_000, "1"), bar: 9)
        let later = taken(&recorder)
        let next = try #require(later.first)
        #expect(next.firstBar == 9 && next.candles.count == 1)
    }

    /// A run catching up days of 1-second candles sends them in pieces well below the frame
    /// limit, each numbered from its own first bar.
    @Test func manyCandlesGoInSeveralMessages() {
        var recorder = CandleRecorder(market: MarketSource(endpoint: "testnet", symbol: "BTCUSDT", interval: "1s"))
        for k in 0..<25_000 { recorder.traded(kline(Int64(k) * 1_000, "1"), bar: 100 + k) }
        let messages = taken(&recorder)
        let sizes = messages.map { $0.candles.count }
        let firstBars = messages.map { $0.firstBar }
        #expect(sizes == [10_000, 10_000, 5_000])
        #expect(firstBars == [100, 10_100, 20_100])
        let lastOpen = messages.last?.candles.last?.openTimeMs
        #expect(lastOpen == 24_999_000)
    }

    @Test func aCurvePointIsSentForCandlesOpeningOnAWholeMinute() {
        let within = CurvePoint.onTheMinute(bar: 59, openTime: 1_700_000_041_000, close: 2, equity: 3, plots: [])
        #expect(within.isEmpty)
        let point = CurvePoint.onTheMinute(bar: 60, openTime: 1_700_000_100_000, close: 2, equity: 3, plots: [1.5, 2])
        let expected = CurvePoint(barIndex: 60, timeMs: 1_700_000_100_000, close: 2, equity: 3, plots: [1.5, 2])
        #expect(point == [expected])
        let none = CurvePoint.onTheMinute(bar: -1, openTime: nil, close: 0, equity: 0, plots: [])
        #expect(none.isEmpty)
    }
}
