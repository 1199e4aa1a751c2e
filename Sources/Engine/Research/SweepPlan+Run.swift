extension SweepPlan {
    /// The run of the sweep's first trial the strategy accepts, from `run` (the strategy with its
    /// fixed parameters): each searched parameter one the strategy declares and not also fixed,
    /// and the run resolved (strategy, exchange, fees), so a sweep that cannot run is refused
    /// before any trial.
    public func firstRun(from run: RunSpec, registry: Registry) throws(SpecError) -> RunSpec {
        let strategyName: String
        do { strategyName = try run.strategy.name(in: "strategies") } catch { throw error.nested(under: "strategy") }
        guard let entry = registry.strategies[strategyName] else {
            throw SpecError(
                field: "strategy.namespace",
                reason:
                    "unknown strategy \"\(strategyName)\" (known: \(registry.strategies.keys.sorted().joined(separator: ", ")))"
            )
        }
        let declared = Set(entry.descriptor.parameters.map(\.name))
        for name in space.names where !declared.contains(name) {
            throw SpecError(
                field: "param.\(name)",
                reason: "\(strategyName) has no such parameter (it has \(declared.sorted().joined(separator: ", ")))")
        }
        if let both = space.names.first(where: { run.strategy.config[$0] != nil }) {
            throw SpecError(field: "param.\(both)", reason: "given both as a fixed value and as a range")
        }
        // The first trial the strategy accepts (a trial it refuses fails and is counted; a sweep
        // none of whose first thousand trials it accepts is refused with the first one's reason).
        var firstError: SpecError?
        let scanned = min(candidateLimit, 1_000_000)
        let startup =
            search == .tpe
            ? TreeParzenEstimator(space: space, constraint: constraint, seed: seed, observations: []) : nil
        for parameters in (0..<scanned).lazy.compactMap({ startup?.ask($0) ?? point($0) }).prefix(1_000) {
            var start = run
            for (name, value) in parameters { start.strategy.config[name] = value }
            do {
                _ = try registry.resolve(start)
                return start
            } catch {
                firstError = firstError ?? error
            }
        }
        throw firstError
            ?? SpecError(
                field: "where", reason: "no point among the first \(scanned) candidates satisfies \(condition ?? "")")
    }
}

extension SweepPlan {
    /// Bayesian search: the parameters of trials `trials` (one batch), asked of the estimator
    /// built from `history` (every trial of the batches before, in any order). Nil when the
    /// condition refused every draw of an ask.
    public func asks(
        _ trials: Range<Int>, after history: [TrialOutcome], objective: SweepObjective
    ) -> [(index: Int, parameters: [String: ParameterValue])]? {
        let asker = TreeParzenEstimator(
            space: space, constraint: constraint, seed: seed,
            observations: history.map { o in
                let value = o.statistics.map(objective.value) ?? .nan
                return .init(trial: o.index, parameters: o.parameters, value: objective.maximize ? value : -value)
            })
        var out: [(index: Int, parameters: [String: ParameterValue])] = []
        for t in trials {
            guard let p = asker.ask(t) else { return nil }
            out.append((t, p))
        }
        return out
    }

    /// Bayesian search: the batch (a range of trials) that trial `first` starts.
    public func batch(startingAt first: Int) -> Range<Int> { first..<min(trials, first + inFlight) }
}
