import ATSEngine

/// Any registered indicator as a Codable value: its registry name, its parameters and its own
/// state, so a model's features checkpoint with the model.
struct BoxedIndicator: Codable, Sendable {
    var name: String
    var parameters: [String: ParameterValue]
    var indicator: any Indicator

    init(name: String, parameters: [String: ParameterValue], registry: Registry) throws(SpecError) {
        let (type, p) = try registry.indicator(IndicatorCall(name: name, raw: parameters))
        self.name = name
        self.parameters = parameters
        indicator = try type.init(parameters: p)
    }

    enum CodingKeys: String, CodingKey { case name, parameters, state }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        parameters = try c.decode([String: ParameterValue].self, forKey: .parameters)
        guard let entry = ModelLibrary.shared.indicators.indicators[name] else {
            throw DecodingError.dataCorruptedError(
                forKey: .name, in: c, debugDescription: "indicator \"\(name)\" is not registered here")
        }
        func decode<I: Indicator>(_ type: I.Type) throws -> any Indicator { try c.decode(I.self, forKey: .state) }
        indicator = try decode(entry.type)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(parameters, forKey: .parameters)
        func encode<I: Indicator>(_ i: I) throws { try c.encode(i, forKey: .state) }
        try encode(indicator)
    }
}
