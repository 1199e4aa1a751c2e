import ATSEngine
import ATSShared
import Foundation
import Logging
import NIOPosix

/// Runs one chunk of a sweep (`JobSpec.sweep`; docs/SWEEPS.md): its trials back to back over one
/// load of the data (the worker's bar cache, shared with every job on the same data), in batches
/// on the compute threads; between batches it honours stop and release requests and its lease.
/// It completes with the trials' records (``TrialRecords``) in its `JobFinished`, which the
/// coordinator stores with the completion under the chunk's epoch. Nothing is checkpointed: a
/// chunk given back or lost is run again whole (a fraction of a second to a few seconds of work).
struct SweepChunkRunner: Sendable {
    let assignment: AssignJob
    let control: JobControl
    let lease: LeaseGuard
    let generation: Int
    let output: JobOutput
    let cache: BarCache
    let pool: NIOThreadPool
    let registry: Registry
    let metrics: WorkerMetrics
    let logger: Logger
    var cadence = JobCadence()

    /// Trial·bars a batch holds on its compute thread (about a tenth of a second): short enough to
    /// notice a stop, long enough to amortise the hop.
    static let batchWork = 5_000_000

    func run() async {
        do {
            try await execute()
        } catch {
            logger.warning("sweep chunk failed", metadata: ["error": "\(error)"])
            await output.failed(error)
        }
    }

    private func execute() async throws {
        let spec = try JobSpec.decode(json: Data(assignment.spec))
        guard let chunk = spec.sweep else { throw RunnerError("the job is not a sweep's chunk") }
        try spec.validate(with: registry)
        let bars = try await cache.bars(spec.data).bars
        guard let trials = chunk.trialPoints else {
            throw RunnerError(
                "candidates \(chunk.first)..<\(chunk.end) do not hold the sweep's \(chunk.trials) trials here")
        }
        let total = Int64(trials.count)
        await output.send { .started(JobStarted(header: $0, barsTotal: total)) }
        metrics.jobsStarted.increment()
        logger.info(
            "sweep chunk started",
            metadata: [
                "sweep": "\(chunk.sweep)", "chunk": "\(chunk.chunk)", "trials": "\(total)", "bars": "\(bars.count)",
            ])
        func progress(_ done: Int) async {
            await output.send {
                .progress(JobProgress(header: $0, barsDone: Int64(done), barsTotal: total, equity: 0, curve: []))
            }
        }
        // With walk-forward, each trial keeps its returns' sums per segment of the folds.
        let span = TrialRecords.Span(bars)
        let folds = chunk.walkForward?.folds(first: span.first, end: span.end) ?? []
        if let walkForward = chunk.walkForward, let problem = walkForward.problem(over: span) {
            throw RunnerError(problem)
        }
        let boundaries = WalkForward.boundaries(folds)
        let perBatch = max(1, Self.batchWork / max(1, bars.count))
        let base = spec.run
        let registry = self.registry
        let interval = bars.barInterval
        // Resolved once: each trial checks its strategy's parameters alone.
        let resolvedBase = try? registry.resolve(base)
        var outcomes: [TrialOutcome] = []
        outcomes.reserveCapacity(trials.count)
        var lastProgress = lease.time.elapsed
        while outcomes.count < trials.count {
            if !lease.isValid(generation: generation) {
                logger.fenced("sweep chunk", ["done": "\(outcomes.count)"])
                await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                return
            }
            switch control.request {
            case .stop, .halt:
                // Stopped (a cancelled sweep): no records, the chunk is not done.
                await output.send { .finished(JobFinished(header: $0, outcome: .stopped, statistics: [])) }
                metrics.finished("stopped")
                return
            case .release:
                await output.send { .finished(JobFinished(header: $0, outcome: .released, statistics: [])) }
                metrics.finished("released")
                return
            case .none:
                break
            }
            let batch = Array(trials[outcomes.count..<min(trials.count, outcomes.count + perBatch)])
            outcomes += try await pool.runIfActive {
                batch.map {
                    TrialEvaluation.run(
                        index: $0.index, parameters: $0.parameters, base: base, bars: bars, registry: registry,
                        blocks: TrialEvaluation.blocks, boundaries: boundaries, stop: chunk.stop,
                        barInterval: interval, resolvedBase: resolvedBase)
                }
            }
            metrics.bars.increment(by: batch.count * bars.count)
            if lease.time.elapsed - lastProgress >= cadence.progressInterval {
                lastProgress = lease.time.elapsed
                await progress(outcomes.count)
            }
        }
        await progress(outcomes.count)
        let records = TrialRecords.encode(outcomes, span: span)
        // One message carries them: a frame the coordinator would refuse would be sent again for ever.
        guard records.count < WireProtocol.defaultMaximumFrameSize - (1 << 16) else {
            throw RunnerError(
                "the chunk's records are \(records.count >> 20) MB, more than a message carries: lower chunk_trials")
        }
        await output.send {
            .finished(JobFinished(header: $0, outcome: .completed, statistics: [], trials: records))
        }
        logger.info("sweep chunk completed", metadata: ["trials": "\(total)", "bytes": "\(records.count)"])
        metrics.finished("completed")
    }
}
