import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOPosix
import PostgresNIO

/// Parameter sweeps (docs/SWEEPS.md): `POST /api/sweeps` stores a sweep and its chunks, `GET
/// /api/sweeps[/{sweep}]` lists and shows them with their progress, `GET
/// /api/sweeps/{sweep}/report?top=N` ranks the trials stored so far with the overfitting
/// statistics beside the best, `GET /api/sweeps/{sweep}/trials/{trial}` gives one trial's run
/// and stored statistics, `POST /api/sweeps/{sweep}/pause|resume|cancel`, `DELETE
/// /api/sweeps/{sweep}` (none of its chunks running).
extension AdminAPI {
    func addSweepRoutes(to api: RouterGroup<APIContext>) {
        api.get("/sweeps") { _, _ in try await store.sweeps().map(withWaiting) }
        api.post("/sweeps") { request, context -> EditedResponse<SweepRecord> in
            let body = try await request.body.collect(upTo: context.maxUploadSize)
            var spec: SweepSpec
            do {
                spec = try SweepSpec.decode(json: Data(buffer: body))
                try spec.checkChunking()
            } catch { throw APIError(error) }
            // A trained model's strategy: the model pinned to its hash as a job's is, so every
            // chunk runs the same weights wherever it runs; which model is not searched.
            if registry.runsModel(spec.run.strategy) {
                if let searched = spec.plan.space.dimensions.first(where: {
                    ["name", "hash", "path"].contains($0.name)
                }) {
                    throw APIError(
                        .badRequest, code: "invalid_spec",
                        "a sweep searches a model's parameters, not which model (\(searched.name)): one sweep per model",
                        field: "params")
                }
                spec.run = try await pinModel(spec.run, what: "a sweep")
            }
            // A chunk holds about a fraction of a second of one core's work on the data.
            var bars: Int?
            var segments = 0
            if let ref = spec.data.set, let set = try? await store.dataset(ref) {
                bars = Int(set.rows)
                // The folds over the set's span: refused now rather than by every chunk.
                if let walkForward = spec.walkForward {
                    let span = TrialRecords.Span(first: set.firstMs, end: set.lastMs + set.intervalMs)
                    if let problem = walkForward.problem(over: span) {
                        throw APIError(.badRequest, code: "invalid_spec", problem, field: "walk_forward")
                    }
                    segments = WalkForward.boundaries(walkForward.folds(first: span.first, end: span.end)).count - 1
                }
            }
            if spec.tailSlots == nil {
                // The slots that can run it: connected, not draining, with its labels.
                let labels = Set(spec.labels)
                let slots = try await mapped { try await store.workers() }
                    .filter { $0.connected && !$0.draining && labels.isSubset(of: $0.labels) }
                    .reduce(0) { $0 + $1.capacity }
                spec.tailSlots = SweepSpec.tailSlots(connected: slots)
            }
            let perChunk = spec.trialsPerChunk(bars: bars, segments: segments)
            // Stored as cut: the chunks stored later (early stopping's, after the pilots) are cut alike.
            if spec.earlyStop != nil || spec.plan.search == .tpe { spec.chunkTrials = perChunk }
            // Checking the first trials and cutting up to 10,000,000 candidates (seconds, at most):
            // off the cooperative threads, which renew leases and schedule.
            let registry = self.registry
            let start: RunSpec
            let cut: (pilots: [Int], chunks: [SweepPlan.Chunk], trials: Int)
            let definition = spec
            do {
                (start, cut) = try await NIOThreadPool.singleton.runIfActive {
                    let start = try definition.validate(with: registry)
                    if let earlyStop = definition.earlyStop {
                        return (
                            start,
                            try definition.plan.chunks(
                                trialsPerChunk: perChunk, pilots: definition.plan.pilots(earlyStop),
                                tail: definition.tailSlots ?? 0)
                        )
                    }
                    let (chunks, trials) = try definition.plan.chunks(
                        trialsPerChunk: perChunk, tail: definition.tailSlots ?? 0)
                    return (start, ([], chunks, trials))
                }
            } catch let e as SpecError { throw APIError(e) }
            let record = try await mapped {
                try await store.createSweep(
                    definition, start: start, chunks: cut.chunks, trials: cut.trials, actor: actor(request, context),
                    pilots: cut.pilots, pilotsPerChunk: max(1, (cut.pilots.count + 7) / 8))
            }
            scheduler.trigger()
            return EditedResponse(status: .created, response: record)
        }
        // The research ledger: read by viewers; forgetting a search is an admin's decision (the
        // deflated Sharpe ratio beside every later best counts from it), and audited.
        api.get("/research-ledger") { _, _ in try await store.ledgerEntries() }
        api.delete("/research-ledger") { request, context in
            let q = request.uri.queryParameters
            guard let strategy = q.get("strategy"), !strategy.isEmpty else {
                throw APIError(.badRequest, code: "invalid_request", "strategy is required", field: "strategy")
            }
            guard let data = q.get("data"), !data.isEmpty else {
                throw APIError(
                    .badRequest, code: "invalid_request", "data is required (its hash or file:PATH)", field: "data")
            }
            return try await mapped {
                try await store.resetLedger(strategy: strategy, data: data, actor: actor(request, context))
            }
        }
        api.get("/sweeps/:sweep") { _, context in
            withWaiting(try await mapped { try await store.sweep(context.parameters.require("sweep")) })
        }
        api.delete("/sweeps/:sweep") { request, context in
            try await mapped {
                try await store.deleteSweep(context.parameters.require("sweep"), actor: actor(request, context))
            }
        }
        api.get("/sweeps/:sweep/report") { request, context in
            let top = request.uri.queryParameters.get("top").flatMap { Int($0) } ?? 20
            guard (1...10_000).contains(top) else {
                throw APIError(.badRequest, code: "invalid_request", "top must be 1 to 10,000", field: "top")
            }
            let sweep = try await mapped { try await store.sweep(context.parameters.require("sweep")) }
            return try await report(sweep, top: top)
        }
        api.get("/sweeps/:sweep/heatmap") { request, context in
            let q = request.uri.queryParameters
            guard let x = q.get("x"), let y = q.get("y") else {
                throw APIError(
                    .badRequest, code: "invalid_request", "x and y are required (?x=fast&y=slow)", field: "x")
            }
            let sweep = try await mapped { try await store.sweep(context.parameters.require("sweep")) }
            return try await heatmap(sweep, x: String(x), y: String(y))
        }
        api.get("/sweeps/:sweep/trials/:trial") { _, context -> SweepTrial in
            let sweep = try await mapped { try await store.sweep(context.parameters.require("sweep")) }
            return try await trial(sweep, try context.parameters.require("trial"))
        }
        api.get("/sweeps/:sweep/trials/:trial/equity") { request, context -> SweepTrialCurve in
            let given: String? = request.uri.queryParameters.get("points")
            guard let points = given.map({ Int($0) }) ?? 400, (10...TrialCurves.resolution).contains(points)
            else {
                throw APIError(.badRequest, code: "invalid_request", "points must be 10 to 2,000", field: "points")
            }
            let sweep = try await mapped { try await store.sweep(context.parameters.require("sweep")) }
            return try await curve(sweep, trial(sweep, try context.parameters.require("trial")), buckets: points)
        }
        api.get("/sweeps/:sweep/report.html") { request, context -> Response in
            let top = request.uri.queryParameters.get("top").flatMap { Int($0) } ?? 50
            guard (1...1_000).contains(top) else {
                throw APIError(.badRequest, code: "invalid_request", "top must be 1 to 1,000", field: "top")
            }
            let sweep = try await mapped { try await store.sweep(context.parameters.require("sweep")) }
            let html = try await htmlReport(sweep, top: top)
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(Self.fileName(sweep.name))-sweep.html\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
        }
        for action in JobStore.SweepAction.allCases {
            api.post("/sweeps/:sweep/\(action.rawValue)") { request, context in
                let sweep = try await mapped {
                    try await store.sweep(action, context.parameters.require("sweep"), actor: actor(request, context))
                }
                scheduler.trigger()
                return sweep
            }
        }
    }

