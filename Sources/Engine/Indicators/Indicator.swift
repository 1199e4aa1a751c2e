/// An indicator that updates in O(1) per bar and also computes a whole series in batch; both give
/// identical values (the tests hold them to it), and they match TA-Lib where TA-Lib has the indicator.
///
/// Indicators are value types with Codable state, so a strategy holding them checkpoints with them.
public protocol Indicator: Sendable, Codable {
    /// Registry name, parameters and output names.
    static var descriptor: IndicatorDescriptor { get }
    init(parameters: Parameters) throws(SpecError)
    /// Feeds one bar. Returns whether the outputs are defined (false during warm-up).
    @discardableResult
    mutating func update(_ bar: Bar) -> Bool
    /// Output `k` (in `descriptor.outputs` order) after the last update; NaN during warm-up.
    func output(_ k: Int) -> Double
    /// Computes every output over a series: one column per output, NaN before warm-up.
    static func batch(_ bars: BarSeries, parameters: Parameters) throws(SpecError) -> [[Double]]
}

extension Indicator {
    /// The batch form by definition: the incremental update over every bar.
    public static func batch(_ bars: BarSeries, parameters: Parameters) throws(SpecError) -> [[Double]] {
        var indicator = try Self(parameters: parameters)
        return indicator.run(over: bars)
    }

    /// Runs this indicator over a series from its current state. Columns are written through
    /// raw pointers and bars read without bounds checks, so the batch form costs little more than
    /// the updates themselves.
    public mutating func run(over bars: BarSeries) -> [[Double]] {
        let outputs = Self.descriptor.outputs.count
        let n = bars.count
        var flat = [Double](repeating: .nan, count: outputs * n)
        flat.withUnsafeMutableBufferPointer { out in
            bars.withUnsafeColumns { columns in
                for i in 0..<n where update(columns[i]) {
                    for k in 0..<outputs { out[k * n + i] = output(k) }
                }
            }
        }
        return (0..<outputs).map { k in Array(flat[(k * n)..<((k + 1) * n)]) }
    }
}

/// A registered indicator's name, parameters and outputs.
public struct IndicatorDescriptor: Sendable, Hashable {
    public var component: ComponentDescriptor
    public var outputs: [String]

    public init(name: String, summary: String, parameters: [ParameterSpec], outputs: [String]) {
        component = ComponentDescriptor(name: name, summary: summary, parameters: parameters)
        self.outputs = outputs
    }

    public var name: String { component.name }
}

extension ParameterSpec {
    /// The usual `period` parameter.
    static func period(_ value: Int, min: Int = 1) -> ParameterSpec {
        .int("period", default: value, range: min...100_000, "number of bars in the window")
    }
}
