/// A configuration problem, naming the field at fault and why, e.g.
/// `strategy.config.fast: must be an integer, got "ten"`.
public struct SpecError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Dotted path of the offending field.
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    /// The same error with its field nested under `prefix`.
    public func nested(under prefix: String) -> SpecError {
        SpecError(field: field.isEmpty ? prefix : "\(prefix).\(field)", reason: reason)
    }

    public var description: String { "\(field): \(reason)" }
}
