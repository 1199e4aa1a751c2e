import ATSEngine
import ATSShared
import Testing

@testable import ATSWorker

/// A live job's risk limits, event by event (docs/LIVE.md, "Risk").
@Suite struct RiskGateTests {
    static let day: Int64 = 86_400_000

    @Test func ordersBeyondTheNotionalOrThePositionAreRefused() {
        var gate = RiskGate(limits: RiskLimits(maxOrderNotional: 1_000, maxPosition: 0.05))
        let r1 = gate.check(side: .buy, quantity: 0.01, price: 50_000, position: 0, nowMs: 1)
        #expect(r1 == nil)
        #expect(
            gate.check(side: .buy, quantity: 0.03, price: 50_000, position: 0, nowMs: 2)
                == .orderNotional(notional: 1_500, limit: 1_000))
        // 0.045 + 0.01 would hold 0.055 BTC.
        guard
            case .position(let after, 0.05)? = gate.check(
                side: .buy, quantity: 0.01, price: 50_000, position: 0.045, nowMs: 3)
        else {
            Issue.record("a buy past max_position must be refused")
            return
        }
        #expect(abs(after - 0.055) < 1e-12)
        // Selling never grows a spot position.
        let r2 = gate.check(side: .sell, quantity: 0.01, price: 50_000, position: 0.045, nowMs: 4)
        #expect(r2 == nil)
    }

    /// A filled entry's bracket leg, or its exit at market, selling what the job holds goes out
    /// past the notional and per-minute limits (it protects a position), and counts; not when
    /// halted, and not for more than the job holds.
    @Test func anExitThatSellsWhatTheJobHoldsPassesTheLimitsButNotAHalt() {
        var gate = RiskGate(limits: RiskLimits(maxOrderNotional: 100, maxOrdersPerMinute: 1))
        let first = gate.check(side: .sell, quantity: 1, price: 500, position: 1, nowMs: 0, exit: true)
        let second = gate.check(side: .sell, quantity: 1, price: 500, position: 1, nowMs: 1, exit: true)
        #expect(first == nil && second == nil)
        let entry = gate.check(side: .buy, quantity: 0.1, price: 500, position: 0, nowMs: 2)
        #expect(entry == .ordersPerMinute(limit: 1), "the exits counted")
        let more = gate.check(side: .sell, quantity: 2, price: 500, position: 1, nowMs: 3, exit: true)
        #expect(more == .orderNotional(notional: 1_000, limit: 100), "more than the job holds is no exit")
        gate.halt("test")
        let halted = gate.check(side: .sell, quantity: 1, price: 500, position: 1, nowMs: 4, exit: true)
        #expect(halted == .halted("test"))
    }

    @Test func theMinutesOrdersAreCountedOnTheVenuesClock() {
        var gate = RiskGate(limits: RiskLimits(maxOrdersPerMinute: 2))
        let r3 = gate.check(side: .buy, quantity: 1, price: 1, position: 0, nowMs: 0)
        #expect(r3 == nil)
        let r4 = gate.check(side: .buy, quantity: 1, price: 1, position: 0, nowMs: 10_000)
        #expect(r4 == nil)
        let r5 = gate.check(side: .buy, quantity: 1, price: 1, position: 0, nowMs: 59_999)
        #expect(r5 == .ordersPerMinute(limit: 2))
        // The first order is a minute old: room for one more.
        let r6 = gate.check(side: .buy, quantity: 1, price: 1, position: 0, nowMs: 60_000)
        #expect(r6 == nil)
        let r7 = gate.check(side: .buy, quantity: 1, price: 1, position: 0, nowMs: 60_001)
        #expect(r7 == .ordersPerMinute(limit: 2))
    }

    @Test func theDailyLossLimitOnlyReducesUntilTheNextUTCDay() {
        var gate = RiskGate(limits: RiskLimits(maxDailyLoss: 100))
        let r8 = gate.observe(equity: 1_000, nowMs: 5 * Self.day + 1)
        #expect(r8 == nil)
        let r9 = gate.observe(equity: 920, nowMs: 5 * Self.day + 2)
        #expect(r9 == nil)
        let r10 = gate.observe(equity: 900, nowMs: 5 * Self.day + 3)
        #expect(r10 == .reducing)
        let r11 = gate.check(side: .buy, quantity: 0.01, price: 50_000, position: 0.02, nowMs: 0)
        #expect(r11 == .reducing)
        // A sell larger than the position would open a short: refused; a sell within it reduces.
        let r12 = gate.check(side: .sell, quantity: 0.03, price: 50_000, position: 0.02, nowMs: 0)
        #expect(r12 == .reducing)
        let r13 = gate.check(side: .sell, quantity: 0.02, price: 50_000, position: 0.02, nowMs: 0)
        #expect(r13 == nil)
        // Recovering within the day changes nothing; a new day takes a new baseline.
        let r14 = gate.observe(equity: 1_050, nowMs: 5 * Self.day + 4)
        #expect(r14 == nil)
        #expect(gate.state == .reducing)
        let r15 = gate.observe(equity: 880, nowMs: 6 * Self.day)
        #expect(r15 == .active)
        let r16 = gate.observe(equity: 781, nowMs: 6 * Self.day + 1)
        #expect(r16 == nil)
        let r17 = gate.observe(equity: 780, nowMs: 6 * Self.day + 2)
        #expect(r17 == .reducing)
    }

    @Test func rejectionsInARowHaltTheJobAndAnAcceptanceResetsTheCount() {
        var gate = RiskGate(limits: RiskLimits(maxConsecutiveRejects: 3))
        let r18 = gate.venueRejected()
        #expect(!r18)
        let r19 = gate.venueRejected()
        #expect(!r19)
        gate.venueAccepted()
        let r20 = gate.venueRejected()
        #expect(!r20)
        let r21 = gate.venueRejected()
        #expect(!r21)
        let r22 = gate.venueRejected()
        #expect(r22)
        #expect(gate.state == .halted)
        guard case .halted? = gate.check(side: .sell, quantity: 1, price: 1, position: 5, nowMs: 0) else {
            Issue.record("a halted job places nothing")
            return
        }
        // Halting failed the job; started again by an operator, it begins active.
        gate.resume(limits: RiskLimits(maxConsecutiveRejects: 3))
        #expect(gate.state == .active && gate.consecutiveRejects == 0)
    }

    @Test func limitsAreValidatedWithTheirField() throws {
        var limits = RiskLimits()
        try limits.set("max_position", "0.05")
        try limits.set("max_orders_per_minute", "10")
        #expect(limits.maxPosition == 0.05 && limits.maxOrdersPerMinute == 10)
        #expect(limits.summary == "max_position=0.05 max_orders_per_minute=10")
        #expect(throws: SpecError.self) { try limits.set("max_leverage", "3") }
        #expect(throws: SpecError.self) { try limits.set("max_orders_per_minute", "1.5") }
        #expect(RiskLimits(maxDailyLoss: -1).problem()?.field == "risk.max_daily_loss")
        #expect(RiskLimits(maxConsecutiveRejects: 0).problem()?.field == "risk.max_consecutive_rejects")
        #expect(RiskLimits(maxOrderNotional: .infinity).problem() != nil)
    }
}