    /// Trial `text` of a sweep: its parameters, the run with them, and what the sweep stored for it.
    func trial(_ sweep: SweepRecord, _ text: String) async throws -> SweepTrial {
        let spec = try definition(sweep)
        guard let trial = Int(text), trial >= 0, trial < spec.plan.candidateLimit,
            let (chunk, records) = try await store.sweepChunk(sweep: sweep.id, holding: trial),
            let byIndex = chunk.parametersByIndex, let parameters = byIndex[trial]
        else {
            throw APIError(.notFound, code: "not_found", "sweep \"\(sweep.name)\" has no trial \(text)")
        }
        var run = spec.run
        for (name, value) in parameters { run.strategy.config[name] = value }
        let stored = try records.map { try TrialRecords.decode($0) { byIndex[$0] } }?.first { $0.index == trial }
        return SweepTrial(
            sweep: sweep.name, trial: trial, parameters: parameters, run: run, data: spec.data, chunk: chunk.chunk,
            done: records != nil, statistics: stored?.statistics, failure: stored?.failure)
    }

    /// A trial's equity curve, run again on this coordinator from the sweep's data set (a sweep on
    /// a file of the workers cannot: the coordinator has not got it).
    func curve(_ sweep: SweepRecord, _ trial: SweepTrial, buckets: Int) async throws -> SweepTrialCurve {
        guard let hash = trial.data.hash else {
            throw APIError(
                .conflict, code: "conflict",
                "sweep \"\(sweep.name)\" read \(trial.data.path) on its workers, which this coordinator has not got: run ats backtest --from-trial \(sweep.name)/\(trial.trial) --data FILE"
            )
        }
        let store = self.store
        let set = try await mapped { try await store.dataset(hash) }
        // A trained model's weights, readable here after a restart too.
        if let model = JobSpec.modelHash(trial.run.strategy.config), registry.runsModel(trial.run.strategy) {
            try await loadModels([model])
        }
        let curve: TrialCurve
        do {
            curve = try await trialCurves.curve(
                .init(sweep: sweep.id, trial: trial.trial), run: trial.run, hash: hash, registry: registry
            ) {
                Data(
                    buffer: try await store.datasetContent(set, range: 0..<set.bytes), byteTransferStrategy: .automatic)
            }
            .resampled(buckets: buckets)
        } catch let e as TrialCurves.Busy {
            throw APIError(.tooManyRequests, code: "busy", e.description)
        } catch let e as DataError {
            throw APIError(.conflict, code: "conflict", e.description)
        } catch let e as StoreError {
            throw APIError(.conflict, code: "conflict", "\(e)")
        } catch is PSQLError {
            throw APIError(.serviceUnavailable, code: "unavailable", "the database did not answer: try again")
        } catch {
            // What the strategy says of the trial's parameters.
            throw APIError(.conflict, code: "trial_fails", "trial \(trial.trial) fails: \(error)")
        }
        // Compared as JSON (every number's shortest exact form), as `ats backtest --from-trial` does;
        // nothing to compare with for a trial the sweep stopped early (or before its chunk ran).
        let encoder = JSONCoding.encoder()
        let same = try trial.statistics.map { try encoder.encode($0) == encoder.encode(curve.statistics) }
        let folds = try definition(sweep).walkForward?.folds(first: set.firstMs, end: set.lastMs + set.intervalMs) ?? []
        return SweepTrialCurve(
            sweep: sweep.name, trial: trial.trial, parameters: trial.parameters, curve: curve, sameAsSweep: same,
            testWindows: folds.map { [$0.testFrom, $0.testTo] })
    }

