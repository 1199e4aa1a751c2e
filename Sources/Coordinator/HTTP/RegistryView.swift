import ATSEngine
import ATSShared
import Hummingbird

/// The registry as JSON: every component by namespace, with its parameters and origin.
struct RegistryView: ResponseEncodable {
    struct Parameter: Encodable {
        var name: String
        var expected: String
        var `default`: ParameterValue?
        var required: Bool
        var summary: String
        /// int, double, bool, string or choice (the dashboard's form picks its input by it).
        var kind: String
        var choices: [String]?
    }

    struct Component: Encodable {
        var namespace: String
        var origin: String
        var summary: String
        var parameters: [Parameter]
        var outputs: [String]?
    }

    var components: [Component]

    init(_ r: Registry) {
        func params(_ specs: [ParameterSpec]) -> [Parameter] {
            specs.map {
                Parameter(
                    name: $0.name, expected: $0.expected, default: $0.defaultValue,
                    required: $0.defaultValue == nil && !$0.optional, summary: $0.summary, kind: Self.kind($0.kind),
                    choices: Self.choices($0.kind))
            }
        }
        var out: [Component] = []
        for (name, e) in r.strategies.sorted(by: { $0.key < $1.key }) {
            out.append(
                Component(
                    namespace: "strategies:\(name)", origin: e.origin.rawValue, summary: e.descriptor.summary,
                    parameters: params(e.descriptor.parameters)))
        }
        for (name, e) in r.indicators.sorted(by: { $0.key < $1.key }) {
            out.append(
                Component(
                    namespace: "indicators:\(name)", origin: e.origin.rawValue, summary: e.descriptor.component.summary,
                    parameters: params(e.descriptor.component.parameters), outputs: e.descriptor.outputs))
        }
        for (name, e) in r.fees.sorted(by: { $0.key < $1.key }) {
            out.append(
                Component(
                    namespace: "fees:\(name)", origin: e.origin.rawValue, summary: e.type.descriptor.summary,
                    parameters: params(e.type.descriptor.parameters)))
        }
        for (name, e) in r.exchanges.sorted(by: { $0.key < $1.key }) {
            out.append(
                Component(
                    namespace: "exchanges:\(name)", origin: e.origin.rawValue, summary: e.type.descriptor.summary,
                    parameters: params(e.type.descriptor.parameters)))
        }
        components = out
    }

    static func kind(_ k: ParameterSpec.Kind) -> String {
        switch k {
        case .int: "int"
        case .double: "double"
        case .bool: "bool"
        case .string: "string"
        case .choice: "choice"
        }
    }

    static func choices(_ k: ParameterSpec.Kind) -> [String]? {
        if case .choice(let c) = k { c } else { nil }
    }
}
