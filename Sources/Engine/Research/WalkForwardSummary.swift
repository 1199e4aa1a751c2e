/// A sweep's walk-forward test (docs/SWEEPS.md "Walk-forward"): for each fold the trial best on
/// its train window (by the objective over that window's returns; ties to the lower trial), that
/// trial's test window out of sample, the test windows joined into one out-of-sample run, and the
/// walk-forward efficiency — the out-of-sample return a year over the in-sample return a year of
/// the trials chosen. Every number comes from the trials' segment sums (``SegmentSums``), so it is
/// the same wherever the trials ran.
public struct WalkForwardSummary: Sendable {
    public struct Fold: Sendable {
        public var window: WalkForward.Fold
        /// The trial chosen on the train window (nil: no trial ran).
        public var trial: Int?
        public var parameters: [String: ParameterValue]
        /// The objective over the train window, of the trial chosen.
        public var inSample: Double
        public var outOfSampleReturn: Double
        public var outOfSampleSharpe: Double
    }

    public var folds: [Fold]
    /// The test windows joined: their return, Sharpe ratio and return a year.
    public var outOfSampleReturn: Double
    public var outOfSampleSharpe: Double
    public var outOfSampleAnnual: Double
    /// The chosen trials' train windows joined: return a year.
    public var inSampleAnnual: Double
    /// Out-of-sample return a year over in-sample return a year (nil when the latter is not above zero).
    public var efficiency: Double?
    /// Equity through the test windows, from the starting equity: at each fold's test end.
    public var curve: [(timeMs: Int64, equity: Double)]

    /// The segments (indices into `bounds`' gaps) that make up the window `from..<to`.
    static func segments(_ bounds: [Int64], from: Int64, to: Int64) -> Range<Int> {
        func index(_ t: Int64) -> Int { PartitionPoint.first(in: bounds.count) { bounds[$0] >= t } }
        let (a, b) = (index(from), index(to))
        return a < b ? a..<b : a..<a
    }

    /// The objective over a window of `spanMs` whose returns' sums are `s`.
    static func value(_ s: SegmentSums, spanMs: Double, objective: SweepObjective) -> Double {
        switch objective.statistic {
        case "sharpe": s.sharpe(spanMs: spanMs)
        case "sortino": s.sortino(spanMs: spanMs)
        case "cagr": s.annualReturn(spanMs: spanMs)
        default: s.totalReturn
        }
    }

    /// The objectives a fold can be ranked by from sums.
    public static let objectives: Set<String> = ["sharpe", "sortino", "total_return", "cagr"]

    /// `outcomes`' segments are over ``WalkForward/boundaries(_:)`` of `folds`.
    public init?(
        outcomes: [TrialOutcome], folds windows: [WalkForward.Fold], objective: SweepObjective, startEquity: Double
    ) {
        var accumulator = Accumulator(folds: windows, objective: objective)
        for o in outcomes { accumulator.add(o) }
        guard let summary = accumulator.summary(startEquity: startEquity) else { return nil }
        self = summary
    }

    /// The walk-forward test built trial by trial, in any order: per fold the trial best on its
    /// train window (ties to the lower trial) and its sums over both windows, nothing else kept.
    public struct Accumulator: Sendable {
        struct Choice: Sendable {
            var trial: Int
            var value: Double
            var parameters: [String: ParameterValue]
            var train: SegmentSums
            var test: SegmentSums
        }

        let windows: [WalkForward.Fold]
        let bounds: [Int64]
        let objective: SweepObjective
        var chosen: [Choice?]

        public init(folds windows: [WalkForward.Fold], objective: SweepObjective) {
            self.windows = windows
            bounds = WalkForward.boundaries(windows)
            self.objective = objective
            chosen = [Choice?](repeating: nil, count: windows.count)
        }

        /// A window's sums: its whole segments.
        func sums(_ o: TrialOutcome, from: Int64, to: Int64) -> SegmentSums {
            var s = SegmentSums()
            for j in WalkForwardSummary.segments(bounds, from: from, to: to) { s.add(o.segments[j]) }
            return s
        }

        /// A trial that ran, for every fold; one stopped early, for the folds it ran through.
        public mutating func add(_ o: TrialOutcome) {
            let usable = o.statistics != nil ? windows.count : min(windows.count, o.stoppedAtFold ?? 0)
            guard usable > 0, o.segments.count == bounds.count - 1 else { return }
            for (f, w) in windows.prefix(usable).enumerated() {
                let train = sums(o, from: w.trainFrom, to: w.trainTo)
                let v = WalkForwardSummary.value(train, spanMs: Double(w.trainTo - w.trainFrom), objective: objective)
                if let c = chosen[f] {
                    let better = objective.isBetter(v, than: c.value)
                    let tie = !better && !objective.isBetter(c.value, than: v)
                    guard better || (tie && o.index < c.trial) else { continue }
                }
                chosen[f] = Choice(
                    trial: o.index, value: v, parameters: o.parameters, train: train,
                    test: sums(o, from: w.testFrom, to: w.testTo))
            }
        }

        public func summary(startEquity: Double) -> WalkForwardSummary? {
            guard !windows.isEmpty, chosen.contains(where: { $0 != nil }),
                WalkForwardSummary.objectives.contains(objective.statistic)
            else { return nil }
            return WalkForwardSummary(windows: windows, chosen: chosen, startEquity: startEquity)
        }
    }

    init(windows: [WalkForward.Fold], chosen: [Accumulator.Choice?], startEquity: Double) {
        var out: [Fold] = []
        var test = SegmentSums()
        var train = SegmentSums()
        var testMs = 0.0
        var trainMs = 0.0
        var equity = startEquity
        var curve: [(Int64, Double)] = []
        for (w, choice) in zip(windows, chosen) {
            guard let choice else { continue }
            test.add(choice.test)
            train.add(choice.train)
            testMs += Double(w.testTo - w.testFrom)
            trainMs += Double(w.trainTo - w.trainFrom)
            equity *= 1 + choice.test.totalReturn
            curve.append((w.testTo, equity))
            out.append(
                Fold(
                    window: w, trial: choice.trial, parameters: choice.parameters, inSample: choice.value,
                    outOfSampleReturn: choice.test.totalReturn,
                    outOfSampleSharpe: choice.test.sharpe(spanMs: Double(w.testTo - w.testFrom))))
        }
        folds = out
        outOfSampleReturn = test.totalReturn
        outOfSampleSharpe = test.sharpe(spanMs: testMs)
        outOfSampleAnnual = test.annualReturn(spanMs: testMs)
        inSampleAnnual = train.annualReturn(spanMs: trainMs)
        efficiency = inSampleAnnual > 0 ? outOfSampleAnnual / inSampleAnnual : nil
        self.curve = curve.map { (timeMs: $0.0, equity: $0.1) }
    }
}
