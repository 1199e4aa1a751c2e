/// Does nothing (the seed's test strategy): the baseline for engine overhead and data checks.
public struct NoopStrategy: Strategy {
    public static var finishedOrdersKept: Int { 0 }  // it never asks for a finished order

    public static let descriptor = ComponentDescriptor(
        name: "noop", summary: "Places no orders; measures the engine and checks data.", parameters: [])

    public init(parameters: Parameters) throws(SpecError) {}

    public mutating func onBar<V: TradingVenue>(_ bar: Bar, venue: inout V) {}
}
