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
        var accumulator = Accumulator(x: x, y: y, objective: objective, folds: folds)
        for o in outcomes { accumulator.add(o) }
        self = accumulator.heatmap(choices: choices)
    }

    /// The heatmap built trial by trial, in any order: per cell the best values so far.
    public struct Accumulator: Sendable {
        struct Cell: Hashable, Sendable {
            var x: ParameterValue
            var y: ParameterValue
        }

        let x: String
        let y: String
        let objective: SweepObjective
        let folds: [WalkForward.Fold]
        let bounds: [Int64]
        let testSegments: [Int]
        let testMs: Double
        var cells: [Cell: (inSample: Double, outOfSample: Double?)] = [:]

        public init(x: String, y: String, objective: SweepObjective, folds: [WalkForward.Fold] = []) {
            self.x = x
            self.y = y
            self.objective = objective
            self.folds = folds
            // Out of sample: each test segment once (the test windows follow one another), found once.
            let bounds = WalkForward.boundaries(folds)
            self.bounds = bounds
            testSegments = folds.flatMap { WalkForwardSummary.segments(bounds, from: $0.testFrom, to: $0.testTo) }
            testMs = Double(folds.reduce(0) { $0 + $1.testTo - $1.testFrom })
        }

        public mutating func add(_ o: TrialOutcome) {
            guard let statistics = o.statistics, let px = o.parameters[x], let py = o.parameters[y] else { return }
            let key = Cell(x: px, y: py)
            let v = objective.value(statistics)
            var w: Double?
            if !folds.isEmpty, o.segments.count == bounds.count - 1 {
                var s = SegmentSums()
                for j in testSegments { s.add(o.segments[j]) }
                w = WalkForwardSummary.value(s, spanMs: testMs, objective: objective)
            }
            guard let old = cells[key] else {
                cells[key] = (v, w)
                return
            }
            var cell = old
            if objective.isBetter(v, than: cell.inSample) { cell.inSample = v }
            if let w, cell.outOfSample.map({ objective.isBetter(w, than: $0) }) ?? true { cell.outOfSample = w }
            cells[key] = cell
        }

        public func heatmap(choices: [String: [String]] = [:]) -> SweepHeatmap {
            func ordered(_ name: String, _ values: Set<ParameterValue>) -> [ParameterValue] {
                if let options = choices[name] {
                    return options.map { ParameterValue.string($0) }.filter(values.contains)
                }
                return values.sorted { (SweepHeatmap.number($0) ?? .nan) < (SweepHeatmap.number($1) ?? .nan) }
            }
            let xs = ordered(x, Set(cells.keys.map(\.x)))
            let ys = ordered(y, Set(cells.keys.map(\.y)))
            let column = Dictionary(uniqueKeysWithValues: xs.enumerated().map { ($1, $0) })
            let row = Dictionary(uniqueKeysWithValues: ys.enumerated().map { ($1, $0) })
            var inSample = [[Double?]](repeating: [Double?](repeating: nil, count: xs.count), count: ys.count)
            var outOfSample = inSample
            for (key, cell) in cells {
                guard let c = column[key.x], let r = row[key.y] else { continue }
                inSample[r][c] = cell.inSample
                outOfSample[r][c] = cell.outOfSample
            }
            return SweepHeatmap(
                xs: xs, ys: ys, inSample: inSample, outOfSample: folds.isEmpty ? nil : outOfSample)
        }
    }

    init(xs: [ParameterValue], ys: [ParameterValue], inSample: [[Double?]], outOfSample: [[Double?]]?) {
        self.xs = xs
        self.ys = ys
        self.inSample = inSample
        self.outOfSample = outOfSample
    }

    static func number(_ v: ParameterValue) -> Double? {
        switch v {
        case .int(let i): Double(i)
        case .double(let d): d
        default: nil
        }
    }
}
