/// What a model is, as read: who made it, its operator set, its weights, its inputs and outputs
/// (`name type [dims]`), its operators and its metadata. What `ats model add/show` print and
/// what the cluster stores beside the file.
public struct ModelSummary: Sendable, Codable, Hashable {
    public var producer: String
    public var opset: Int
    public var weights: Int
    public var inputs: [String]
    public var outputs: [String]
    public var operators: [String: Int]
    public var metadata: [String: String]

    public init(_ g: ONNXGraph) {
        producer = g.producer
        opset = g.opset
        weights = g.parameterCount
        inputs = g.inputs.map { "\($0.name) \($0.typeName) \($0.shapeText)" }
        outputs = g.outputs.map { "\($0.name) \($0.typeName) \($0.shapeText)" }
        operators = g.operatorCounts
        metadata = g.metadata
    }

    /// One line each: producer, operator set and weights; inputs; outputs; operators; metadata.
    public var text: String {
        var s = "producer \(producer.isEmpty ? "?" : producer), operator set \(opset), \(weights) weights\n"
        for i in inputs { s += "input  \(i)\n" }
        for o in outputs { s += "output \(o)\n" }
        s += "operators " + operators.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: " ")
        s += "\n"
        for (k, v) in metadata.sorted(by: { $0.key < $1.key }) { s += "metadata \(k) = \(v)\n" }
        return s
    }
}
