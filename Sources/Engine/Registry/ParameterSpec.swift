/// Declares one parameter of a strategy, indicator, fee model or exchange: its name, type, default
/// and allowed range. Registries validate configurations against these before anything runs, so a
/// bad value is reported with its field name instead of failing mid-run.
public struct ParameterSpec: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case int(ClosedRange<Int>)
        case double(ClosedRange<Double>)
        case bool
        case string
        case choice([String])
    }

    public var name: String
    public var kind: Kind
    /// The value used when the parameter is absent. `nil` makes the parameter required, unless
    /// `optional` is set.
    public var defaultValue: ParameterValue?
    public var optional: Bool
    public var summary: String

    public init(name: String, kind: Kind, defaultValue: ParameterValue?, optional: Bool, summary: String) {
        self.name = name
        self.kind = kind
        self.defaultValue = defaultValue
        self.optional = optional
        self.summary = summary
    }

    /// An integer parameter. With `default: nil` it is required.
    public static func int(
        _ name: String, default value: Int?, range: ClosedRange<Int> = Int.min...Int.max, _ summary: String
    ) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .int(range), defaultValue: value.map { .int($0) }, optional: false, summary: summary)
    }

    /// A real-valued parameter. With `default: nil` it is optional (absent means "not set").
    public static func double(
        _ name: String, default value: Double?,
        range: ClosedRange<Double> = -Double
            .greatestFiniteMagnitude...Double
            .greatestFiniteMagnitude, _ summary: String
    ) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .double(range), defaultValue: value.map { .double($0) }, optional: value == nil,
            summary: summary)
    }

    /// A real-valued parameter that must be given.
    public static func requiredDouble(
        _ name: String, range: ClosedRange<Double> = -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude,
        _ summary: String
    ) -> ParameterSpec {
        ParameterSpec(name: name, kind: .double(range), defaultValue: nil, optional: false, summary: summary)
    }

    public static func bool(_ name: String, default value: Bool, _ summary: String) -> ParameterSpec {
        ParameterSpec(name: name, kind: .bool, defaultValue: .bool(value), optional: false, summary: summary)
    }

    public static func string(_ name: String, default value: String?, _ summary: String) -> ParameterSpec {
        ParameterSpec(
            name: name, kind: .string, defaultValue: value.map { .string($0) }, optional: value == nil,
            summary: summary)
    }

    public static func choice(_ name: String, default value: String, _ choices: [String], _ summary: String)
        -> ParameterSpec
    {
        ParameterSpec(
            name: name, kind: .choice(choices), defaultValue: .string(value), optional: false, summary: summary)
    }

    /// A human description of the accepted values, e.g. `an integer in 1...500`.
    public var expected: String {
        switch kind {
        case .int(let r):
            r == Int.min...Int.max
                ? "an integer" : "an integer in \(Self.format(r.lowerBound))...\(Self.format(r.upperBound))"
        case .double(let r):
            r.lowerBound == -Double.greatestFiniteMagnitude && r.upperBound == Double.greatestFiniteMagnitude
                ? "a number" : "a number in \(r.lowerBound)...\(r.upperBound)"
        case .bool: "true or false"
        case .string: "a string"
        case .choice(let c): "one of " + c.joined(separator: ", ")
        }
    }

    private static func format(_ i: Int) -> String {
        i == Int.max ? "∞" : i == Int.min ? "-∞" : String(i)
    }

    /// Checks and converts one raw value. Strings (from the command line) are parsed per kind;
    /// JSON numbers must already be numbers.
    public func coerce(_ raw: ParameterValue) throws(SpecError) -> ParameterValue {
        func fail(_ got: ParameterValue) -> SpecError {
            SpecError(field: name, reason: "must be \(expected), got \(got)")
        }
        switch kind {
        case .int(let range):
            let value: Int
            switch raw {
            case .int(let i): value = i
            case .double(let d) where d.rounded() == d && abs(d) < 9e15: value = Int(d)
            case .string(let s): guard let i = Int(s) else { throw fail(raw) }; value = i
            default: throw fail(raw)
            }
            guard range.contains(value) else { throw fail(raw) }
            return .int(value)
        case .double(let range):
            let value: Double
            switch raw {
            case .int(let i): value = Double(i)
            case .double(let d): value = d
            case .string(let s): guard let d = Double(s) else { throw fail(raw) }; value = d
            default: throw fail(raw)
            }
            guard value.isFinite, range.contains(value) else { throw fail(raw) }
            return .double(value)
        case .bool:
            switch raw {
            case .bool: return raw
            case .string("true"), .string("yes"), .string("1"): return .bool(true)
            case .string("false"), .string("no"), .string("0"): return .bool(false)
            default: throw fail(raw)
            }
        case .string:
            switch raw {
            case .string: return raw
            case .int(let i): return .string(String(i))
            case .double(let d): return .string(String(d))
            case .bool: throw fail(raw)
            }
        case .choice(let choices):
            guard case .string(let s) = raw, choices.contains(s) else { throw fail(raw) }
            return raw
        }
    }
}
