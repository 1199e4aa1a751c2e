import ATSEngine
import Foundation

/// One input column of a model, computed bar by bar: a bar field (`open`, `high`, `low`,
/// `close`, `volume`, `buy_volume`, `sell_volume`) or an indicator's output (`rsi_14`: the
/// indicator's parameters in its declared order; `macd_12_26_9.signal`: an output by name), then
/// optionally transformed: `_return` (x/x₋₁ − 1), `_logret` (ln x/x₋₁), `_diff` (x − x₋₁) or
/// `_z[N]` (the z-score over the last N values, N the model's window when omitted).
struct ModelFeature: Codable, Sendable {
    enum Field: String, Codable, Sendable, CaseIterable {
        case open, high, low, close, volume
        case buyVolume = "buy_volume"
        case sellVolume = "sell_volume"

        func value(_ bar: Bar) -> Double {
            switch self {
            case .open: bar.open
            case .high: bar.high
            case .low: bar.low
            case .close: bar.close
            case .volume: bar.volume
            case .buyVolume: bar.buyVolume
            case .sellVolume: bar.sellVolume
            }
        }
    }

    enum Transform: Codable, Sendable, Equatable {
        case none, simpleReturn, logReturn, difference
        case zScore(Int)
    }

    var text: String
    var field: Field?
    var indicator: BoxedIndicator?
    var output: Int
    var transform: Transform
    var previous: Double = .nan
    /// The last values for a z-score (a ring), and how many were seen.
    var recent: [Double] = []
    var seen: Int = 0

    /// Parses one feature; `window` is the model's (the default z-score span).
    init(parsing text: String, window: Int, registry: Registry) throws(SpecError) {
        self.text = text
        var base = text
        var transform = Transform.none
        for (suffix, t) in [("_return", Transform.simpleReturn), ("_logret", .logReturn), ("_diff", .difference)]
        where transform == .none && base.hasSuffix(suffix) {
            base = String(base.dropLast(suffix.count))
            transform = t
        }
        if transform == .none, let r = base.range(of: "_z", options: .backwards),
            base[r.upperBound...].allSatisfy(\.isNumber)
        {
            let digits = base[r.upperBound...]
            let span = digits.isEmpty ? window : Int(digits) ?? 0
            guard span >= 2 else {
                throw SpecError(field: "features", reason: "\"\(text)\": a z-score needs at least 2 values")
            }
            transform = .zScore(span)
            base = String(base[..<r.lowerBound])
        }
        self.transform = transform
        if case .zScore(let n) = transform { recent = .init(repeating: 0, count: n) }
        if let f = Field(rawValue: base) {
            field = f
            output = 0
            return
        }
        // An indicator: the longest registered name the text starts with, then its parameters.
        var outputName: String?
        // An output by name after the last dot (a parameter may hold a dot: bbands_20_2.5.upper).
        if let dot = base.lastIndex(of: "."), base[base.index(after: dot)...].allSatisfy({ $0.isLetter || $0 == "_" }),
            base.index(after: dot) < base.endIndex
        {
            outputName = String(base[base.index(after: dot)...])
            base = String(base[..<dot])
        }
        let names = registry.indicators.keys.filter { $0 != "model" && (base == $0 || base.hasPrefix($0 + "_")) }
        guard let name = names.max(by: { $0.count < $1.count }), let entry = registry.indicators[name] else {
            throw SpecError(
                field: "features",
                reason:
                    "\"\(text)\" is neither a bar field (\(Field.allCases.map(\.rawValue).joined(separator: ", "))) "
                    + "nor an indicator (e.g. rsi_14, macd_12_26_9.signal), with an optional _return, _logret, _diff or _z"
            )
        }
        let values = base == name ? [] : base.dropFirst(name.count + 1).split(separator: "_").map(String.init)
        let specs = entry.descriptor.component.parameters
        guard values.count <= specs.count else {
            throw SpecError(
                field: "features", reason: "\"\(text)\": \(name) takes \(specs.count) parameter(s), got \(values.count)"
            )
        }
        var raw: [String: ParameterValue] = [:]
        for (spec, v) in zip(specs, values) { raw[spec.name] = .string(v) }
        do {
            indicator = try BoxedIndicator(name: name, parameters: raw, registry: registry)
        } catch {
            throw SpecError(field: "features", reason: "\"\(text)\": \(error)")
        }
        let outputs = entry.descriptor.outputs
        if let outputName {
            guard let k = outputs.firstIndex(of: outputName) else {
                throw SpecError(
                    field: "features", reason: "\"\(text)\": \(name) has outputs \(outputs.joined(separator: ", "))")
            }
            output = k
        } else {
            output = 0
        }
    }

    /// Feeds one bar; the feature's value, NaN while it warms up.
    mutating func update(_ bar: Bar) -> Double {
        let x: Double
        if let field {
            x = field.value(bar)
        } else {
            x = indicator!.indicator.update(bar) ? indicator!.indicator.output(output) : .nan
        }
        switch transform {
        case .none:
            return x
        case .simpleReturn, .logReturn, .difference:
            defer { previous = x }
            guard previous.isFinite, x.isFinite else { return .nan }
            if transform == .difference { return x - previous }
            guard previous != 0 else { return .nan }
            return transform == .simpleReturn ? x / previous - 1 : Foundation.log(x / previous)
        case .zScore(let n):
            guard x.isFinite else { return .nan }
            recent[seen % n] = x
            seen += 1
            guard seen >= n else { return .nan }
            var mean = 0.0
            for v in recent { mean += v }
            mean /= Double(n)
            var variance = 0.0
            for v in recent { variance += (v - mean) * (v - mean) }
            let sd = (variance / Double(n)).squareRoot()
            // A flat stretch is 0, not ±1 from the mean's rounding.
            return sd > 1e-12 * max(abs(mean), 1e-300) ? (x - mean) / sd : 0
        }
    }
}
