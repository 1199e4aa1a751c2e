/// The parameters a sweep varies, in the order they were given, and the trials they make. A grid
/// trial and a random trial are pure functions of the space, the seed and the trial's index, so
/// any worker can run any range of trials and nothing needs storing before a trial runs.
public struct ParameterSpace: Sendable, Hashable, Codable {
    public struct Dimension: Sendable, Hashable, Codable {
        public var name: String
        public var range: ParameterRange
    }

    public private(set) var dimensions: [Dimension]

    /// From `name=kind:range` flags (`fast=int:5..50:5`); errors name the flag's parameter.
    public init(parsing flags: [String]) throws(SpecError) {
        var dimensions: [Dimension] = []
        for flag in flags {
            guard let eq = flag.firstIndex(of: "="), eq != flag.startIndex else {
                throw SpecError(field: "param", reason: "expected name=kind:range, got \"\(flag)\"")
            }
            let name = String(flag[..<eq])
            guard !dimensions.contains(where: { $0.name == name }) else {
                throw SpecError(field: "param.\(name)", reason: "given twice")
            }
            do {
                dimensions.append(
                    Dimension(name: name, range: try ParameterRange(parsing: String(flag[flag.index(after: eq)...]))))
            } catch { throw error.nested(under: "param.\(name)") }
        }
        guard !dimensions.isEmpty else {
            throw SpecError(field: "param", reason: "a sweep varies at least one parameter")
        }
        self.dimensions = dimensions
    }

    public var names: [String] { dimensions.map(\.name) }

    /// The number of grid points, or nil when a dimension is continuous (or the product passes
    /// `Int.max`).
    public var gridCount: Int? {
        var total = 1
        for d in dimensions {
            guard let n = d.range.gridCount else { return nil }
            let (product, overflow) = total.multipliedReportingOverflow(by: n)
            guard !overflow else { return nil }
            total = product
        }
        return total
    }

    /// Grid point `index`: the index read as a mixed-radix number, the last dimension fastest.
    public func gridPoint(_ index: Int) -> [String: ParameterValue] {
        var rest = index
        var point: [String: ParameterValue] = [:]
        for d in dimensions.reversed() {
            let n = d.range.gridCount!
            point[d.name] = d.range.gridValue(rest % n)
            rest /= n
        }
        return point
    }

    /// Random draw `draw` of the sweep seeded `seed`: each dimension uniform over its values,
    /// from a generator seeded by both (the same point on any machine, in any order).
    public func randomPoint(seed: UInt64, draw: Int) -> [String: ParameterValue] {
        // Seed and draw mixed through the finaliser: draws start at unrelated points of the
        // sequence (seed ^ draw·γ would make draw d's second value draw d + 1's first).
        var generator = SplitMix64(seed: SplitMix64.mix(seed &+ SplitMix64.mix(UInt64(truncatingIfNeeded: draw))))
        var point: [String: ParameterValue] = [:]
        for d in dimensions {
            // 53 random bits: a uniform double in [0, 1).
            point[d.name] = d.range.value(at: Double(generator.next() >> 11) * 0x1p-53)
        }
        return point
    }
}

extension ParameterSpace {
    /// `point` with each value in its parameter's kind: a float or log parameter's whole number
    /// (as JSON reads `3.0`) made a double again, so a run is the same as with the value asked.
    public func normalized(_ point: [String: ParameterValue]) -> [String: ParameterValue] {
        var out = point
        for d in dimensions {
            switch (d.range, point[d.name]) {
            case (.float, .int(let i)?), (.log, .int(let i)?): out[d.name] = .double(Double(i))
            default: break
            }
        }
        return out
    }

    /// A `--where` condition over this space's parameters: a choice is text, the rest numbers.
    public func constraint(_ text: String) throws(SpecError) -> ParameterConstraint {
        var textNames = Set<String>()
        var numberNames = Set<String>()
        for d in dimensions {
            if case .choice = d.range { textNames.insert(d.name) } else { numberNames.insert(d.name) }
        }
        return try ParameterConstraint(parsing: text, textNames: textNames, numberNames: numberNames)
    }
}
