/// An indicator as written on the command line: `macd:fast=12,slow=26,signal=9`, or a bare name
/// for the defaults.
public struct IndicatorCall: Sendable, Hashable {
    public var name: String
    public var raw: [String: ParameterValue]

    public init(name: String, raw: [String: ParameterValue]) {
        self.name = name
        self.raw = raw
    }

    public init(parsing text: String) throws(SpecError) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, !first.isEmpty else {
            throw SpecError(field: "indicator", reason: "expected NAME[:param=value,...], got \"\(text)\"")
        }
        name = String(first)
        raw = parts.count > 1 ? try Parameters.parseAssignments(parts[1].split(separator: ",").map(String.init)) : [:]
    }

    /// The column names `ats indicators` writes: `macd_12_26_9.signal` style, or the bare output
    /// name for a single-output indicator with default parameters.
    public func columnNames(outputs: [String]) -> [String] {
        let suffix = raw.keys.sorted().map { k -> String in
            if case .string(let s) = raw[k]! { return s }
            return raw[k]!.description
        }
        let base = ([name] + suffix).joined(separator: "_")
        return outputs.count == 1 ? [base] : outputs.map { "\(base).\($0)" }
    }
}

extension Registry {
    /// Looks up and validates an indicator call, naming the parameter at fault.
    public func indicator(_ call: IndicatorCall) throws(SpecError) -> (type: any Indicator.Type, parameters: Parameters)
    {
        guard let entry = indicators[call.name] else {
            throw SpecError(
                field: "indicator",
                reason:
                    "unknown indicator \"\(call.name)\" (known: \(indicators.keys.sorted().joined(separator: ", ")))")
        }
        do {
            return (entry.type, try entry.descriptor.component.validate(call.raw))
        } catch {
            throw error.nested(under: call.name)
        }
    }
}
