import ATSEngine
import ATSShared
import Foundation
import Logging
import NIOPosix

/// Runs one assigned job: loads its bars, restores its checkpoint, runs the engine in chunks on
/// the compute threads (never on the networking threads), and streams fills, checkpoints and
/// progress through the outbox. Between chunks it honours stop and reload requests.
struct JobRunner: Sendable {
    let assignment: AssignJob
    let control: JobControl
    let lease: LeaseGuard
    let outbox: Outbox
    let cache: BarCache
    let pool: NIOThreadPool
    let registry: Registry
    let dataDirectory: String
    let fillBatchSize: Int
    let metrics: WorkerMetrics
    let logger: Logger

    /// Bars per compute chunk: long enough to amortise the hop, short enough to react quickly.
    static let chunk = 50_000

    func run() async {
        do {
            try await execute()
        } catch {
            let text = "\(error)"
            metrics.jobsFailed.increment()
            logger.warning("job failed", metadata: ["error": "\(text)"])
            await send { .failed(JobFailed(header: $0, error: text)) }
        }
    }

    private func send(_ make: @escaping @Sendable (JobHeader) -> WireMessage) async {
        let jobId = assignment.jobId
        let epoch = assignment.epoch
        metrics.messages.increment()
        await outbox.append { seq in make(JobHeader(jobId: jobId, epoch: epoch, messageSeq: seq)) }
    }

