import ATSEngine
import ATSShared
import Foundation
import Logging
import NIOPosix

/// Runs one assigned job: loads its bars, restores its checkpoint (only one this worker can
/// reproduce bit for bit), replays the revisions of its definition at the bars where they took
/// effect, runs the engine in chunks on the compute threads (never on the networking threads), and
/// streams fills, checkpoints and progress through the outbox. Between chunks it honours stop and
/// reload requests.
struct JobRunner: Sendable {
    let assignment: AssignJob
    let control: JobControl
    let lease: LeaseGuard
    /// The lease generation the assignment was accepted under: a lapse after it stays a lapse for
    /// this run (``LeaseClock/generation``), even across a reconnect's welcome.
    let generation: Int
    let outbox: Outbox
    let cache: BarCache
    let pool: NIOThreadPool
    let registry: Registry
    let fillBatchSize: Int
    let metrics: WorkerMetrics
    let logger: Logger
    /// How often it reports progress, and how much wall-clock time between a paced job's
    /// checkpoints (a failover rewinds at most that much of it): the worker's, shared by its jobs.
    var cadence = JobCadence()

    /// The worker's clock (the lease guard's): pacing, time-based checkpoints, batching.
    var clock: any JobClock { lease.time }

    /// Bars per compute chunk: long enough to amortise the hop, short enough to react quickly.
    static let chunk = 50_000
    /// Steps this short run where the job is, not on a compute thread.
    static let inlineBars = 64

    var output: JobOutput {
        JobOutput(
            jobId: assignment.jobId, epoch: assignment.epoch, outbox: outbox, metrics: metrics,
            fillBatchSize: fillBatchSize)
    }

    func run() async {
        do {
            try await execute()
        } catch {
            logger.warning("job failed", metadata: ["error": "\(error)"])
            await output.failed(error)
        }
    }

    private func send(_ make: @escaping @Sendable (JobHeader) -> WireMessage) async { await output.send(make) }

    /// Why a checkpoint cannot be resumed here, or nil.
    static func provenanceProblem(_ a: AssignJob, dataHash: String) -> String? {
        guard !a.checkpoint.isEmpty else { return nil }
        if !a.checkpointEngine.isEmpty && a.checkpointEngine != ReproducibilityStamp.engineVersion {
            return "the checkpoint was written by \(a.checkpointEngine) and this worker runs "
                + "\(ReproducibilityStamp.engineVersion): it cannot reproduce the job bit for bit. Run the job on a "
                + "worker of that version, or start it again from the beginning as a new job"
        }
        if !a.checkpointDataHash.isEmpty && a.checkpointDataHash != dataHash {
            return "the data file differs from the one the checkpoint was made on (content hash "
                + "\(a.checkpointDataHash), this worker's file \(dataHash)): resuming would not reproduce the job"
        }
        return nil
    }

