import ATSEngine
import ATSShared
import Foundation

/// Which revision of its definition a job runs at each bar: the checkpoint's, then the
/// assignment's schedule (revisions that took effect before, each replayed at its bar), then live
/// reloads, once the replay has passed every stored fact (before, they would change fills already
/// stored). Pure; the job runner and the simulator's jobs both step it.
public struct RevisionCursor: Sendable {
    /// The revision in effect.
    public private(set) var revision: Int64
    private var steps: ArraySlice<RevisionStep>
    /// The first bar after every stored fact.
    public let replayUntilBar: Int

    public init(_ a: AssignJob) {
        // The checkpoint's revision; without one, the schedule's first step (bar 0) sets it, or
        // the spec's own revision for an assignment that carries none.
        revision =
            a.checkpoint.isEmpty ? (a.schedule.first?.atBar == 0 ? 0 : a.specRevision) : a.checkpointRevision
        steps = a.schedule[...]
        replayUntilBar = Int(a.replayUntilBar)
    }

    /// The next revision to apply before the bar at `cursor`, if any (call until nil); `live`
    /// hands over a reload asked for since, newer than the revision it is given.
    public mutating func next(
        at cursor: Int, live: (Int64) -> (revision: Int64, config: [UInt8])?
    ) -> (revision: Int64, config: [UInt8])? {
        while let step = steps.first, step.atBar <= cursor {
            steps.removeFirst()
            if step.revision > revision {
                revision = step.revision
                return (step.revision, step.strategyConfig)
            }
        }
        if steps.isEmpty, cursor >= replayUntilBar, let reload = live(revision), reload.revision > revision {
            revision = reload.revision
            return reload
        }
        return nil
    }

    /// The bar of the next replayed revision, where a chunk must end.
    public var nextStepBar: Int? { steps.first.map { Int($0.atBar) } }

    /// Whether a live reload is waiting only for the replay (so pacing must not wait).
    public func isReplaying(at cursor: Int) -> Bool { !steps.isEmpty || cursor < replayUntilBar }
}

extension RevisionCursor {
    /// The revision due before the bar at `cursor` — replayed, or a live reload once the replay is
    /// past — with its strategy parameters validated.
    mutating func nextDue(at cursor: Int, control: JobControl, strategy: ComponentDescriptor) throws -> (
        revision: Int64, parameters: Parameters
    )? {
        guard
            let due = next(at: cursor, live: { control.takeReload(after: $0).map { ($0.revision, $0.config) } })
        else { return nil }
        let values = try JSONCoding.decoder().decode([String: ParameterValue].self, from: Data(due.config))
        return (due.revision, try strategy.validate(values))
    }
}
