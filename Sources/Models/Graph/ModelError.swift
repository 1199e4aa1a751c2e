/// Why a model cannot be read, compiled or run: said once, with the operator, node or input at
/// fault, at registration or compilation (never in the middle of a run).
public struct ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) { self.message = message }

    public var description: String { message }

    /// A node's problem, named by its operator and its name (or first output).
    static func node(_ node: ONNXGraph.Node, _ reason: String) -> ModelError {
        ModelError("\(node.opType) node \"\(node.label)\": \(reason)")
    }
}
