import Foundation

/// The values a sweep gives one strategy parameter, as written on the command line:
/// `int:5..50:5` (both ends included), `float:0.5..3:0.25`, `float:0.5..3` (continuous: random
/// search only), `log:0.0001..0.1` (log-uniform, continuous) or `choice:ema|sma`.
public enum ParameterRange: Sendable, Hashable, Codable, CustomStringConvertible {
    case int(ClosedRange<Int>, step: Int)
    case float(ClosedRange<Double>, step: Double?)
    case log(ClosedRange<Double>)
    case choice([String])

    /// Parses the part after `name=`; the error names what is wrong.
    public init(parsing text: String) throws(SpecError) {
        let field = ""  // the caller nests it under the parameter's name
        guard let colon = text.firstIndex(of: ":") else {
            throw SpecError(field: field, reason: "expected int:, float:, log: or choice: before the range")
        }
        let kind = text[..<colon]
        let rest = String(text[text.index(after: colon)...])
        func bounds(_ s: Substring) throws(SpecError) -> (Double, Double) {
            let parts = s.components(separatedBy: "..")
            guard parts.count == 2, let lo = Double(parts[0]), let hi = Double(parts[1]), lo.isFinite, hi.isFinite
            else { throw SpecError(field: field, reason: "expected LOW..HIGH, got \"\(s)\"") }
            guard lo <= hi else {
                throw SpecError(field: field, reason: "the low end \(lo) is above the high end \(hi)")
            }
            return (lo, hi)
        }
        let pieces = rest.split(separator: ":", omittingEmptySubsequences: false)
        switch kind {
        case "int":
            guard pieces.count <= 2 else { throw SpecError(field: field, reason: "expected int:LOW..HIGH[:STEP]") }
            let (lo, hi) = try bounds(pieces[0])
            guard lo == lo.rounded(), hi == hi.rounded(), abs(lo) < 1e15, abs(hi) < 1e15 else {
                throw SpecError(field: field, reason: "int bounds must be whole numbers")
            }
            let step = pieces.count == 2 ? Int(pieces[1]) : 1
            guard let step, step > 0 else {
                throw SpecError(field: field, reason: "the step must be a positive integer")
            }
            self = .int(Int(lo)...Int(hi), step: step)
        case "float":
            guard pieces.count <= 2 else { throw SpecError(field: field, reason: "expected float:LOW..HIGH[:STEP]") }
            let (lo, hi) = try bounds(pieces[0])
            var step: Double?
            if pieces.count == 2 {
                guard let s = Double(pieces[1]), s > 0, s.isFinite else {
                    throw SpecError(field: field, reason: "the step must be a positive number")
                }
                guard (hi - lo) / s <= 10_000_000 else {
                    throw SpecError(field: field, reason: "more than 10,000,000 values")
                }
                step = s
            }
            self = .float(lo...hi, step: step)
        case "log":
            guard pieces.count == 1 else { throw SpecError(field: field, reason: "expected log:LOW..HIGH") }
            let (lo, hi) = try bounds(pieces[0])
            guard lo > 0 else { throw SpecError(field: field, reason: "a log range must be above zero") }
            self = .log(lo...hi)
        case "choice":
            let options = rest.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
            guard !options.isEmpty, options.allSatisfy({ !$0.isEmpty }) else {
                throw SpecError(field: field, reason: "expected choice:A|B|…")
            }
            guard Set(options).count == options.count else {
                throw SpecError(field: field, reason: "a choice is listed twice")
            }
            self = .choice(options)
        default:
            throw SpecError(field: field, reason: "unknown kind \"\(kind)\": expected int, float, log or choice")
        }
    }

    /// How many values a grid takes, or nil when the range is continuous.
    public var gridCount: Int? {
        switch self {
        case .int(let r, let step): return (r.upperBound - r.lowerBound) / step + 1
        case .float(let r, let step?):
            // The quotient's rounding scaled to the operands: 0.3 / 0.1 is 2.9999999999999996.
            let slack = 4 * Double.ulpOfOne * (abs(r.lowerBound) + abs(r.upperBound)) / step + 1e-9
            return Int(((r.upperBound - r.lowerBound) / step + slack).rounded(.down)) + 1
        case .float(_, nil), .log: return nil
        case .choice(let options): return options.count
        }
    }

    /// The grid's value `k` (0 ≤ k < ``gridCount``). A float step is taken as lo + k·step (so that
    /// a value does not carry the rounding of the ones before it), never past the high end.
    public func gridValue(_ k: Int) -> ParameterValue {
        switch self {
        case .int(let r, let step): return .int(r.lowerBound + k * step)
        case .float(let r, let step): return .double(min(r.lowerBound + Double(k) * (step ?? 0), r.upperBound))
        case .log(let r): return .double(r.lowerBound)
        case .choice(let options): return .string(options[k])
        }
    }

    /// The value at `u` in [0, 1): uniform over the grid's values, the interval, or its logarithm.
    public func value(at u: Double) -> ParameterValue {
        if let count = gridCount { return gridValue(min(Int(u * Double(count)), count - 1)) }
        switch self {
        case .float(let r, _): return .double(r.lowerBound + u * (r.upperBound - r.lowerBound))
        case .log(let r):
            return .double(
                Foundation.exp(
                    Foundation.log(r.lowerBound) + u * (Foundation.log(r.upperBound) - Foundation.log(r.lowerBound))))
        default: preconditionFailure("a grid range has a count")
        }
    }

    public var description: String {
        switch self {
        case .int(let r, let step): return "int:\(r.lowerBound)..\(r.upperBound)" + (step == 1 ? "" : ":\(step)")
        case .float(let r, let step): return "float:\(r.lowerBound)..\(r.upperBound)" + (step.map { ":\($0)" } ?? "")
        case .log(let r): return "log:\(r.lowerBound)..\(r.upperBound)"
        case .choice(let options): return "choice:" + options.joined(separator: "|")
        }
    }
}