    private func execute() async throws {
        let spec = try JobSpec.decode(json: Data(assignment.spec))
        let run = try spec.validate(with: registry)
        let loaded = try await cache.bars(spec.data)
        let bars = loaded.bars
        if let problem = Self.provenanceProblem(assignment, dataHash: loaded.hash) {
            throw RunnerError(problem)
        }
        var session = try registry.makeSession(
            run, checkpoint: assignment.checkpoint.isEmpty ? nil : Data(assignment.checkpoint))
        var revisions = RevisionCursor(assignment)
        var revision = revisions.revision
        let total = bars.count
        await send { .started(JobStarted(header: $0, barsTotal: Int64(total))) }
        metrics.jobsStarted.increment()
        logger.info(
            "job started",
            metadata: ["bars": "\(total)", "from": "\(session.cursor)", "revision": "\(revision)"])

        let interval = bars.barInterval
        var lastCheckpoint = session.cursor
        var lastCheckpointAt = clock.elapsed - cadence.phase(of: assignment.jobId)
        var lastProgress = clock.elapsed
        let paced = spec.mode == .paper
        let pace: Duration = .milliseconds(spec.paperPaceMs > 0 ? Int64(spec.paperPaceMs) : interval)
        var unsent: [Fill] = []
        var oldestUnsent = clock.elapsed
        let stride = CurvePoint.stride(total: total)
        var curve: [CurvePoint] = []
        let hash = loaded.hash

        /// Switches the strategy to `config` before the bar at the cursor; the fills made before
        /// go out first, under the revision they were made under.
        func apply(_ next: Int64, parameters: Parameters) async throws {
            await flush(&unsent, revision: revision)
            try session.replaceStrategy(parameters: parameters)
            revision = next
            let bar = Int64(session.cursor)
            await send { .reloadApplied(ReloadApplied(header: $0, revision: next, bar: bar)) }
            logger.info("definition revision in effect", metadata: ["revision": "\(next)", "bar": "\(bar)"])
        }

        while session.cursor < total {
            if !lease.isValid(generation: generation) {
                // Self-fencing: the lease may lapse before it can be renewed, and then another
                // worker may get the job. Stop first; the checkpoint and the release go out when
                // the coordinator is back (ignored if the job has moved on meanwhile).
                logger.fenced("job", ["cursor": "\(session.cursor)"])
                await flush(&unsent, revision: revision)
                await sendProgress(session, bars: bars, curve: &curve)
                try await release(session, revision: revision, hash: hash)
                return
            }
            switch control.request {
            case .stop, .halt:
                await flush(&unsent, revision: revision)
                await sendProgress(session, bars: bars, curve: &curve)
                try await checkpoint(session, revision: revision, hash: hash)
                let stats = try JSONCoding.encoder().encode(session.statistics(barInterval: interval))
                await send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: Array(stats))) }
                logger.info("job stopped", metadata: ["cursor": "\(session.cursor)"])
                metrics.finished("stopped")
                return
            case .release:
                await flush(&unsent, revision: revision)
                await sendProgress(session, bars: bars, curve: &curve)
                try await release(session, revision: revision, hash: hash)
                logger.info("job released", metadata: ["cursor": "\(session.cursor)"])
                metrics.finished("released")
                return
            case .none:
                break
            }
            // The replay's revisions, each at its bar; then live reloads, once the replay has
            // passed every stored fact (before, they would change fills already stored).
            while let due = try revisions.nextDue(
                at: session.cursor, control: control, strategy: run.strategy.descriptor)
            {
                try await apply(due.revision, parameters: due.parameters)
            }
            // Chunks end on checkpoint boundaries, so a resumed job checkpoints at the same bars,
            // and at the next replayed revision.
            let nextCheckpoint = (session.cursor / spec.checkpointEvery + 1) * spec.checkpointEvery
            let nextStep = revisions.nextStepBar ?? total
            // A paced job's replay of bars already traded runs in chunks, as a backtest does, up to
            // where pacing starts again.
            let pacing = paced && session.cursor >= revisions.replayUntilBar
            let end =
                pacing
                ? session.cursor + 1
                : min(
                    total, session.cursor + Self.chunk, nextCheckpoint, max(nextStep, session.cursor + 1),
                    paced ? max(revisions.replayUntilBar, session.cursor + 1) : total)
            let work: @Sendable () -> (any BacktestSession, [CurvePoint]) = { [session] in
                var s = session
                var points: [CurvePoint] = []
                // Stops at each sampled bar to read the equity (a thousand stops per job at most).
                while s.cursor < end {
                    s.run(bars, until: min(end, (s.cursor / stride + 1) * stride))
                    if s.cursor % stride == 0 || s.cursor == total {
                        let i = s.cursor - 1
                        points.append(
                            CurvePoint(
                                barIndex: Int64(i), timeMs: bars.time[i], close: bars.close[i],
                                equity: s.wallet.equity(at: bars.close[i]), plots: s.plotNow()))
                    }
                }
                return (s, points)
            }
            // A paced bar or a short step takes microseconds: run it here rather than hop to a
            // compute thread and back (two thread switches a bar, for thousands of paced jobs).
            let (ran, points) =
                end - session.cursor <= Self.inlineBars ? work() : try await pool.runIfActive(work)
            metrics.bars.increment(by: ran.cursor - session.cursor)
            session = ran
            curve += points
            let fills = session.takeFills()
            metrics.fills.increment(by: fills.count)
            if !fills.isEmpty {
                if unsent.isEmpty { oldestUnsent = clock.elapsed }
                unsent += fills
            }
            // Paper jobs make a fill or two per bar: they go out in batches at least every 100 ms
            // (one message per fill would swamp the coordinator); backtests at every chunk.
            if !paced || unsent.count >= fillBatchSize || clock.elapsed - oldestUnsent >= .milliseconds(100) {
                await flush(&unsent, revision: revision)
            }
            let byBars =
                session.cursor - lastCheckpoint >= spec.checkpointEvery || session.cursor % spec.checkpointEvery == 0
            let byTime =
                paced && session.cursor != lastCheckpoint
                && clock.elapsed - lastCheckpointAt >= cadence.checkpointInterval
            if byBars || byTime {
                // The fills and curve points before a checkpoint go out before it: a job resumed
                // from it must not have lost any.
                await flush(&unsent, revision: revision)
                await sendProgress(session, bars: bars, curve: &curve)
                lastProgress = clock.elapsed
                try await checkpoint(session, revision: revision, hash: hash)
                lastCheckpoint = session.cursor
                lastCheckpointAt = clock.elapsed
            }
            if clock.elapsed - lastProgress >= cadence.progressInterval {
                lastProgress = clock.elapsed
                await sendProgress(session, bars: bars, curve: &curve)
            }
            // A replay of bars already traded catches up at full speed.
            if paced && session.cursor >= revisions.replayUntilBar {
                try await waitForNextBar(pace, generation: generation)
            }
        }
        await flush(&unsent, revision: revision)
        await sendProgress(session, bars: bars, curve: &curve)
        if lastCheckpoint != session.cursor { try await checkpoint(session, revision: revision, hash: hash) }
        let stats = try JSONCoding.encoder().encode(session.statistics(barInterval: interval))
        await send { .finished(JobFinished(header: $0, outcome: .completed, statistics: Array(stats))) }
        logger.info("job completed", metadata: ["fills": "\(session.nextFillSeq)"])
        metrics.finished("completed")
    }

    /// How far the job is, with the curve points not sent yet.
    private func sendProgress(_ session: any BacktestSession, bars: BarSeries, curve: inout [CurvePoint]) async {
        let done = Int64(session.cursor)
        let total = Int64(bars.count)
        let equity = session.cursor > 0 ? session.wallet.equity(at: bars.close[session.cursor - 1]) : 0
        let points = curve
        curve.removeAll(keepingCapacity: true)
        let plots = points.isEmpty ? [] : session.plots
        await send {
            .progress(
                JobProgress(
                    header: $0, barsDone: done, barsTotal: total, equity: equity, curve: points, plots: plots))
        }
    }

    /// Paper pacing: waits a bar's time, waking at the lease's lapse (the job fences then, not a
    /// bar later) and at least every `requestCheck` for stop and reload requests. A thousand paced
    /// jobs on one worker wake once a bar each (of a second or less), not twenty times, and at the
    /// same instants: bars fall on the worker clock's multiples of the pace (``ClockTicks``),
    /// so the jobs of one pace are woken together, not each on a timer of its own.
    private func waitForNextBar(_ pace: Duration, generation: Int) async throws {
        let deadline = ClockTicks.next(after: clock.elapsed, period: pace)
        while clock.elapsed < deadline {
            if control.request != .none || control.hasReload || !lease.isValid(generation: generation) { return }
            let step = min(Self.requestCheck, deadline - clock.elapsed, max(lease.remaining(), .milliseconds(10)))
            try await clock.sleep(for: step)
        }
    }

    /// The longest a paced job takes to notice a stop or reload request between two bars.
    static let requestCheck: Duration = .seconds(1)

    private func flush(_ fills: inout [Fill], revision: Int64) async { await output.flush(&fills, revision: revision) }

    /// Checkpoints and gives the job back, for another worker (or this one) to resume.
    private func release(_ session: any BacktestSession, revision: Int64, hash: String) async throws {
        try await checkpoint(session, revision: revision, hash: hash)
        await send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
    }

    private func checkpoint(_ session: any BacktestSession, revision: Int64, hash: String) async throws {
        try await output.checkpoint(
            state: try session.checkpoint(), cursor: session.cursor, nextFillSeq: session.nextFillSeq,
            revision: revision, dataHash: hash)
    }
}

/// Why a job cannot run here, in words for its operator.
struct RunnerError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
