import ATSCoordinator
import ATSEngine
import ATSShared
import ATSTestSupport
import Foundation
import Testing

/// Sweeps against a real PostgreSQL: chunks as jobs hidden from the list, records stored once with
/// the completion under the chunk's epoch, refused when they are not the chunk's trials, and the
/// operator's pause, resume and cancel.
@Suite(.serialized)
struct SweepStoreTests {
    static let plan = try! SweepPlan(
        params: ["fast=int:2..10:2", "slow=int:10..30:10"], condition: "fast < slow", search: .grid, trials: 0,
        seed: 0)
    static let run = RunSpec(
        exchange: .init(namespace: "exchanges:simulated", symbol: .init(base: "BTC", quote: "USDT")),
        strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["quantity": .double(1)]),
        fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]),
        portfolio: .init(cash: 100_000))
    static let spec = SweepSpec(
        name: "s1", data: DataSource(path: "bars.csv"), run: run, plan: plan,
        objective: try! SweepObjective(parsing: "sharpe:max"))

    static func header(_ job: Int64, _ epoch: Int64) -> JobHeader { JobHeader(jobId: job, epoch: epoch, messageSeq: 0) }

    /// A chunk's completion under `epoch`, with its trial records.
    static func completed(_ job: Int64, _ epoch: Int64, _ records: [UInt8]) -> JobFinished {
        JobFinished(header: header(job, epoch), outcome: .completed, statistics: [], trials: records)
    }

    /// The records a worker would send for the chunk.
    static func records(_ chunk: SweepChunkSpec) -> [UInt8] {
        let bars = SyntheticBars(seed: 5).generate(count: 500)
        return TrialRecords.encode(
            chunk.plan.trials(in: chunk.first..<chunk.end).map {
                TrialEvaluation.run(
                    index: $0.index, parameters: $0.parameters, base: run, bars: bars, registry: .builtIn,
                    blocks: TrialEvaluation.blocks)
            })
    }

    /// What the store says of records made over `blocks` blocks.
    static func chunkProblem(_ chunk: SweepChunkSpec, blocks: Int) -> String? {
        let bars = SyntheticBars(seed: 5).generate(count: 500)
        let records = TrialRecords.encode(
            chunk.plan.trials(in: chunk.first..<chunk.end).map {
                TrialEvaluation.run(
                    index: $0.index, parameters: $0.parameters, base: run, bars: bars, registry: .builtIn,
                    blocks: blocks)
            })
        return JobStore.chunkProblem(records, chunk)
    }

    /// The research ledger's row is not forgotten while a sweep still adds to it (its best would
    /// be deflated by fewer trials than it ran), only once it is finished or cancelled.
    @Test func theLedgerIsResetOnlyWhenNoSweepStillAddsToIt() async throws {
        try await JobStoreTests().withStore { store in
            let start = try Self.spec.validate(with: .builtIn)
            let (chunks, trials) = try Self.plan.chunks(trialsPerChunk: 4)
            let sweep = try await store.createSweep(
                Self.spec, start: start, chunks: chunks, trials: trials, actor: "test")
            let key = JobStore.LedgerKey(Self.spec)
            #expect(try await store.ledgerEntries().map(\.sweeps) == [1])
            await #expect(throws: StoreError.self) {
                try await store.resetLedger(strategy: key.strategy, data: key.data, actor: "test")
            }
            _ = try await store.sweep(.cancel, "\(sweep.id)", actor: "test")
            let gone = try await store.resetLedger(strategy: key.strategy, data: key.data, actor: "test")
            #expect(gone.sweeps == 1 && gone.data == "file:bars.csv")
            #expect(try await store.ledgerEntries().isEmpty)
        }
    }

    /// A worker that holds chunks ahead (``WorkerLoad``) is assigned one chunk more per slot no
    /// other job holds, within the same transaction's count; an ordinary job still needs a free
    /// slot, and a worker that does not hold chunks ahead gets none beyond its capacity. The
    /// assignment says it is a chunk.
    @Test func aChunkMayBeAssignedAheadOfAFreeSlotAndNothingElse() async throws {
        try await JobStoreTests().withStore { store in
            let start = try Self.spec.validate(with: .builtIn)
            let (chunks, trials) = try Self.plan.chunks(trialsPerChunk: 4)
            _ = try await store.createSweep(Self.spec, start: start, chunks: chunks, trials: trials, actor: "test")
            let job = try await store.create(
                JobSpec(name: "plain", data: DataSource(path: "bars.csv"), run: start), actor: "test")
            var ids: [Int64] = []
            for k in 0..<4 { ids.append(try await store.job("s1:\(k)").id) }
            _ = try await store.connect(JobStoreTests().hello("w", capacity: 1), session: "s")
            let first = try #require(
                try await store.assign(job: ids[0], to: "w", session: "s", capacity: 1, ahead: true))
            #expect(first.sweepChunk)
            #expect(try await store.assign(job: job.id, to: "w", session: "s", capacity: 1, ahead: true) == nil)
            #expect(try await store.assign(job: ids[1], to: "w", session: "s", capacity: 1, ahead: false) == nil)
            let second = try #require(
                try await store.assign(job: ids[1], to: "w", session: "s", capacity: 1, ahead: true))
            #expect(second.sweepChunk)
            #expect(
                try await store.assign(job: ids[2], to: "w", session: "s", capacity: 1, ahead: true) == nil,
                "two per slot")
            #expect(try await store.heldCounts()["w"]! == (2, 2))

            // With an ordinary job on one of two slots, the other holds two chunks.
            _ = try await store.connect(JobStoreTests().hello("v", capacity: 2), session: "t")
            let plain = try #require(
                try await store.assign(job: job.id, to: "v", session: "t", capacity: 2, ahead: true))
            #expect(!plain.sweepChunk)
            #expect(try await store.assign(job: ids[2], to: "v", session: "t", capacity: 2, ahead: true) != nil)
            #expect(try await store.assign(job: ids[3], to: "v", session: "t", capacity: 2, ahead: true) != nil)
            #expect(try await store.heldCounts()["v"]! == (3, 2))

            // A pause stops the chunks held and not started (a resume runs them again); the one
            // running finishes.
            try await store.started(JobStarted(header: Self.header(ids[2], 1), barsTotal: 4))
            // The workers' list tells what runs from what waits to start (a held chunk, a job starting).
            let loads = Dictionary(
                uniqueKeysWithValues: try await store.workers().map { ($0.id, [$0.runningJobs, $0.assignedJobs]) })
            #expect(loads["w"] == [0, 2] && loads["v"] == [1, 2], "\(loads)")
            _ = try await store.sweep(.pause, "s1", actor: "test")
            #expect(try await store.job("s1:2").desiredState == .running)
            let held = try await store.job("s1:3")
            #expect(held.desiredState == .stopped && held.status == .assigned)
            #expect(try await store.job("s1:1").desiredState == .stopped)
        }
    }

    @Test func chunksAreHiddenJobsWhoseRecordsAreStoredOnceUnderTheirEpoch() async throws {
        try await JobStoreTests().withStore { store in
            let start = try Self.spec.validate(with: .builtIn)
            let (chunks, trials) = try Self.plan.chunks(trialsPerChunk: 4)
            #expect(trials == 14 && chunks.count == 4)
            let created = try await store.createSweep(
                Self.spec, start: start, chunks: chunks, trials: trials, actor: "test")
            #expect(
                created.state == "running" && created.trials == 14 && created.chunks == 4 && created.chunksDone == 0)
            await #expect(throws: StoreError.self) {
                try await store.createSweep(Self.spec, start: start, chunks: chunks, trials: trials, actor: "test")
            }
            // The chunks are jobs, hidden from the list; an ordinary job is scheduled before them.
            let job = try await store.create(
                JobSpec(name: "plain", data: DataSource(path: "bars.csv"), run: start), actor: "test")
            #expect(try await store.jobs().map(\.name) == ["plain"])
            let pending = try await store.pendingJobs()
            #expect(pending.first?.id == job.id && pending.count == 5)
            #expect(
                pending.dropFirst().allSatisfy { $0.labels.contains(WorkerCapability.label(WorkerCapability.sweeps)) })
            let first = try await store.job("s1:0")
            let chunk = try #require(first.spec?.sweep)
            #expect(chunk.chunk == 0 && chunk.trials == 4 && chunk.plan == Self.plan)
            // Operators act on the sweep, not on its chunks; nobody makes a chunk by hand.
            await #expect(throws: StoreError.self) {
                try await store.request(.stopRequested, job: "s1:0", actor: "test", registry: .builtIn)
            }
            var forged = JobSpec(name: "forged", data: DataSource(path: "bars.csv"), run: start)
            forged.sweep = chunk
            await #expect(throws: StoreError.self) { try await store.create(forged, actor: "test") }

            // Records that are not the chunk's trials fail the chunk (a resume runs it again).
            _ = try #require(try await store.assign(job: first.id, to: "w1"))
            #expect(
                try await store.finished(
                    Self.completed(first.id, 1, [1, 2]),
                    worker: "w1"))
            #expect(try await store.job("s1:0").status == .failed)
            #expect(try await store.job("s1:0").lastError?.contains("the chunk's results were refused") == true)
            #expect(try await store.sweep("s1").chunksFailed == 1)
            var other = chunk
            other.first += 1
            other.end += 1
            _ = try await store.sweep(.resume, "s1", actor: "test")
            _ = try #require(try await store.assign(job: first.id, to: "w1"))
            #expect(
                try await store.finished(
                    Self.completed(first.id, 2, Self.records(other)), worker: "w1"))
            #expect(try await store.job("s1:0").status == .failed, "another range's trials are refused")

            // The chunk's own records complete it, once; a stale epoch's are refused.
            _ = try await store.sweep(.resume, "s1", actor: "test")
            _ = try #require(try await store.assign(job: first.id, to: "w2"))
            let records = Self.records(chunk)
            #expect(
                try await !store.finished(
                    Self.completed(first.id, 2, records),
                    worker: "w1"), "epoch 2 is over")
            #expect(
                try await store.finished(
                    Self.completed(first.id, 3, records),
                    worker: "w2"))
            #expect(
                try await !store.finished(
                    Self.completed(first.id, 3, records),
                    worker: "w2"), "a resend changes nothing")
            let after = try await store.sweep("s1")
            #expect(after.chunksDone == 1 && after.trialsDone == 4 && after.chunksFailed == 0)
            // The research ledger counted the chunk's trials once (not the refused records, not
            // the stale or repeated answers), and the sweep when it was created.
            let key = JobStore.LedgerKey(Self.spec)
            let ledger = try #require(try await store.ledger(key))
            let sharpes = try TrialRecords.decode(records, plan: Self.plan).map(\.moments.sharpe)
            #expect(ledger.sweeps == 1 && ledger.trials == 4 && ledger.ran == 4)
            #expect(abs(ledger.sharpeSum - sharpes.reduce(0, +)) < 1e-15)
            #expect(try await store.sweepRecords(sweep: after.id) == [records])
            // The engine each chunk ran on (its worker's version; w2 never said hello here).
            #expect(try await store.sweepEngines(sweep: after.id).map(\.engine) == ["unknown"])
            try await store.client.query("UPDATE sweep_results SET engine = '0.9' WHERE sweep_id = \(after.id)")
            #expect(try await store.sweepEngines(sweep: after.id).map(\.engine) == ["0.9"])
            // Records over other blocks than every trial keeps are refused (the report's PBO reads them).
            #expect(
                SweepStoreTests.chunkProblem(chunk, blocks: 4)?.contains("blocks") == true,
                "records of 4 blocks are not the sweep's")

            // Pause stops the chunks waiting, and one a worker hands back waits too; cancel also
            // stops the running; resume runs the rest.
            let second = try await store.job("s1:1")
            let third = try await store.job("s1:2")
            _ = try #require(try await store.assign(job: second.id, to: "w1"))
            _ = try #require(try await store.assign(job: third.id, to: "w2"))
            try await store.started(JobStarted(header: Self.header(second.id, 1), barsTotal: 4))
            try await store.started(JobStarted(header: Self.header(third.id, 1), barsTotal: 4))
            let paused = try await store.sweep(.pause, "s1", actor: "test")
            #expect(paused.state == "paused")
            let (waiting, running) = (try await store.job("s1:3"), try await store.job("s1:1"))
            #expect(waiting.status == .stopped && running.status == .running && running.desiredState == .running)
            await #expect(throws: StoreError.self) { try await store.sweep(.pause, "s1", actor: "test") }
            #expect(
                try await store.finished(
                    JobFinished(header: Self.header(third.id, 1), outcome: .released, statistics: []), worker: "w2"))
            #expect(try await store.job("s1:2").status == .pending)
            #expect(try await store.pendingJobs().map(\.id) == [job.id], "a paused sweep's chunks wait")
            let cancelled = try await store.sweep(.cancel, "s1", actor: "test")
            #expect(cancelled.state == "cancelled" && cancelled.chunksRunning == 1)
            #expect(try await store.job("s1:1").desiredState == .stopped)
            _ = try await store.sweep(.resume, "s1", actor: "test")
            let (again, kept) = (try await store.job("s1:3"), try await store.job("s1:1"))
            #expect(again.status == .pending && kept.desiredState == .running)
            #expect(try await store.pendingJobs().count == 3, "the plain job, s1:2 and s1:3")
            #expect(try await store.sweeps().map(\.name) == ["s1"])
            // Removed once none of its chunks runs: the chunks and their records with it.
            await #expect(throws: StoreError.self) { try await store.deleteSweep("s1", actor: "test") }
            // The cancel's stop, answered after the resume: the chunk runs again, not lost.
            #expect(
                try await store.finished(
                    JobFinished(header: Self.header(second.id, 1), outcome: .stopped, statistics: []), worker: "w1"))
            let resumed = try await store.job("s1:1")
            #expect(resumed.status == .pending && resumed.desiredState == .running)
            let removed = try await store.deleteSweep("s1", actor: "test")
            #expect(removed.trialsDone == 4)
            let (sweeps, left) = (try await store.sweeps(), try await store.sweepRecords(sweep: removed.id))
            #expect(sweeps.isEmpty && left.isEmpty)
            await #expect(throws: StoreError.self) { try await store.job("s1:0") }
            #expect(try await store.jobs().map(\.name) == ["plain"])
            // The search it was stays counted.
            #expect(try await store.ledger(key)?.trials == 4)
        }
    }

    /// A chunk's records from its own trials (a Bayesian chunk's asked points).
    static func records(points chunk: SweepChunkSpec) throws -> (records: [UInt8], outcomes: [TrialOutcome]) {
        let bars = SyntheticBars(seed: 5).generate(count: 500)
        let outcomes = try #require(chunk.trialPoints).map {
            TrialEvaluation.run(
                index: $0.index, parameters: $0.parameters, base: run, bars: bars, registry: .builtIn,
                blocks: TrialEvaluation.blocks)
        }
        return (TrialRecords.encode(outcomes), outcomes)
    }

    @Test func aBayesianSweepAsksEachBatchFromTheTrialsBeforeItOnceAndOnlyWhileRunning() async throws {
        try await JobStoreTests().withStore { store in
            let plan = try SweepPlan(
                params: ["fast=int:2..10", "slow=int:10..30:5"], condition: nil, search: .tpe, trials: 30, seed: 4,
                inFlight: 12)
            var spec = Self.spec
            spec.name = "bayes"
            spec.plan = plan
            let start = try spec.validate(with: .builtIn)
            let (chunks, trials) = try plan.chunks(trialsPerChunk: 6)
            #expect(chunks.map(\.first) == [0, 6, 12, 18, 24] && trials == 30)
            let created = try await store.createSweep(spec, start: start, chunks: chunks, trials: trials, actor: "test")
            #expect(created.chunks == 5 && created.trials == 30)
            // Only the first batch is asked (at random: nothing is known yet).
            let first = [try await store.job("bayes:0"), try await store.job("bayes:1")]
            await #expect(throws: StoreError.self) { try await store.job("bayes:2") }
            let startup = try #require(plan.asks(0..<12, after: [], objective: spec.objective))
            #expect(
                first.flatMap { $0.spec?.sweep?.trialPoints ?? [] }.map(\.parameters) == startup.map(\.parameters))
            #expect(try await store.askSweepBatches() == 0, "the first batch is not done")

            // The first batch done: the second is asked once, of the twelve trials' results.
            var history: [TrialOutcome] = []
            for (k, job) in first.enumerated() {
                let chunk = try #require(job.spec?.sweep)
                let (records, outcomes) = try Self.records(points: chunk)
                history += outcomes
                _ = try #require(try await store.assign(job: job.id, to: "w1"))
                #expect(
                    try await store.finished(
                        Self.completed(job.id, 1, records),
                        worker: "w1"), "chunk \(k)")
            }
            // Two leaders for a moment: the batch is stored once.
            async let a = store.askSweepBatches()
            async let b = store.askSweepBatches()
            #expect(try await a + b == 2)
            #expect(try await store.askSweepBatches() == 0)
            let second = [try await store.job("bayes:2"), try await store.job("bayes:3")]
            let expected = try #require(plan.asks(12..<24, after: history, objective: spec.objective))
            let asked = second.flatMap { $0.spec?.sweep?.trialPoints ?? [] }
            #expect(asked.map(\.index) == Array(12..<24))
            #expect(asked.map(\.parameters) == expected.map(\.parameters), "asked of exactly the trials before")
            #expect(
                expected.map(\.parameters)
                    != plan.asks(12..<24, after: [], objective: spec.objective)!.map(\.parameters))
            let points = try #require(try await store.sweepPoints(try await store.sweep("bayes")))
            #expect(points.count == 24 && points[13] == expected[1].parameters)

            // A paused sweep is not asked; resumed, it is.
            for job in second { _ = try #require(try await store.assign(job: job.id, to: "w1")) }
            _ = try await store.sweep(.pause, "bayes", actor: "test")
            for job in second {
                let (records, _) = try Self.records(points: try #require(job.spec?.sweep))
                #expect(
                    try await store.finished(
                        Self.completed(job.id, 1, records),
                        worker: "w1"))
            }
            #expect(try await store.askSweepBatches() == 0, "paused")
            _ = try await store.sweep(.resume, "bayes", actor: "test")
            #expect(try await store.askSweepBatches() == 1, "the last batch: trials 24..<30 in one chunk")
            let last = try #require(try await store.job("bayes:4").spec?.sweep)
            #expect(last.first == 24 && last.end == 30 && last.trialPoints?.count == 6)
            #expect(try await store.askSweepBatches() == 0)
            // Records of other trials than the chunk's asked ones are refused.
            var shifted = last
            shifted.first = 23
            shifted.end = 29
            #expect(JobStore.chunkProblem(try Self.records(points: shifted).records, last) != nil)

            // A sweep whose next batch can never be asked (its definition unreadable here) is
            // paused, saying why, and holds up no other sweep.
            var other = spec
            other.name = "bayes2"
            let created2 = try await store.createSweep(
                other, start: start, chunks: chunks, trials: trials, actor: "test")
            var broken = spec
            broken.name = "bayes0"
            let created0 = try await store.createSweep(
                broken, start: start, chunks: chunks, trials: trials, actor: "test")
            for sweep in [created0, created2] {
                for k in 0..<2 {
                    let job = try await store.job("\(sweep.name):\(k)")
                    let (records, _) = try Self.records(points: try #require(job.spec?.sweep))
                    _ = try #require(try await store.assign(job: job.id, to: "w1"))
                    #expect(
                        try await store.finished(
                            Self.completed(job.id, 1, records),
                            worker: "w1"))
                }
            }
            try await store.client.query(
                "UPDATE sweeps SET spec = jsonb_set(spec, '{objective}', '\"nonsense\"') WHERE id = \(created0.id)")
            #expect(try await store.askSweepBatches() == 2, "bayes2's second batch, though bayes0 (older) fails")
            let paused = try await store.sweep("bayes0")
            #expect(paused.state == "paused")
            let events = try await store.client.query(
                "SELECT detail FROM job_events WHERE job_name = 'bayes0' AND kind = 'sweep_pause'"
            ).collect()
            #expect(events.count == 1)
            #expect(try await store.askSweepBatches() == 0)
        }
    }

    /// An early-stopping sweep's chunks after its pilots are cut as at creation, smaller at the end
    /// for the slots stored with it. Cut otherwise (a coordinator of another release that reads no
    /// `tail_slots`), they would not make the chunks the sweep counts, and it would never complete
    /// or run trials twice: the sweep pauses, saying why, and nothing is stored.
    @Test func anEarlyStoppingSweepsLaterChunksAreCutAsAtCreationOrItPausesSayingWhy() async throws {
        try await JobStoreTests().withStore { store in
            let bars = SyntheticBars(seed: 5).generate(count: 2_000)
            let span = TrialRecords.Span(bars)
            var spec = Self.spec
            spec.plan = try SweepPlan(
                params: ["fast=int:2..12", "slow=int:14..40:2"], condition: nil, search: .grid, trials: 0, seed: 0)
            spec.walkForward = try WalkForward(parsing: "rolling:train=8h,test=4h")
            spec.earlyStop = EarlyStop(folds: 1, pilots: 16)
            spec.chunkTrials = 10
            spec.tailSlots = 4
            let boundaries = WalkForward.boundaries(spec.walkForward!.folds(first: span.first, end: span.end))
            let cut = try spec.plan.chunks(trialsPerChunk: 10, pilots: spec.plan.pilots(spec.earlyStop!), tail: 4)
            let even = try spec.plan.chunks(trialsPerChunk: 10, pilots: spec.plan.pilots(spec.earlyStop!))
            #expect(cut.chunks.count > even.chunks.count && cut.chunks.last!.trials < 10, "\(cut.chunks)")
            let perChunk = max(1, (cut.pilots.count + 7) / 8)
            let pilotChunks = (cut.pilots.count + perChunk - 1) / perChunk
            for name in ["e1", "e2"] {
                spec.name = name
                let created = try await store.createSweep(
                    spec, start: try spec.validate(with: .builtIn), chunks: cut.chunks, trials: cut.trials,
                    actor: "test", pilots: cut.pilots, pilotsPerChunk: perChunk)
                #expect(created.chunks == pilotChunks + cut.chunks.count)
                for k in 0..<pilotChunks {
                    let job = try await store.job("\(name):\(k)")
                    let chunk = try #require(job.spec?.sweep)
                    let records = TrialRecords.encode(
                        try #require(chunk.trialPoints).map {
                            TrialEvaluation.run(
                                index: $0.index, parameters: $0.parameters, base: Self.run, bars: bars,
                                registry: .builtIn, blocks: TrialEvaluation.blocks, boundaries: boundaries)
                        }, span: span)
                    _ = try #require(try await store.assign(job: job.id, to: "w1"))
                    #expect(
                        try await store.finished(
                            Self.completed(job.id, 1, records),
                            worker: "w1"), "\(name) chunk \(k)")
                }
            }
            // e2's definition read as a release without the field reads it: cut evenly.
            try await store.client.query("UPDATE sweeps SET spec = spec - 'tail_slots' WHERE name = 'e2'")
            #expect(try await store.askSweepBatches() == cut.chunks.count, "e1's chunks, and none of e2's")
            var stored: [SweepChunkSpec] = []
            for k in 0..<cut.chunks.count {
                stored.append(try #require(try await store.job("e1:\(pilotChunks + k)").spec?.sweep))
            }
            #expect(stored.map { SweepPlan.Chunk(first: $0.first, end: $0.end, trials: $0.trials) } == cut.chunks)
            #expect(stored.allSatisfy { $0.stop != nil })
            let e2 = try await store.sweep("e2")
            #expect(e2.state == "paused")
            await #expect(throws: StoreError.self) { try await store.job("e2:\(pilotChunks)") }
            let events = try await store.client.query(
                "SELECT detail FROM job_events WHERE job_name = 'e2' AND kind = 'sweep_pause'"
            ).collect()
            let detail = try events.first?.decode(String.self) ?? ""
            #expect(detail.contains("\(even.chunks.count)") && detail.contains("\(cut.chunks.count)"), "\(detail)")
            #expect(try await store.askSweepBatches() == 0)
        }
    }
}
