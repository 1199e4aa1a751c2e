import Foundation
import SwiftProtobuf

/// An ONNX model as read from its file: the graph's inputs and outputs, its weights, its nodes in
/// order, the operator set it was exported for and its metadata. Reading checks everything that
/// can be checked without shapes: the operator set, and that every operator is one the executor
/// runs — an unsupported operator is refused here, by name, never during a run.
public struct ONNXGraph: Sendable {
    /// A graph input or output as declared: element type and dimensions (fixed, named or unknown).
    public struct ValueInfo: Sendable, Equatable {
        public enum Dimension: Sendable, Equatable, CustomStringConvertible {
            case fixed(Int)
            case named(String)
            case unknown

            public var description: String {
                switch self {
                case .fixed(let d): String(d)
                case .named(let s): s
                case .unknown: "?"
                }
            }
        }

        public var name: String
        public var elementType: Int32
        public var dimensions: [Dimension]

        public var typeName: String { ONNXGraph.typeName(elementType) }
        public var shapeText: String { "[" + dimensions.map(\.description).joined(separator: ", ") + "]" }
    }

    /// One operator application.
    public struct Node: Sendable {
        public var name: String
        public var opType: String
        /// Input value names; an empty name is an omitted optional input.
        public var inputs: [String]
        public var outputs: [String]
        public var attributes: [String: Attribute]

        /// The node's name, or its first output when it has none.
        public var label: String { name.isEmpty ? (outputs.first ?? "?") : name }

        /// The `i`-th input's name when given (an empty name is an omitted optional input).
        func input(_ i: Int) -> String? { i < inputs.count && !inputs[i].isEmpty ? inputs[i] : nil }
    }

    public enum Attribute: Sendable {
        case float(Float)
        case int(Int64)
        case string(String)
        case tensor(ConstantTensor)
        case floats([Float])
        case ints([Int64])
        case strings([String])
        /// A kind the executor never reads (graphs, sparse tensors, types).
        case unsupported(String)
    }

    public var inputs: [ValueInfo]
    public var outputs: [ValueInfo]
    public var initializers: [String: ConstantTensor]
    public var nodes: [Node]
    /// The default domain's operator set version.
    public var opset: Int
    public var producer: String
    public var metadata: [String: String]

    /// The operator set versions the executor follows (the versions PyTorch's exporters write).
    public static let opsets = 7...23

    public init(serialized bytes: Data) throws(ModelError) {
        let model: Onnx_ModelProto
        do {
            model = try Onnx_ModelProto(serializedBytes: bytes)
        } catch {
            throw ModelError("not an ONNX model (\(bytes.count) bytes that do not parse as a ModelProto)")
        }
        guard model.hasGraph, !model.graph.node.isEmpty else { throw ModelError("the model has no graph") }
        var opset: Int?
        for o in model.opsetImport where o.domain.isEmpty || o.domain == "ai.onnx" { opset = Int(o.version) }
        guard let opset else { throw ModelError("the model imports no default-domain operator set") }
        guard Self.opsets.contains(opset) else {
            throw ModelError(
                "operator set \(opset) is outside the versions the executor follows (\(Self.opsets.lowerBound)..."
                    + "\(Self.opsets.upperBound)); export with opset_version in that range")
        }
        let graph = model.graph
        var initializers: [String: ConstantTensor] = [:]
        for t in graph.initializer { initializers[t.name] = try ConstantTensor(t, name: t.name) }
        guard graph.sparseInitializer.isEmpty else { throw ModelError("sparse initializers are not supported") }
        var nodes: [Node] = []
        var unsupported: [String: Int] = [:]
        for n in graph.node {
            var attributes: [String: Attribute] = [:]
            for a in n.attribute { attributes[a.name] = try Self.attribute(a) }
            let node = Node(name: n.name, opType: n.opType, inputs: n.input, outputs: n.output, attributes: attributes)
            if !(n.domain.isEmpty || n.domain == "ai.onnx") || !Self.supportedOperators.contains(n.opType) {
                let key = n.domain.isEmpty || n.domain == "ai.onnx" ? n.opType : "\(n.domain).\(n.opType)"
                unsupported[key, default: 0] += 1
            }
            nodes.append(node)
        }
        if !unsupported.isEmpty {
            let names = unsupported.keys.sorted().map { unsupported[$0]! > 1 ? "\($0) (×\(unsupported[$0]!))" : $0 }
            throw ModelError(
                "unsupported operator\(names.count > 1 ? "s" : ""): \(names.joined(separator: ", ")) "
                    + "(supported: \(Self.supportedOperators.sorted().joined(separator: ", ")))")
        }
        func info(_ v: Onnx_ValueInfoProto) -> ValueInfo {
            let t = v.type.tensorType
            return ValueInfo(
                name: v.name, elementType: t.elemType,
                dimensions: t.shape.dim.map { d in
                    switch d.value {
                    case .dimValue(let x): .fixed(Int(x))
                    case .dimParam(let s): .named(s)
                    case nil: .unknown
                    }
                })
        }
        // Older exporters list initializers among the inputs: those are weights, not inputs.
        inputs = graph.input.filter { initializers[$0.name] == nil }.map(info)
        outputs = graph.output.map(info)
        guard !inputs.isEmpty, !outputs.isEmpty else {
            throw ModelError("the graph needs at least one input and one output")
        }
        self.initializers = initializers
        self.nodes = nodes
        self.opset = opset
        producer = [model.producerName, model.producerVersion].filter { !$0.isEmpty }.joined(separator: " ")
        metadata = Dictionary(model.metadataProps.map { ($0.key, $0.value) }, uniquingKeysWith: { _, b in b })
    }

    /// The number of weights (floating-point initializer elements; integer ones are shapes and
    /// indices).
    public var parameterCount: Int { initializers.values.reduce(0) { $0 + ($1.isFloat ? $1.count : 0) } }

    /// How many nodes of each operator, by name.
    public var operatorCounts: [String: Int] {
        nodes.reduce(into: [:]) { $0[$1.opType, default: 0] += 1 }
    }

    private static func attribute(_ a: Onnx_AttributeProto) throws(ModelError) -> Attribute {
        switch a.type {
        case .float: return .float(a.f)
        case .int: return .int(a.i)
        case .string: return .string(String(decoding: a.s, as: UTF8.self))
        case .tensor: return .tensor(try ConstantTensor(a.t, name: a.name))
        case .floats: return .floats(a.floats)
        case .ints: return .ints(a.ints)
        case .strings: return .strings(a.strings.map { String(decoding: $0, as: UTF8.self) })
        default: return .unsupported("\(a.type)")
        }
    }

    static func typeName(_ t: Int32) -> String {
        switch t {
        case 1: "float"
        case 2: "uint8"
        case 3: "int8"
        case 4: "uint16"
        case 5: "int16"
        case 6: "int32"
        case 7: "int64"
        case 8: "string"
        case 9: "bool"
        case 10: "float16"
        case 11: "double"
        case 16: "bfloat16"
        default: "type \(t)"
        }
    }
}
