import ATSVenues
import Testing

/// Requests paced below the venue's limits, its reported counts taken into account, and 429 / 418
/// honoured for their Retry-After.
struct RateLimiterTests {
    static let limits = [
        RateLimiter.Limit(kind: .requestWeight, interval: "MINUTE", intervalNum: 1, limit: 100)!,
        RateLimiter.Limit(kind: .orders, interval: "SECOND", intervalNum: 10, limit: 10)!,
    ]

    @Test func limitsAreReadAsExchangeInfoWritesThem() {
        #expect(Self.limits[0].intervalMs == 60_000 && Self.limits[0].headerSuffix == "1M")
        #expect(Self.limits[1].intervalMs == 10_000 && Self.limits[1].headerSuffix == "10S")
        #expect(RateLimiter.Limit(kind: .orders, interval: "WEEK", intervalNum: 1, limit: 1) == nil)
    }

    @Test func ordersWaitForTheNextWindowBeyondTheBudget() {
        var limiter = RateLimiter(limits: Self.limits, headroom: 0.8)
        for _ in 0..<8 { #expect(limiter.admit(weight: 1, isOrder: true, nowMs: 61_000) == .send) }
        // 8 of 10 orders per 10 s (80%): the ninth waits for the window starting at 70 s.
        #expect(limiter.admit(weight: 1, isOrder: true, nowMs: 61_500) == .wait(untilMs: 70_000))
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 61_500) == .send, "a query is not an order")
        #expect(limiter.admit(weight: 1, isOrder: true, nowMs: 70_000) == .send)
    }

    @Test func theVenuesCountsRaiseOursAndA429BacksOff() {
        var limiter = RateLimiter(limits: Self.limits, headroom: 0.8)
        limiter.observed(status: 200, headers: [("x-mbx-used-weight-1m", "79")], nowMs: 5_000)
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 5_100) == .send)
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 5_200) == .wait(untilMs: 60_000), "80 of 100 used")
        limiter.observed(status: 429, headers: [("Retry-After", "7")], nowMs: 61_000)
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 62_000) == .wait(untilMs: 68_000))
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 68_000) == .send)
    }

    @Test func a418HaltsEverythingUntilTheBanEnds() {
        var limiter = RateLimiter(limits: Self.limits)
        limiter.observed(status: 418, headers: [("Retry-After", "120")], nowMs: 1_000)
        #expect(limiter.admit(weight: 1, isOrder: false, nowMs: 2_000) == .banned(untilMs: 121_000))
        #expect(limiter.admit(weight: 1, isOrder: true, nowMs: 120_999) == .banned(untilMs: 121_000))
        #expect(limiter.admit(weight: 1, isOrder: true, nowMs: 121_000) == .send)
    }
}
