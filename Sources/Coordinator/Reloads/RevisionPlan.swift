import ATSShared

/// What a job resumed from a checkpoint must replay so that it trades exactly as its stored facts
/// say it did, then takes the newest definition: pure, from what the database holds.
///
/// Facts: the checkpoint (cursor, revision), every revision with the bar where it took effect
/// (nil: not yet), and the bar of the last fill stored after the checkpoint. Revisions that took
/// effect after the checkpoint are applied again at their bars. The newest revision, if it has not
/// taken effect, is applied at the replay horizon: the first bar after every stored fact, so no
/// stored fill is ever made again under other parameters. A revision that never took effect and
/// is older than one that did was superseded: it never runs.
public struct RevisionPlan: Sendable, Equatable {
    public struct Revision: Sendable, Equatable {
        public var revision: Int64
        public var strategyConfig: [UInt8]
        public var effectiveBar: Int64?

        public init(revision: Int64, strategyConfig: [UInt8], effectiveBar: Int64?) {
            self.revision = revision
            self.strategyConfig = strategyConfig
            self.effectiveBar = effectiveBar
        }
    }

    public var steps: [RevisionStep]
    /// The first bar after every stored fact: live reloads wait until the replay gets there.
    public var replayUntilBar: Int64

    /// - Parameters:
    ///   - checkpoint: the checkpoint resumed from (nil: the job starts at bar 0).
    ///   - revisions: every revision of the job's definition, in any order.
    ///   - lastStoredFillBar: the bar of the last fill stored at or after the checkpoint's next
    ///     fill sequence number (nil: none).
    public init(checkpoint: (cursor: Int64, revision: Int64)?, revisions: [Revision], lastStoredFillBar: Int64?) {
        let base = checkpoint?.cursor ?? 0
        let baseRevision = checkpoint?.revision ?? 0
        var horizon = max(base, lastStoredFillBar.map { $0 + 1 } ?? base)
        var steps: [RevisionStep] = []
        var inEffect = baseRevision
        let later = revisions.filter { $0.revision > baseRevision }.sorted { $0.revision < $1.revision }
        for r in later {
            guard let bar = r.effectiveBar else { continue }
            // A revision recorded before the checkpoint's cursor would be in the checkpoint; the
            // replay cannot go back, so it applies at the cursor.
            let at = max(bar, base)
            steps.append(RevisionStep(revision: r.revision, atBar: at, strategyConfig: r.strategyConfig))
            horizon = max(horizon, at)
            inEffect = r.revision
        }
        if let newest = later.last, newest.effectiveBar == nil, newest.revision > inEffect {
            steps.append(RevisionStep(revision: newest.revision, atBar: horizon, strategyConfig: newest.strategyConfig))
        }
        self.steps = steps
        replayUntilBar = horizon
    }
}
