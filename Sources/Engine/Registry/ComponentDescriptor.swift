/// Names and documents a registered component: what the CLI lists and what job specs are validated
/// against.
public struct ComponentDescriptor: Sendable, Hashable {
    public var name: String
    public var summary: String
    public var parameters: [ParameterSpec]

    public init(name: String, summary: String, parameters: [ParameterSpec]) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
    }

    /// Validates raw values against this component's parameters.
    public func validate(_ raw: [String: ParameterValue]) throws(SpecError) -> Parameters {
        try Parameters(validating: raw, against: parameters)
    }
}
