import ATSWorker
import Testing

/// The worker's lease arithmetic: valid until a confirmation's send time plus the lease timeout,
/// less the margin; fenced for good after a drain's deadline; and a lapse stays a lapse for the
/// jobs that ran through it.
struct LeaseClockTests {
    @Test func validFromTheSendTimeOfWhatTheCoordinatorRenewed() {
        var clock = LeaseClock()
        #expect(!clock.isValid(nowMs: 0), "not before the first confirmation")
        clock.confirm(sentMs: 100, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 150)
        #expect(clock.isValid(nowMs: 899))
        #expect(!clock.isValid(nowMs: 900))
        // An older echo arriving late does not shorten it.
        clock.confirm(sentMs: 50, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 160)
        #expect(clock.validUntilMs == 900)
    }

    /// What a job waiting for its next event sleeps at most before it looks at its lease again.
    @Test func theTimeLeftRunsOutAtTheLapse() {
        var clock = LeaseClock()
        #expect(clock.remainingMs(nowMs: 0) == 0, "never confirmed: nothing left")
        clock.confirm(sentMs: 100, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 150)
        #expect(clock.remainingMs(nowMs: 150) == 750)
        #expect(clock.remainingMs(nowMs: 899) == 1)
        #expect(clock.remainingMs(nowMs: 900) == 0 && !clock.isValid(nowMs: 900))
        #expect(clock.remainingMs(nowMs: 5_000) == 0)
        clock.fence(nowMs: 300)
        #expect(clock.remainingMs(nowMs: 300) == 0)
    }

    @Test func aLapseFencesTheJobsThatRanThroughItEvenAfterAWelcome() {
        var clock = LeaseClock()
        clock.confirm(sentMs: 0, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 10)
        let job = clock.generation
        #expect(clock.isValid(nowMs: 500, generation: job))
        // The link was down past the lease: a reconnect's welcome makes the clock valid again,
        // but not for the job that ran through the lapse (its lease may be on another worker).
        clock.confirm(sentMs: 1_500, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 1_510)
        #expect(clock.isValid(nowMs: 1_600))
        #expect(!clock.isValid(nowMs: 1_600, generation: job))
        #expect(clock.isValid(nowMs: 1_600, generation: clock.generation), "a job assigned now holds its lease")
        // A confirmation in time keeps the generation.
        let now = clock.generation
        clock.confirm(sentMs: 1_700, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 1_800)
        #expect(clock.generation == now)
    }

    @Test func aFenceIsForGood() {
        var clock = LeaseClock()
        clock.confirm(sentMs: 0, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 0)
        let job = clock.generation
        clock.fence(nowMs: 100)
        #expect(!clock.isValid(nowMs: 100))
        clock.confirm(sentMs: 200, leaseTimeoutMs: 1_000, marginMs: 200, nowMs: 210)
        #expect(!clock.isValid(nowMs: 300) && !clock.isValid(nowMs: 300, generation: job))
    }
}
