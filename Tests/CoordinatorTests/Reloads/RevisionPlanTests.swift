import ATSShared
import Testing

@testable import ATSCoordinator

/// What a resumed job replays: revisions at the bars where they took effect, the newest one at
/// the first bar after every stored fact, superseded ones never.
struct RevisionPlanTests {
    func rev(_ n: Int64, at bar: Int64?) -> RevisionPlan.Revision {
        .init(revision: n, strategyConfig: Array("{\"r\":\(n)}".utf8), effectiveBar: bar)
    }

    func steps(_ plan: RevisionPlan) -> [String] { plan.steps.map { "\($0.revision)@\($0.atBar)" } }

    @Test func aFreshJobStartsWithItsNewestRevisionAtBarZero() {
        let plan = RevisionPlan(checkpoint: nil, revisions: [rev(1, at: nil)], lastStoredFillBar: nil)
        #expect(steps(plan) == ["1@0"] && plan.replayUntilBar == 0)
        // Reloaded twice before it ever ran: only the newest runs.
        let reloaded = RevisionPlan(
            checkpoint: nil, revisions: [rev(3, at: nil), rev(1, at: nil), rev(2, at: nil)], lastStoredFillBar: nil)
        #expect(steps(reloaded) == ["3@0"])
    }

    /// The reported defect: stopped at bar 5,000 under 10/30, reloaded to 50/200, started. The
    /// resumed run must switch at the checkpoint's bar, not keep the checkpoint's strategy.
    @Test func aReloadWhileStoppedTakesEffectWhereTheJobResumes() {
        let plan = RevisionPlan(
            checkpoint: (cursor: 5_000, revision: 1), revisions: [rev(1, at: 0), rev(2, at: nil)],
            lastStoredFillBar: nil)
        #expect(steps(plan) == ["2@5000"] && plan.replayUntilBar == 5_000)
    }

    /// A failover before the next checkpoint: revision 2 took effect at 1,300, after the checkpoint
    /// at 1,000. The replay runs revision 1 up to 1,300 and switches there, as the stored fills did.
    @Test func aRevisionThatTookEffectAfterTheCheckpointIsReplayedAtItsBar() {
        let plan = RevisionPlan(
            checkpoint: (cursor: 1_000, revision: 1), revisions: [rev(1, at: 0), rev(2, at: 1_300)],
            lastStoredFillBar: 1_450)
        #expect(steps(plan) == ["2@1300"])
        #expect(plan.replayUntilBar == 1_451, "live reloads wait for the replay to pass every stored fill")
    }

    /// A reload whose effect was never stored (the worker died first): fills up to bar 1,450 were
    /// stored under revision 1, so the new revision starts after them, never under them.
    @Test func anUnappliedRevisionStartsAfterTheLastStoredFill() {
        let plan = RevisionPlan(
            checkpoint: (cursor: 1_000, revision: 1), revisions: [rev(1, at: 0), rev(2, at: nil)],
            lastStoredFillBar: 1_450)
        #expect(steps(plan) == ["2@1451"] && plan.replayUntilBar == 1_451)
    }

    @Test func revisionsInTheCheckpointAreNotReplayedAndSupersededOnesNeverRun() {
        let plan = RevisionPlan(
            checkpoint: (cursor: 2_000, revision: 2),
            revisions: [rev(1, at: 0), rev(2, at: 1_500), rev(3, at: nil), rev(4, at: 2_600), rev(5, at: nil)],
            lastStoredFillBar: 2_100)
        #expect(steps(plan) == ["4@2600", "5@2600"], "3 was superseded by 4 before it took effect")
        #expect(plan.replayUntilBar == 2_600)
        let settled = RevisionPlan(
            checkpoint: (cursor: 2_000, revision: 2), revisions: [rev(1, at: 0), rev(2, at: 1_500)],
            lastStoredFillBar: nil)
        #expect(settled.steps.isEmpty && settled.replayUntilBar == 2_000)
    }

    @Test func aFreshReplayWithoutACheckpointReproducesEveryRecordedSwitch() {
        let plan = RevisionPlan(
            checkpoint: nil, revisions: [rev(1, at: 0), rev(2, at: 700), rev(3, at: nil)], lastStoredFillBar: 900)
        #expect(steps(plan) == ["1@0", "2@700", "3@901"])
    }
}
