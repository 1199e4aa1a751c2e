import ATSEngine

/// The trader's own components (the seed's `custom_modules/`). Add a type in this target and list
/// it here; a component registered under a built-in's name replaces the built-in everywhere: the
/// CLI, job validation and the workers. The four below are examples, one of each kind.
public enum CustomModules {
    public static func register(into registry: inout Registry) {
        registry.registerStrategy(Momentum.self)
        registry.registerIndicator(TypicalPrice.self)
        registry.registerFeeModel(BasisPointFees.self)
        registry.registerExchange(BinanceSimVenue.self)
    }
}
