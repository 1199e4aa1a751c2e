/// The built-in `simulated` exchange: instrument rules and fill policy all come from parameters.
public struct SimulatedVenue: ExchangeModel {
    public var tickSize: Double
    public var stepSize: Double
    public var minQuantity: Double
    public var minNotional: Double
    public var simulation: SimulationConfig

    public static let descriptor = ComponentDescriptor(
        name: "simulated",
        summary: "Simulated spot venue: fills from bars under an explicit policy.",
        parameters: simulationParameters + [
            .double("tick_size", default: 0, range: 0...1e9, "price increment (0: none)"),
            .double("step_size", default: 0, range: 0...1e9, "quantity increment (0: none)"),
            .double("min_quantity", default: 0, range: 0...1e15, "smallest order quantity"),
            .double("min_notional", default: 0, range: 0...1e15, "smallest order value in quote"),
        ])

    /// The fill-policy parameters every simulated venue shares.
    public static let simulationParameters: [ParameterSpec] = [
        .choice(
            "market_fill", default: "next_open", SimulationConfig.MarketFill.allCases.map(\.rawValue),
            "market orders fill at the next bar's open, or at the signal bar's close"),
        .double("max_volume_share", default: 0, range: 0...1, "cap on the share of a bar's volume traded (0: none)"),
        .double("slippage_ticks", default: 0, range: 0...1e6, "adverse slippage in ticks on taker fills"),
        .double("slippage_fraction", default: 0, range: 0...0.5, "adverse slippage as a fraction of price"),
        .bool("allow_short", default: false, "allow a negative base balance"),
    ]

    /// Reads the fill policy from validated parameters.
    public static func simulation(from p: Parameters) -> SimulationConfig {
        SimulationConfig(
            marketFill: SimulationConfig.MarketFill(rawValue: p.string("market_fill")) ?? .nextOpen,
            maxVolumeShare: p.double("max_volume_share"), slippageTicks: p.double("slippage_ticks"),
            slippageFraction: p.double("slippage_fraction"), allowShort: p.bool("allow_short"))
    }

    public init(parameters p: Parameters) throws(SpecError) {
        tickSize = p.double("tick_size")
        stepSize = p.double("step_size")
        minQuantity = p.double("min_quantity")
        minNotional = p.double("min_notional")
        simulation = Self.simulation(from: p)
    }

    public func instrument(base: String, quote: String) -> Instrument {
        Instrument(
            base: base, quote: quote, tickSize: tickSize, stepSize: stepSize, minQuantity: minQuantity,
            minNotional: minNotional)
    }
}
