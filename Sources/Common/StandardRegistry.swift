import ATSCustomModules
import ATSEngine

extension Registry {
    /// Built-ins, then the custom modules over them: what every executable uses.
    public static let standard: Registry = {
        var r = Registry.builtIn
        CustomModules.register(into: &r)
        return r
    }()
}