    /// The sweep as one HTML file: the report, the first two parameters' heatmap, the best
    /// trial's curve (when its data set is here).
    func htmlReport(_ sweep: SweepRecord, top: Int) async throws -> String {
        let spec = try definition(sweep)
        let summary = try await report(sweep, top: top)
        let names = spec.plan.space.names
        let map = names.count >= 2 ? try await heatmap(sweep, x: names[0], y: names[1]) : nil
        var best: SweepHTMLReport.SweepTrialCurveView?
        if let first = summary.top.first, spec.data.hash != nil {
            let c = try? await curve(sweep, trial(sweep, String(first.trial)), buckets: 500)
            best = c.map {
                .init(trial: $0.trial, curve: $0.curve, sameAsSweep: $0.sameAsSweep, testWindows: $0.testWindows)
            }
        }
        var definition: [(String, String)] = [
            (
                "strategy",
                spec.run.strategy.namespace + " "
                    + spec.run.strategy.config.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(
                        separator: " ")
            ),
            ("data", spec.data.set.map { "\($0) (\(spec.data.hash ?? ""))" } ?? spec.data.path),
            ("parameters", spec.plan.params.joined(separator: "  ")),
            (
                "search",
                "\(spec.plan.search.rawValue), \(sweep.trials) trials, seed \(spec.plan.seed)"
                    + (spec.plan.search == .tpe ? ", \(spec.plan.inFlight) in flight" : "")
            ),
            ("objective", spec.objective.description),
            (
                "created",
                "\(Timestamp.format(Int64(sweep.createdAt.timeIntervalSince1970 * 1000))) by \(sweep.createdBy)"
            ),
            ("chunks", "\(sweep.chunksDone) of \(sweep.chunks) done, \(sweep.chunksFailed) failed"),
        ]
        if let condition = spec.plan.condition { definition.insert(("where", condition), at: 3) }
        if let wf = spec.walkForward { definition.append(("walk-forward", wf.description)) }
        return SweepHTMLReport(
            name: sweep.name, state: sweep.state, definition: definition, report: summary, heatmap: map, best: best,
            generatedMs: Int64(Date().timeIntervalSince1970 * 1000)
        ).render()
    }

