import ATSEngine

/// Example custom exchange: a simulated venue with Binance spot's BTCUSDT rules (tick 0.01, step
/// 0.00001, minimum notional 5 USDT) for backtests that must respect what the venue would accept.
public struct BinanceSimVenue: ExchangeModel {
    public var simulation: SimulationConfig

    public static let descriptor = ComponentDescriptor(
        name: "binance_sim",
        summary: "Example custom exchange: simulated fills under Binance spot BTCUSDT filters.",
        parameters: SimulatedVenue.simulationParameters)

    public init(parameters p: Parameters) throws(SpecError) {
        simulation = SimulatedVenue.simulation(from: p)
    }

    public func instrument(base: String, quote: String) -> Instrument {
        Instrument(base: base, quote: quote, tickSize: 0.01, stepSize: 0.00001, minQuantity: 0.00001, minNotional: 5)
    }
}
