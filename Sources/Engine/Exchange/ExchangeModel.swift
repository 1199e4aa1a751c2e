/// A venue as the engine sees it for backtests and paper trading: its instrument rules and the
/// simulation policy. Register a custom one with ``Registry/registerExchange(_:)``; one registered
/// under a built-in's name replaces it.
public protocol ExchangeModel: Sendable {
    static var descriptor: ComponentDescriptor { get }
    init(parameters: Parameters) throws(SpecError)
    /// The rules for trading `base`/`quote` on this venue.
    func instrument(base: String, quote: String) -> Instrument
    /// How orders fill against bars.
    var simulation: SimulationConfig { get }
}