    /// A sweep's definition (an unreadable one is the API's error).
    func definition(_ sweep: SweepRecord) throws -> SweepSpec {
        guard let spec = sweep.spec else {
            throw APIError(
                .internalServerError, code: "unreadable", "sweep \"\(sweep.name)\" has an unreadable definition")
        }
        return spec
    }

    /// Folds every trial a sweep stored so far into `start(folds)` with `add`, reading the records
    /// chunk by chunk (a million trials' records are never all in memory) and decoding each off
    /// the cooperative threads; `folds` are the walk-forward folds over the span the chunks ran on
    /// (the same for every chunk: a file that differs between workers is refused). Nil when no
    /// chunk is stored. The order trials come in does not change the result (``SweepSummary/Accumulator``).
    /// `partial`: a fold of some chunks already (only the chunks stored since are read).
    func fold<A: Sendable>(
        _ sweep: SweepRecord, spec: SweepSpec, from partial: FoldedTrials<A>? = nil,
        start: @escaping @Sendable ([WalkForward.Fold]) -> A, add: @escaping @Sendable (inout A, TrialOutcome) -> Void
    ) async throws -> FoldedTrials<A>? {
        let points = try await store.sweepPoints(sweep)
        var folded = partial
        let rows = try await store.sweepRecordRows(sweep: sweep.id, excluding: Array(partial?.chunks ?? []))
        for try await (chunk, buffer) in rows.decode((Int32, ByteBuffer).self) {
            let bytes = Array(buffer: buffer)
            let span = try TrialRecords.span(bytes)
            if let folded, folded.span != span {
                throw APIError(
                    .conflict, code: "conflict",
                    "the sweep's chunks ran on data of different spans (a file that differs between workers): run it on a data set"
                )
            }
            let current =
                folded?.value ?? start(spec.walkForward?.folds(first: span.first, end: span.end) ?? [])
            let value = try await NIOThreadPool.singleton.runIfActive {
                var a = current
                let outcomes =
                    try points.map { p in try TrialRecords.decode(bytes) { p[$0] } }
                    ?? TrialRecords.decode(bytes, plan: spec.plan)
                for o in outcomes { add(&a, o) }
                return a
            }
            folded = FoldedTrials(value: value, chunks: (folded?.chunks ?? []).union([chunk]), span: span)
        }
        return folded
    }

