import ATSEngine
import Foundation
import Testing

struct TradeSummaryTests {
    @Test func percentilesAreNearestRankOverTheTrades() {
        // 1…20: nearest rank p5 = 1st, p25 = 5th, p50 = 10th, p75 = 15th, p95 = 19th.
        let s = TradeSummary(pnls: (1...20).reversed().map { Double($0) })
        #expect(s.pnlPercentiles == [1, 5, 10, 15, 19])
        #expect(s.best == 20 && s.worst == 1)
        #expect(TradeSummary(trades: []).pnlPercentiles.isEmpty)
        #expect(TradeSummary(pnls: [-3]).pnlPercentiles == [-3, -3, -3, -3, -3])
    }

    @Test func theNoTradeBaselineHoldsTheStartingBalances() {
        let b = TradeSummary.noTradeBaseline(.init(cash: 1_000, base: 2), closes: [10, 12.5, 9])
        #expect(b == [1_020, 1_025, 1_018])
        #expect(TradeSummary.noTradeBaseline(.init(cash: 500), closes: [1, 2]) == [500, 500])
    }
}
