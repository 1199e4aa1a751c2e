import Testing

@testable import ATSWorker

/// Paced jobs' bars fall on the worker clock's multiples of their pace, so the jobs of one pace
/// wake at the same instants (one wake-up of the executor for all of them, not one each).
struct ClockTicksTests {
    @Test func barsFallOnMultiplesOfThePace() {
        #expect(ClockTicks.next(after: .milliseconds(0), period: .seconds(1)) == .seconds(1))
        #expect(ClockTicks.next(after: .milliseconds(999), period: .seconds(1)) == .seconds(1))
        #expect(ClockTicks.next(after: .milliseconds(1000), period: .seconds(1)) == .seconds(2))
        #expect(ClockTicks.next(after: .milliseconds(12_345), period: .milliseconds(250)) == .milliseconds(12_500))
        #expect(ClockTicks.next(after: .milliseconds(7), period: .zero) == .milliseconds(8), "at least a millisecond")
    }
}