    /// Two parameters' heatmap of the trials stored so far.
    func heatmap(_ sweep: SweepRecord, x: String, y: String) async throws -> SweepHeatmapReport {
        let spec = try definition(sweep)
        for (field, name) in [("x", x), ("y", y)] where !spec.plan.space.names.contains(name) {
            throw APIError(
                .badRequest, code: "invalid_request",
                "\(field): \"\(name)\" is not a searched parameter (\(spec.plan.space.names.joined(separator: ", ")))",
                field: field)
        }
        guard x != y else { throw APIError(.badRequest, code: "invalid_request", "x and y must differ", field: "y") }
        var choices: [String: [String]] = [:]
        for d in spec.plan.space.dimensions { if case .choice(let options) = d.range { choices[d.name] = options } }
        let objective = spec.objective
        let map =
            try await fold(
                sweep, spec: spec, start: { SweepHeatmap.Accumulator(x: x, y: y, objective: objective, folds: $0) },
                add: { $0.add($1) })?.value.heatmap(choices: choices)
            ?? SweepHeatmap.Accumulator(x: x, y: y, objective: objective).heatmap(choices: choices)
        return SweepHeatmapReport(map, x: x, y: y, objective: objective.description)
    }

    /// The trials stored so far, ranked, with the statistics beside the best (read and computed
    /// off the cooperative threads).
    func report(_ sweep: SweepRecord, top: Int) async throws -> SweepReport {
        let spec = try definition(sweep)
        // The data's span (a data set's; a file's is not known here).
        var years = 0.0
        if let hash = spec.data.hash ?? spec.data.set, let set = try? await store.dataset(hash), set.rows > 1 {
            years = Double(set.lastMs - set.firstMs + set.intervalMs) / (365.25 * 86_400_000)
        }
        let seconds = (sweep.finishedAt ?? Date()).timeIntervalSince(sweep.createdAt)
        let ledger = try await store.ledger(JobStore.LedgerKey(spec))
        // Computed once per sweep, top and stored chunks (the dashboard asks every few seconds).
        let key = SweepReports.Key(sweep: sweep.id, chunks: sweep.chunksDone, trials: sweep.trialsDone, top: top)
        var report: SweepReport
        var best: ReturnMoments?
        if let kept = reports.entry(key) {
            (report, best) = (kept.report, kept.best)
        } else {
            let (objective, planned, dataYears) = (spec.objective, Int(sweep.trials), years)
            let pilots = spec.earlyStop.map { spec.plan.pilots($0) }
            // Only the chunks stored since the last fold of this sweep and size are read.
            let folded = try await fold(
                sweep, spec: spec, from: reports.partial(sweep: sweep.id, top: top),
                start: {
                    SweepSummary.Accumulator(
                        objective: objective, keep: top, folds: $0, plannedTrials: planned, spreadFrom: pilots)
                },
                add: { $0.add($1) })
            if let folded { reports.keep(partial: folded, sweep: sweep.id, top: top) }
            let summary =
                folded?.value.summary(dataYears: dataYears)
                ?? SweepSummary.Accumulator(objective: objective, keep: top, plannedTrials: planned).summary(
                    dataYears: dataYears)
            report = SweepReport(
                summary: summary, names: spec.plan.space.names, objective: objective, top: top, seconds: 0,
                bars: summary.ranked.first?.statistics?.bars ?? 0)
            best = summary.ranked.first.flatMap { $0.statistics == nil ? nil : $0.moments }
            reports.keep(key, .init(report: report, best: best))
        }
        report.seconds = seconds
        let engines = try await store.sweepEngines(sweep: sweep.id)
        report.mixed_engines = engines.count > 1 ? engines.map { .init(engine: $0.engine, chunks: $0.chunks) } : nil
        // The best deflated by the trader's whole search on this strategy and data: N every
        // trial the ledger counts, V the variance of the Sharpe ratios of those that ran.
        if let ledger, ledger.ran > 1, let best {
            let n = Double(ledger.ran)
            let variance = max(0, (ledger.sharpeSquares - ledger.sharpeSum * ledger.sharpeSum / n) / (n - 1))
            report.research_ledger = SweepReport.Ledger(
                sweeps: Int(ledger.sweeps), trials: Int(ledger.trials),
                deflated: SharpeInference.deflatedSharpe(
                    best: best, trials: Int(ledger.trials), sharpeVariance: variance))
        }
        return report
    }
}
