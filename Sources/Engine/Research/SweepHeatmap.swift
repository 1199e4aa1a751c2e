/// A sweep's trials over two of its parameters (`ats sweep heatmap`): per cell (a value of `x`
/// and one of `y`), the best objective among the trials there (other parameters vary), in sample
/// (over the whole span, the trials' statistics) and, with walk-forward, out of sample (over the
/// test windows joined, each trial's own: what its parameters did where they were not chosen).
public struct SweepHeatmap: Sendable {
    /// The parameters' values present, in order (numbers by value, choices as given).
    public var xs: [ParameterValue]
    public var ys: [ParameterValue]
    /// `[y][x]`: the best objective in the cell, nil where no trial ran.
    public var inSample: [[Double?]]
    public var outOfSample: [[Double?]]?

    /// `choices`: a choice parameter's options in the order given (its cells follow them).
    public init(
        outcomes: [TrialOutcome], x: String, y: String, objective: SweepObjective, folds: [WalkForward.Fold] = [],
        choices: [String: [String]] = [:]
    ) {
        let ran = outcomes.filter { $0.statistics != nil }
        func ordered(_ name: String) -> [ParameterValue] {
            let values = Set(ran.compactMap { $0.parameters[name] })
            if let options = choices[name] {
                return options.map { ParameterValue.string($0) }.filter(values.contains)
            }
            return values.sorted { (Self.number($0) ?? .nan) < (Self.number($1) ?? .nan) }
        }
        xs = ordered(x)
        ys = ordered(y)
        let column = Dictionary(uniqueKeysWithValues: xs.enumerated().map { ($1, $0) })
        let row = Dictionary(uniqueKeysWithValues: ys.enumerated().map { ($1, $0) })
        var inSample = [[Double?]](repeating: [Double?](repeating: nil, count: xs.count), count: ys.count)
        var outOfSample = inSample
        // Out of sample: each test segment once (the test windows follow one another), found once.
        let bounds = WalkForward.boundaries(folds)
        let testSegments = folds.flatMap { WalkForwardSummary.segments(bounds, from: $0.testFrom, to: $0.testTo) }
        let testMs = Double(folds.reduce(0) { $0 + $1.testTo - $1.testFrom })
        for o in ran {
            guard let px = o.parameters[x], let py = o.parameters[y], let c = column[px], let r = row[py] else {
                continue
            }
            let v = objective.value(o.statistics!)
            if inSample[r][c].map({ objective.isBetter(v, than: $0) }) ?? true { inSample[r][c] = v }
            guard !folds.isEmpty, o.segments.count == bounds.count - 1 else { continue }
            var s = SegmentSums()
            for j in testSegments { s.add(o.segments[j]) }
            let w = WalkForwardSummary.value(s, spanMs: testMs, objective: objective)
            if outOfSample[r][c].map({ objective.isBetter(w, than: $0) }) ?? true { outOfSample[r][c] = w }
        }
        self.inSample = inSample
        self.outOfSample = folds.isEmpty ? nil : outOfSample
    }

    static func number(_ v: ParameterValue) -> Double? {
        switch v {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
}
