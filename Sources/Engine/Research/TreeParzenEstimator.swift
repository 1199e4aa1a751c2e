import Foundation

/// Bayesian search by the tree-structured Parzen estimator (Bergstra, Bardenet, Bengio and Kégl,
/// *Algorithms for Hyper-Parameter Optimization*, 2011), univariate as Optuna's `TPESampler`
/// defaults to: the trials so far are split into the best γ(n) = min(⌈n/10⌉, 25) and the rest;
/// each parameter gets a Parzen density over the good values, l(x), and over the rest, g(x) (a
/// truncated normal per value with Optuna's bandwidths, plus a prior over the whole range); an ask
/// draws ``candidates`` points from l, drops those the sweep's condition refuses, and returns the
/// one with the greatest l(x)/g(x) (summed over the parameters in logs).
///
/// A model is a pure function of its trials (in any order: ties go to the lower trial number) and
/// an ask of (model, seed, trial number), so a batch of asks is the same on any machine and after
/// any failover (docs/SWEEPS.md, "Bayesian search").
public struct TreeParzenEstimator: Sendable {
    /// A finished trial as the model reads it: its parameters and its objective's value oriented
    /// so that higher is better (not finite: failed, left out of the densities).
    public struct Observation: Sendable {
        public var trial: Int
        public var parameters: [String: ParameterValue]
        public var value: Double

        public init(trial: Int, parameters: [String: ParameterValue], value: Double) {
            self.trial = trial
            self.parameters = parameters
            self.value = value
        }
    }

    /// Trials drawn at random (uniform over the space) before the model is used.
    public static let startupTrials = 10
    /// Points drawn from l(x) per ask (Optuna's `n_ei_candidates`).
    static let candidates = 24
    /// Draws an ask tries before it gives up on the condition.
    static let draws = 1_000

    let space: ParameterSpace
    let constraint: ParameterConstraint?
    let seed: UInt64
    /// Per dimension, the good trials' density and the rest's (nil: too few trials, asks are random).
    let densities: [(good: Density, rest: Density)]?

    public init(
        space: ParameterSpace, constraint: ParameterConstraint?, seed: UInt64, observations: [Observation]
    ) {
        self.space = space
        self.constraint = constraint
        self.seed = seed
        let finite = observations.filter { $0.value.isFinite }
        guard finite.count >= Self.startupTrials else {
            densities = nil
            return
        }
        let ranked = finite.sorted { $0.value != $1.value ? $0.value > $1.value : $0.trial < $1.trial }
        let good = min((finite.count + 9) / 10, 25)
        densities = space.dimensions.map { d in
            let values = ranked.map { Density.coordinate(of: $0.parameters[d.name], in: d.range) }
            return (Density(d.range, values[..<good]), Density(d.range, values[good...]))
        }
    }

    /// Trial `trial`'s parameters: random before ``startupTrials`` trials have finished, then the
    /// best of ``candidates`` draws from the good trials' density. Nil only when the condition
    /// refused every one of ``draws`` uniform draws.
    public func ask(_ trial: Int) -> [String: ParameterValue]? {
        // Its own stream (a tag keeps it apart from random search's draws of the same number).
        var generator = SplitMix64(
            seed: SplitMix64.mix(seed &+ SplitMix64.mix(UInt64(truncatingIfNeeded: trial) ^ 0x7470_655F_6173_6B00)))
        func uniform() -> Double { Double(generator.next() >> 11) * 0x1p-53 }
        if let densities {
            var best: (point: [String: ParameterValue], score: Double)?
            var accepted = 0
            var drawn = 0
            while accepted < Self.candidates && drawn < Self.candidates * 100 {
                drawn += 1
                var point: [String: ParameterValue] = [:]
                var score = 0.0
                for (d, density) in zip(space.dimensions, densities) {
                    let x = density.good.sample(uniform(), uniform())
                    point[d.name] = x.value
                    score += density.good.logDensity(x.coordinate) - density.rest.logDensity(x.coordinate)
                }
                guard constraint?.accepts(point) ?? true else { continue }
                accepted += 1
                // The first of equal scores: the same choice on every machine.
                if best == nil || score > best!.score { best = (point, score) }
            }
            if let best { return best.point }
        }
        for _ in 0..<Self.draws {
            var point: [String: ParameterValue] = [:]
            for d in space.dimensions { point[d.name] = d.range.value(at: uniform()) }
            if constraint?.accepts(point) ?? true { return point }
        }
        return nil
    }
}

extension TreeParzenEstimator {
    /// One parameter's Parzen density over a set of its values (and a prior over its range), in
    /// the coordinates the model works in: the value for int and float, its logarithm for log, the
    /// option's number for choice.
    struct Density: Sendable {
        let range: ParameterRange
        /// Numbers: the kernels' centres, widths and the range's ends (widened by half a step
        /// where values are stepped, as Optuna does); choice: the options' probabilities.
        var centres: [Double] = []
        var widths: [Double] = []
        var low = 0.0
        var high = 0.0
        /// Each kernel's −log(width · mass on [low, high]) − log √(2π): its log density is this
        /// minus z²/2.
        var offsets: [Double] = []
        var probabilities: [Double] = []

        /// The prior's weight, against one per observed value (Optuna's `prior_weight`).
        static let priorWeight = 1.0

