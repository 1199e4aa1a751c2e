import ATSCommon
import ATSEngine
import ArgumentParser

struct ComponentsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "components",
        abstract: "List strategies, indicators, fee models and exchanges with their parameters.")

    @Argument(help: "strategies, indicators, fees or exchanges (all when absent).") var kind: String?

    func run() async throws {
        let r = Registry.standard
        var sections: [(String, [(String, Registry.Origin, ComponentDescriptor)])] = []
        sections.append(("strategies", r.strategies.map { ($0.key, $0.value.origin, $0.value.descriptor) }))
        sections.append(("indicators", r.indicators.map { ($0.key, $0.value.origin, $0.value.descriptor.component) }))
        sections.append(("fees", r.fees.map { ($0.key, $0.value.origin, $0.value.type.descriptor) }))
        sections.append(("exchanges", r.exchanges.map { ($0.key, $0.value.origin, $0.value.type.descriptor) }))
        for (name, items) in sections where kind == nil || kind == name {
            print("\(name):")
            for (key, origin, d) in items.sorted(by: { $0.0 < $1.0 }) {
                print("  \(name):\(key)\(origin == .custom ? " (custom)" : "") - \(d.summary)")
                for p in d.parameters {
                    let def = p.defaultValue.map { " = \($0)" } ?? (p.optional ? " (optional)" : " (required)")
                    print("      \(p.name)\(def): \(p.expected). \(p.summary)")
                }
            }
        }
    }
}
