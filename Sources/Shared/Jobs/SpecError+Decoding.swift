import ATSEngine

extension SpecError {
    /// Names the field a JSON decoding failure is about: `strategy.config.fast: expected …`.
    public init(decoding error: DecodingError) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
                .replacingOccurrences(of: ".[", with: "[")
        }
        switch error {
        case .keyNotFound(let key, let c):
            self.init(field: path(c.codingPath + [key]), reason: "is required")
        case .typeMismatch(let type, let c):
            self.init(field: path(c.codingPath), reason: "expected \(Self.describe(type))")
        case .valueNotFound(let type, let c):
            self.init(field: path(c.codingPath), reason: "expected \(Self.describe(type)), got null")
        case .dataCorrupted(let c):
            self.init(field: path(c.codingPath), reason: c.debugDescription)
        @unknown default:
            self.init(field: "", reason: "\(error)")
        }
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: "a string"
        case is Int.Type, is Int64.Type: "an integer"
        case is Double.Type: "a number"
        case is Bool.Type: "true or false"
        default: "\(type)"
        }
    }
}
