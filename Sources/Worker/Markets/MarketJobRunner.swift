import ATSEngine
import ATSShared
import ATSVenueConnector
import ATSVenues
import Foundation
import Logging

/// Runs a paper job on a live market: the job's strategy trades the simulated exchange on each
/// closed candle of the worker's shared stream (``MarketFeed``), in order and each once; its fills
/// go out after each candle, its progress and checkpoints at the worker's ``JobCadence``. It waits on events — a candle, a stop or reload request, and a lease check every
/// `leaseCheck` — so a thousand idle jobs cost next to nothing. A job on a live market never
/// completes: it runs until stopped, released or fenced.
struct MarketJobRunner: Sendable {
    let assignment: AssignJob
    let control: JobControl
    let lease: LeaseGuard
    let generation: Int
    let output: JobOutput
    let feed: MarketFeed
    let registry: Registry
    let logger: Logger
    var cadence = JobCadence()
    /// How often an idle job looks at its lease (well inside the lease's margin).
    var leaseCheck: Duration = .seconds(1)

    var clock: any JobClock { lease.time }

    func run() async {
        do {
            try await execute()
        } catch {
            logger.warning("job failed", metadata: ["error": "\(error)"])
            await output.failed(error)
        }
    }

    private func execute() async throws {
        let spec = try JobSpec.decode(json: Data(assignment.spec))
        let run = try spec.validate(with: registry)
        guard let market = spec.market, let length = BinanceKline.length(of: market.interval) else {
            throw RunnerError("the job names no live market")
        }
        let restored = assignment.checkpoint.isEmpty ? nil : try MarketCheckpoint.decode(assignment.checkpoint)
        var session = try registry.makeSession(run, checkpoint: restored?.engine)
        var lastOpenTime = restored?.lastOpenTime
        var sequencer = KlineSequencer(length: length, lastOpenTime: lastOpenTime)
        var revisions = RevisionCursor(assignment)
        var revision = revisions.revision

        let subscription = try await feed.subscribe(market)
        let filler = KlineGapFiller(
            symbol: market.symbol, interval: market.interval, rest: subscription.rest, logger: logger)
        let clock = self.clock
        let events = MarketEvents(
            candles: subscription.candles, control: control, clock: clock, leaseCheck: leaseCheck,
            lapse: { [lease] in lease.remaining() })
        defer { events.cancel() }
        await output.send { .started(JobStarted(header: $0, barsTotal: 0)) }
        logger.info(
            "job started on a live market",
            metadata: [
                "market": "\(market.symbol)@\(market.interval) \(market.endpoint)", "from_bar": "\(session.cursor)",
                "after_open_time": "\(lastOpenTime.map(String.init) ?? "-")",
            ])

        var unsent: [Fill] = []
        // A new job checkpoints at its first candle: the candle it started on is then on record,
        // and a resumed run trades the same candles again instead of starting from the live one.
        // nil: due at the next candle, whatever the cadence by then. A resumed job's time-based
        // checkpoints start at a phase of their own (``JobCadence/phase(of:)``), so the jobs
        // assigned together do not all checkpoint in the same tick.
        var lastCheckpointAt: Duration? =
            restored == nil ? nil : clock.elapsed - cadence.phase(of: assignment.jobId)
        var lastCheckpointBar = session.cursor
        var lastProgressBar = -1
        var lastProgressAt = clock.elapsed - cadence.progressInterval
        // The curve's points since the last report (one a minute at most).
        var curve: [CurvePoint] = []
        var lastClose = 0.0
        var recorder = CandleRecorder(market: market)

        /// The candles traded so far, then their fills: a stored fill's candle is on record.
        func flush() async {
            for seen in recorder.take() { await output.send(seen) }
            await output.flush(&unsent, revision: revision)
        }
        func checkpoint() async throws {
            await flush()
            // The curve points of the candles before it too: a run resumed from it does not trade
            // them again.
            await progress()
            let state = try MarketCheckpoint(lastOpenTime: lastOpenTime, engine: try session.checkpoint()).encoded()
            try await output.checkpoint(
                state: state, cursor: session.cursor, nextFillSeq: session.nextFillSeq, revision: revision,
                dataHash: "")
            lastCheckpointAt = clock.elapsed
            lastCheckpointBar = session.cursor
        }
        /// How far the job is, with the curve's points not sent yet (nothing when already said).
        func progress() async {
            guard session.cursor != lastProgressBar || !curve.isEmpty else { return }
            let done = Int64(session.cursor)
            let equity = session.wallet.equity(at: lastClose)
            let points = curve
            curve.removeAll(keepingCapacity: true)
            let plots = session.plots
            await output.send {
                .progress(
                    JobProgress(
                        header: $0, barsDone: done, barsTotal: done, equity: equity, curve: points,
                        plots: points.isEmpty ? [] : plots))
            }
            lastProgressBar = session.cursor
            lastProgressAt = clock.elapsed
        }
        func end() async { await feed.unsubscribe(subscription) }

        func loop() async throws {
            for await event in events.stream {
                switch MarketRunDirective(lease: lease, generation: generation, control: control) {
                case .fence:
                    logger.fenced("job")
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    return
                case .stop, .halt:
                    try await checkpoint()
                    await progress()
                    let stats = try JSONCoding.encoder().encode(session.statistics(barInterval: length))
                    await output.send {
                        .finished(JobFinished(header: $0, outcome: .stopped, statistics: Array(stats)))
                    }
                    logger.info("job stopped", metadata: ["bars": "\(session.cursor)"])
                    return
                case .release:
                    try await checkpoint()
                    await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                    logger.info("job released", metadata: ["bars": "\(session.cursor)"])
                    return
                case .proceed: break
                }
                if case .candle(let candle) = event {
                    for c in try await filler.deliver(candle, sequencer: &sequencer) {
                        // Revisions take effect before the bar they were recorded at (replayed after
                        // a resume, live ones once the replay is past).
                        while let due = try revisions.nextDue(
                            at: session.cursor, control: control, strategy: run.strategy.descriptor)
                        {
                            await flush()
                            try session.replaceStrategy(parameters: due.parameters)
                            revision = due.revision
                            let bar = Int64(session.cursor)
                            let applied = due.revision
                            await output.send { .reloadApplied(ReloadApplied(header: $0, revision: applied, bar: bar)) }
                        }
                        recorder.traded(c, bar: session.cursor)
                        session.step(c.bar)
                        lastOpenTime = c.openTime
                        lastClose = c.close.double
                        let fills = session.takeFills()
                        unsent += fills
                        curve += CurvePoint.onTheMinute(
                            bar: Int64(session.cursor) - 1, openTime: lastOpenTime, close: lastClose,
                            equity: session.wallet.equity(at: lastClose), plots: session.plotNow())
                    }
                }
                // Candles are a second apart at the least: their fills go out at once.
                if !unsent.isEmpty { await flush() }
                if clock.elapsed - lastProgressAt >= cadence.progressInterval { await progress() }
                if session.cursor != lastCheckpointBar
                    && (lastCheckpointAt.map { clock.elapsed - $0 >= cadence.checkpointInterval } ?? true
                        || session.cursor - lastCheckpointBar >= spec.checkpointEvery)
                {
                    try await checkpoint()
                }
            }
        }
        do {
            try await loop()
        } catch {
            // Failing: what it traded is still on record (its fills, and its curve since the last
            // report).
            await flush()
            await progress()
            await end()
            throw error
        }
        await progress()
        await end()
    }
}