        init(_ range: ParameterRange, _ values: ArraySlice<Double>) {
            self.range = range
            switch range {
            case .choice(let options):
                var counts = [Double](repeating: Self.priorWeight / Double(options.count), count: options.count)
                for v in values where v >= 0 && Int(v) < options.count { counts[Int(v)] += 1 }
                let total = counts.reduce(0, +)
                probabilities = counts.map { $0 / total }
                return
            // Stepped values own half a step each side: the range ends half a step past its last
            // value, not past its upper bound (which a step need not reach).
            case .int(let r, let step):
                low = Double(r.lowerBound) - Double(step) / 2
                high = Double(r.lowerBound + (range.gridCount! - 1) * step) + Double(step) / 2
            case .float(let r, let step?):
                guard case .double(let last) = range.gridValue(range.gridCount! - 1) else { return }
                low = r.lowerBound - step / 2
                high = last + step / 2
            case .float(let r, nil):
                low = r.lowerBound
                high = r.upperBound
            case .log(let r):
                low = Foundation.log(r.lowerBound)
                high = Foundation.log(r.upperBound)
            }
            let width = high - low
            guard width > 0 else { return }
            // Optuna's bandwidths: each value's distance to its farther neighbour among the sorted
            // values and the prior's centre, clipped to [width / min(100, 1 + n), width]; the prior
            // spans the range.
            let prior = (low + high) / 2
            let sorted = (values.filter(\.isFinite).map { min(max($0, low), high) } + [prior]).sorted()
            let floor = width / Double(min(100, sorted.count + 1))
            var priorTaken = false
            for (k, c) in sorted.enumerated() {
                if c == prior && !priorTaken {
                    priorTaken = true
                    centres.append(c)
                    widths.append(width)
                    continue
                }
                let left = k > 0 ? c - sorted[k - 1] : 0
                let right = k + 1 < sorted.count ? sorted[k + 1] - c : 0
                centres.append(c)
                widths.append(min(max(max(left, right), floor), width))
            }
            offsets = zip(centres, widths).map { c, w in
                let mass = max(NormalDistribution.cdf((high - c) / w) - NormalDistribution.cdf((low - c) / w), 1e-300)
                return -Foundation.log(w * mass) - 0.5 * Foundation.log(2 * Double.pi)
            }
        }

        /// A value's coordinate (nil or of another kind: not finite, left out).
        static func coordinate(of value: ParameterValue?, in range: ParameterRange) -> Double {
            switch (range, value) {
            case (.choice(let options), .string(let s)?): return options.firstIndex(of: s).map(Double.init) ?? .nan
            case (.log, .double(let d)?): return d > 0 ? Foundation.log(d) : .nan
            case (.log, .int(let i)?): return i > 0 ? Foundation.log(Double(i)) : .nan
            case (.int, .int(let i)?), (.float, .int(let i)?): return Double(i)
            case (.int, .double(let d)?), (.float, .double(let d)?): return d
            default: return .nan
            }
        }

        /// A draw from the density from two uniforms in [0, 1): a kernel by weight, then its
        /// truncated normal by inversion; the value snapped to the range's values and its coordinate.
        func sample(_ u: Double, _ v: Double) -> (value: ParameterValue, coordinate: Double) {
            switch range {
            case .choice(let options):
                var k = 0
                var acc = probabilities[0]
                while u >= acc && k + 1 < options.count {
                    k += 1
                    acc += probabilities[k]
                }
                return (.string(options[k]), Double(k))
            default:
                guard !centres.isEmpty else { return snap(low) }
                let k = min(Int(u * Double(centres.count)), centres.count - 1)
                let (c, w) = (centres[k], widths[k])
                let a = NormalDistribution.cdf((low - c) / w)
                let b = NormalDistribution.cdf((high - c) / w)
                let p = a + v * (b - a)
                let x = p <= 0 ? low : p >= 1 ? high : c + w * NormalDistribution.quantile(p)
                return snap(min(max(x, low), high))
            }
        }

        /// The range's value nearest coordinate `x`, and that value's coordinate.
        func snap(_ x: Double) -> (value: ParameterValue, coordinate: Double) {
            switch range {
            case .int(let r, let step):
                let k = min(max(((x - Double(r.lowerBound)) / Double(step)).rounded(), 0), Double(range.gridCount! - 1))
                let v = r.lowerBound + Int(k) * step
                return (.int(v), Double(v))
            case .float(let r, let step?):
                let k = min(max(((x - r.lowerBound) / step).rounded(), 0), Double(range.gridCount! - 1))
                let v = range.gridValue(Int(k))
                if case .double(let d) = v { return (v, d) }
                return (v, x)
            case .float(let r, nil):
                let v = min(max(x, r.lowerBound), r.upperBound)
                return (.double(v), v)
            case .log(let r):
                let v = min(max(Foundation.exp(x), r.lowerBound), r.upperBound)
                return (.double(v), Foundation.log(v))
            case .choice(let options):
                let k = min(max(Int(x.rounded()), 0), options.count - 1)
                return (.string(options[k]), Double(k))
            }
        }

        /// log of the density at coordinate `x` (choice: the option's probability); 0 for a range
        /// of one value (every draw the same).
        func logDensity(_ x: Double) -> Double {
            if case .choice = range {
                let k = Int(x)
                return k >= 0 && k < probabilities.count ? Foundation.log(probabilities[k]) : -.infinity
            }
            guard !centres.isEmpty else { return 0 }
            // log Σ (1/n) φ((x − c)/w) / (w · mass), summed in one pass around the largest term so
            // far (no allocation; no underflow far from every kernel).
            var top = -Double.infinity
            var sum = 0.0
            for k in centres.indices {
                let z = (x - centres[k]) / widths[k]
                let t = offsets[k] - 0.5 * z * z
                if t > top {
                    sum = sum * Foundation.exp(top - t) + 1
                    top = t
                } else {
                    sum += Foundation.exp(t - top)
                }
            }
            guard top.isFinite else { return -.infinity }
            return top + Foundation.log(sum / Double(centres.count))
        }
    }
}
