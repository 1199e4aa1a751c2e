import ATSCustomModules
import ATSEngine
import ATSModels

extension Registry {
    /// Built-ins (the engine's, then the trained-model indicator and strategy), then the custom
    /// modules over them: what every executable uses. A model's features may name any of its
    /// indicators.
    public static let standard: Registry = {
        var r = Registry.builtIn
        r.registerIndicator(ModelIndicator.self, origin: .builtIn)
        r.registerStrategy(LSTMStrategy.self, origin: .builtIn)
        CustomModules.register(into: &r)
        ModelLibrary.shared.indicators = r
        return r
    }()
}