    private func execute() async throws {
        let spec = try JobSpec.decode(json: Data(assignment.spec))
        let run = try spec.validate(with: registry)
        let path = spec.data.path.hasPrefix("/") ? spec.data.path : dataDirectory + "/" + spec.data.path
        let bars = try await cache.bars(path: path, format: spec.data.format)
        var session = try registry.makeSession(
            run, checkpoint: assignment.checkpoint.isEmpty ? nil : Data(assignment.checkpoint))
        let total = bars.count
        await send { .started(JobStarted(header: $0, barsTotal: Int64(total))) }
        metrics.jobsStarted.increment()
        logger.info("job started", metadata: ["bars": "\(total)", "from": "\(session.cursor)"])

        let interval = bars.barInterval
        var lastCheckpoint = session.cursor
        var lastProgress = ContinuousClock.now
        let paced = spec.mode == .paper
        let pace: Duration = .milliseconds(spec.paperPaceMs > 0 ? Int64(spec.paperPaceMs) : interval)
        var unsent: [Fill] = []
        var oldestUnsent = ContinuousClock.now
        let stride = CurvePoint.stride(total: total)
        var curve: [CurvePoint] = []
        while session.cursor < total {
            if !lease.isValid {
                // Self-fencing: the lease may lapse before it can be renewed, and then another
                // worker may get the job. Stop first; the checkpoint and the release go out when
                // the coordinator is back (ignored if the job has moved on meanwhile).
                logger.warning(
                    "lease not confirmed in time: job stopped (self-fencing)",
                    metadata: [
                        "cursor": "\(session.cursor)",
                        "fenced_at_ms": "\(Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)))",
                    ])
                await flush(&unsent)
                await sendProgress(session, bars: bars, curve: &curve)
                try await release(session)
                return
            }
            switch control.request {
            case .stop:
                await flush(&unsent)
                await sendProgress(session, bars: bars, curve: &curve)
                try await checkpoint(session)
                let stats = try JSONCoding.encoder().encode(session.statistics(barInterval: interval))
                await send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: Array(stats))) }
                logger.info("job stopped", metadata: ["cursor": "\(session.cursor)"])
                metrics.finished("stopped")
                return
            case .release:
                await flush(&unsent)
                await sendProgress(session, bars: bars, curve: &curve)
                try await release(session)
                logger.info("job released", metadata: ["cursor": "\(session.cursor)"])
                metrics.finished("released")
                return
            case .none:
                break
            }
            if let config = control.takeReload() {
                let entry = run.strategy
                try session.replaceStrategy(parameters: try entry.descriptor.validate(config))
                logger.info("strategy reloaded", metadata: ["config": "\(config)"])
            }
            // Chunks end on checkpoint boundaries, so a resumed job checkpoints at the same bars.
            let nextCheckpoint = (session.cursor / spec.checkpointEvery + 1) * spec.checkpointEvery
            let end = paced ? session.cursor + 1 : min(total, session.cursor + Self.chunk, nextCheckpoint)
            let (ran, points) = try await pool.runIfActive { [session] in
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
                                equity: s.exchange.wallet.equity(at: bars.close[i])))
                    }
                }
                return (s, points)
            }
            metrics.bars.increment(by: ran.cursor - session.cursor)
            session = ran
            curve += points
            let fills = session.takeFills()
            metrics.fills.increment(by: fills.count)
            if !fills.isEmpty {
                if unsent.isEmpty { oldestUnsent = .now }
                unsent += fills
            }
            // Paper jobs make a fill or two per bar: they go out in batches at least every 100 ms
            // (one message per fill would swamp the coordinator); backtests at every chunk.
            if !paced || unsent.count >= fillBatchSize || ContinuousClock.now - oldestUnsent >= .milliseconds(100) {
                await flush(&unsent)
            }
            if session.cursor - lastCheckpoint >= spec.checkpointEvery || session.cursor % spec.checkpointEvery == 0 {
                // The fills and curve points before a checkpoint go out before it: a job resumed
                // from it must not have lost any.
                await flush(&unsent)
                await sendProgress(session, bars: bars, curve: &curve)
                lastProgress = .now
                try await checkpoint(session)
                lastCheckpoint = session.cursor
            }
            if ContinuousClock.now - lastProgress > .milliseconds(250) {
                lastProgress = .now
                await sendProgress(session, bars: bars, curve: &curve)
            }
            if paced { try await waitForNextBar(pace) }
        }
        await flush(&unsent)
        await sendProgress(session, bars: bars, curve: &curve)
        if lastCheckpoint != session.cursor { try await checkpoint(session) }
        let stats = try JSONCoding.encoder().encode(session.statistics(barInterval: interval))
        await send { .finished(JobFinished(header: $0, outcome: .completed, statistics: Array(stats))) }
        logger.info("job completed", metadata: ["fills": "\(session.exchange.state.nextSeq)"])
        metrics.finished("completed")
    }

    /// How far the job is, with the curve points not sent yet.
    private func sendProgress(_ session: any BacktestSession, bars: BarSeries, curve: inout [CurvePoint]) async {
        let done = Int64(session.cursor)
        let total = Int64(bars.count)
        let equity = session.cursor > 0 ? session.exchange.wallet.equity(at: bars.close[session.cursor - 1]) : 0
        let points = curve
        curve.removeAll(keepingCapacity: true)
        await send {
            .progress(JobProgress(header: $0, barsDone: done, barsTotal: total, equity: equity, curve: points))
        }
    }

    /// Paper pacing: waits a bar's time, waking early for stop and reload requests.
    private func waitForNextBar(_ pace: Duration) async throws {
        let deadline = ContinuousClock.now + pace
        while ContinuousClock.now < deadline {
            if control.request != .none || control.hasReload || !lease.isValid { return }
            try await Task.sleep(for: min(.milliseconds(50), deadline - ContinuousClock.now))
        }
    }

    /// Sends the fills not sent yet, in batches of at most `fillBatchSize`.
    private func flush(_ fills: inout [Fill]) async {
        var start = 0
        while start < fills.count {
            let batch = Array(fills[start..<min(fills.count, start + fillBatchSize)])
            await send { .fills(FillBatch(header: $0, fills: batch)) }
            start += fillBatchSize
        }
        fills.removeAll(keepingCapacity: true)
    }

    /// Checkpoints and gives the job back, for another worker (or this one) to resume.
    private func release(_ session: any BacktestSession) async throws {
        try await checkpoint(session)
        await send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
    }

    private func checkpoint(_ session: any BacktestSession) async throws {
        let state = try session.checkpoint()
        let cursor = Int64(session.cursor)
        let next = session.exchange.state.nextSeq
        await send { .checkpoint(CheckpointSaved(header: $0, cursor: cursor, nextFillSeq: next, state: Array(state))) }
    }
}
