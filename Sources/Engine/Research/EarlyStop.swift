import Foundation

/// Early stopping of a walk-forward sweep's trials (docs/SWEEPS.md, "Early stopping"): a trial
/// whose first folds are clearly worse than the median stops there, and still counts as a trial.
///
/// To keep the leaderboard a pure function of the definition (not of which trials happened to
/// finish first), the median comes from a fixed sample: the **pilot** trials, every ``stride``-th
/// candidate, run whole before any other. From them, per checkpoint *k* (the end of fold *k*'s test
/// window, *k* = 1…``folds``), the objective over the test windows of folds 1…*k* joined gives a
/// median and an interquartile range; a later trial stops at the first checkpoint where its own
/// value is worse than the median by more than ``margin`` interquartile ranges (``Rule``).
/// Written `folds=2[,margin=0.5][,pilots=64]`.
public struct EarlyStop: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Checkpoints: the ends of the first `folds` folds' test windows.
    public var folds: Int
    /// How far worse than the pilots' median a trial may be, in their interquartile ranges.
    public var margin: Double
    /// The pilot trials wanted (about; every ``stride(candidates:)``-th candidate).
    public var pilots: Int

    public init(folds: Int, margin: Double = 0.5, pilots: Int = 64) {
        self.folds = folds
        self.margin = margin
        self.pilots = pilots
    }

    /// Parses `folds=2[,margin=0.5][,pilots=64]` (or a bare number of folds); errors name the field.
    public init(parsing text: String) throws(SpecError) {
        let field = "early_stop"
        var folds: Int?
        var margin = 0.5
        var pilots = 64
        for part in text.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if kv.count == 1, let n = Int(kv[0]) {
                folds = n
                continue
            }
            guard kv.count == 2 else {
                throw SpecError(field: field, reason: "expected folds=N[,margin=M][,pilots=P], got \"\(text)\"")
            }
            switch kv[0] {
            case "folds": folds = Int(kv[1])
            case "margin":
                guard let m = Double(kv[1]), m.isFinite, m >= 0 else {
                    throw SpecError(field: field, reason: "margin: a number of interquartile ranges, 0 or more")
                }
                margin = m
            case "pilots":
                guard let p = Int(kv[1]) else { throw SpecError(field: field, reason: "pilots: a whole number") }
                pilots = p
            default:
                throw SpecError(field: field, reason: "unknown \"\(kv[0])\": expected folds, margin or pilots")
            }
        }
        guard let folds, folds >= 1 else {
            throw SpecError(field: field, reason: "folds: the checkpoints, 1 or more (folds=2)")
        }
        guard (5...10_000).contains(pilots) else {
            throw SpecError(field: field, reason: "pilots: 5 to 10,000, got \(pilots)")
        }
        self.init(folds: folds, margin: margin, pilots: pilots)
    }

    public var description: String {
        "folds=\(folds),margin=\(margin),pilots=\(pilots)"
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do { self = try EarlyStop(parsing: text) } catch {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: error.description))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }

    /// Which candidates are pilots: those a hash of their number puts below a rate, about
    /// `pilots` of a plan's `candidates` (a grid's points, or random search's trials) — spread over
    /// every parameter, which every-n-th candidate of a grid (the last parameter fastest) is not.
    public struct Pilots: Sendable, Hashable, Codable {
        /// Candidates in a million that are pilots.
        public var perMillion: Int

        public init(perMillion: Int) { self.perMillion = perMillion }

        public init(from decoder: any Decoder) throws {
            perMillion = try decoder.singleValueContainer().decode(Int.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.singleValueContainer()
            try c.encode(perMillion)
        }

        public func contains(_ candidate: Int) -> Bool {
            Int(SplitMix64.mix(UInt64(truncatingIfNeeded: candidate) ^ 0x7069_6C6F_7473_0000) % 1_000_000) < perMillion
        }
    }

    /// The pilots of a plan of `candidates` candidates.
    public func pilots(candidates: Int) -> Pilots {
        Pilots(perMillion: min(1_000_000, (pilots * 1_000_000 + max(1, candidates) - 1) / max(1, candidates)))
    }

    /// Why early stopping cannot go with this sweep (nil: it can).
    public static func problem(plan: SweepPlan, walkForward: WalkForward?) -> SpecError? {
        guard walkForward != nil else {
            return SpecError(field: "early_stop", reason: "stops trials by their first folds: give --walk-forward")
        }
        guard plan.search != .tpe else {
            return SpecError(field: "early_stop", reason: "grid or random search (tpe concentrates on its own)")
        }
        return nil
    }

    /// The thresholds later trials are held to: per checkpoint, its time (fold *k*'s test end) and
    /// the value worse than which a trial stops there.
    public struct Rule: Sendable, Hashable, Codable {
        public var checkpoints: [Int64]
        public var thresholds: [Double]
        /// Each checkpoint's test windows (`[from, to)`, epoch ms), joined for the value.
        public var windows: [[Int64]]
        public var objective: SweepObjective

        public init(checkpoints: [Int64], thresholds: [Double], windows: [[Int64]], objective: SweepObjective) {
            self.checkpoints = checkpoints
            self.thresholds = thresholds
            self.windows = windows
            self.objective = objective
        }

        /// The objective over the test windows of folds 1…`k + 1` joined, from a trial's sums per
        /// segment of `bounds` (``WalkForward/boundaries(_:)``): each window's whole segments, in order.
        public func value(segments: [SegmentSums], bounds: [Int64], through k: Int) -> Double {
            var joined = SegmentSums()
            var span = 0.0
            for w in windows[0...k] {
                var s = SegmentSums()
                for j in WalkForwardSummary.segments(bounds, from: w[0], to: w[1]) where j < segments.count {
                    s.add(segments[j])
                }
                joined.add(s)
                span += Double(w[1] - w[0])
            }
            return WalkForwardSummary.value(joined, spanMs: span, objective: objective)
        }

        /// Whether `value` is worse than checkpoint `k`'s threshold (a value that is not a number is).
        public func stops(_ value: Double, at k: Int) -> Bool { objective.isBetter(thresholds[k], than: value) }
    }

    /// The rule the pilots make (nil with fewer than five pilots that ran, or no fold): per
    /// checkpoint the median and interquartile range of their values, the threshold `margin`
    /// ranges on the worse side of the median.
    public func rule(pilots: [TrialOutcome], folds windows: [WalkForward.Fold], objective: SweepObjective) -> Rule? {
        let k = min(folds, windows.count)
        guard k > 0 else { return nil }
        let bounds = WalkForward.boundaries(windows)
        let ran = pilots.filter { $0.statistics != nil && $0.segments.count == bounds.count - 1 }
        guard ran.count >= 5 else { return nil }
        let tests = windows.prefix(k).map { [$0.testFrom, $0.testTo] }
        var rule = Rule(checkpoints: tests.map { $0[1] }, thresholds: [], windows: tests, objective: objective)
        for c in 0..<k {
            let values = ran.map { rule.value(segments: $0.segments, bounds: bounds, through: c) }
                .filter(\.isFinite).sorted()
            guard values.count >= 5 else { return nil }
            let (q1, median, q3) = (
                Self.quantile(values, 0.25), Self.quantile(values, 0.5), Self.quantile(values, 0.75)
            )
            // Without spread (many pilots alike), "clearly worse" is worse than every pilot.
            guard q3 > q1 else {
                rule.thresholds.append(objective.maximize ? values[0] : values[values.count - 1])
                continue
            }
            let reach = margin * (q3 - q1)
            rule.thresholds.append(objective.maximize ? median - reach : median + reach)
        }
        return rule
    }

    /// The `p` quantile of sorted `values`, interpolated linearly (numpy's default).
    static func quantile(_ values: [Double], _ p: Double) -> Double {
        let h = p * Double(values.count - 1)
        let lo = Int(h.rounded(.down))
        let hi = min(lo + 1, values.count - 1)
        return values[lo] + (h - Double(lo)) * (values[hi] - values[lo])
    }
}
