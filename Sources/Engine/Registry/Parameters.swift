/// Validated parameter values: every declared parameter is present (or optional and absent) with
/// the declared type, and nothing undeclared is there. Accessors therefore never fail.
public struct Parameters: Sendable, Hashable {
    public private(set) var values: [String: ParameterValue]

    /// Validates `raw` against `specs`: unknown names, missing required values, wrong types and
    /// out-of-range values throw a ``SpecError`` naming the parameter.
    public init(validating raw: [String: ParameterValue], against specs: [ParameterSpec]) throws(SpecError) {
        var values: [String: ParameterValue] = [:]
        let known = Set(specs.map(\.name))
        for name in raw.keys.sorted() where !known.contains(name) {
            let list = specs.map(\.name).joined(separator: ", ")
            throw SpecError(field: name, reason: "unknown parameter (known: \(list.isEmpty ? "none" : list))")
        }
        for spec in specs {
            if let given = raw[spec.name] {
                values[spec.name] = try spec.coerce(given)
            } else if let value = spec.defaultValue {
                values[spec.name] = value
            } else if !spec.optional {
                throw SpecError(field: spec.name, reason: "is required (\(spec.expected))")
            }
        }
        self.values = values
    }

    /// These values with `changes` set, checked as ``init(validating:against:)`` checks a whole
    /// configuration: the same values, and the same first error, as validating these values with
    /// the changes written over them (`self` validated against `specs`). A sweep's trial changes a
    /// few parameters of one validated configuration: only those are checked and written.
    public func replacing(_ changes: [String: ParameterValue], against specs: [ParameterSpec]) throws(SpecError)
        -> Parameters
    {
        var out = self
        var first: (index: Int, error: SpecError)?
        for (name, given) in changes {
            var declared = false
            // Each declaration of the name in order (a name declared twice: the last one's value).
            for k in specs.indices where specs[k].name == name {
                declared = true
                do throws(SpecError) {
                    out.values[name] = try specs[k].coerce(given)
                } catch {
                    // The whole validation reports the first failure in declaration order.
                    if first == nil || k < first!.index { first = (k, error) }
                }
            }
            guard declared else {
                // An unknown name: the whole validation's error, as it reports it (before any other).
                var raw = values
                for (name, value) in changes { raw[name] = value }
                return try Parameters(validating: raw, against: specs)
            }
        }
        if let first { throw first.error }
        return out
    }

    /// Parses `name=value` pairs as given on the command line.
    public static func parseAssignments(_ pairs: [String]) throws(SpecError) -> [String: ParameterValue] {
        var raw: [String: ParameterValue] = [:]
        for pair in pairs {
            guard let eq = pair.firstIndex(of: "="), eq != pair.startIndex else {
                throw SpecError(field: pair, reason: "expected name=value")
            }
            raw[String(pair[..<eq])] = .string(String(pair[pair.index(after: eq)...]))
        }
        return raw
    }

    public func int(_ name: String) -> Int {
        if case .int(let v) = values[name] { return v }
        preconditionFailure("parameter \(name) is not a validated integer")
    }

    public func double(_ name: String) -> Double {
        if let v = optionalDouble(name) { return v }
        preconditionFailure("parameter \(name) is not a validated number")
    }

    public func optionalDouble(_ name: String) -> Double? {
        switch values[name] {
        case .double(let v): v
        case .int(let v): Double(v)
        default: nil
        }
    }

    public func bool(_ name: String) -> Bool {
        if case .bool(let v) = values[name] { return v }
        preconditionFailure("parameter \(name) is not a validated boolean")
    }

    public func string(_ name: String) -> String {
        if let v = optionalString(name) { return v }
        preconditionFailure("parameter \(name) is not a validated string")
    }

    public func optionalString(_ name: String) -> String? {
        if case .string(let v) = values[name] { return v }
        return nil
    }
}
