/// A namespaced reference to a registered component and its raw configuration, as in a job spec:
/// `{"namespace": "strategies:sma_cross", "config": {"fast": 10}}`.
public struct ComponentRef: Sendable, Hashable, Codable {
    public var namespace: String
    public var config: [String: ParameterValue]

    public init(namespace: String, config: [String: ParameterValue] = [:]) {
        self.namespace = namespace
        self.config = config
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        namespace = try c.decode(String.self, forKey: .namespace)
        config = try c.decodeIfPresent([String: ParameterValue].self, forKey: .config) ?? [:]
    }

    /// The name inside `kind` (`strategies:sma_cross` → `sma_cross`); a bare name is accepted.
    public func name(in kind: String) throws(SpecError) -> String {
        let parts = namespace.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1 where !namespace.isEmpty: return namespace
        case 2 where parts[0] == kind && !parts[1].isEmpty: return String(parts[1])
        default: throw SpecError(field: "namespace", reason: "expected \"\(kind):NAME\", got \"\(namespace)\"")
        }
    }
}
