/// Compiles an ``ONNXGraph`` for fixed input shapes: every value's shape is known, whatever
/// depends only on shapes and weights is folded into constants, and what remains becomes steps
/// over fixed places in memory.
struct ProgramBuilder {
    enum Value {
        case constant(ConstantTensor)
        case runtime(Ref, [Int])

        var shape: [Int] {
            switch self {
            case .constant(let t): t.shape
            case .runtime(_, let s): s
            }
        }
    }

    let graph: ONNXGraph
    let streaming: Bool
    var values: [String: Value] = [:]
    var weights: [Float] = []
    var template: [Float] = []
    var steps: [Step] = []
    var carried: [Range<Int>] = []
    /// Constants already placed, by value name: in the weights, and in instance memory.
    var weightRefs: [String: Ref] = [:]
    var memoryRefs: [String: Ref] = [:]

    init(graph: ONNXGraph, streaming: Bool) {
        self.graph = graph
        self.streaming = streaming
    }

    /// `count` floats of instance memory, zeroed.
    mutating func allocate(_ count: Int) -> Ref {
        let r = template.count
        template.append(contentsOf: repeatElement(0, count: count))
        return r
    }

    func value(_ name: String, _ node: ONNXGraph.Node) throws(ModelError) -> Value {
        guard let v = values[name] else { throw .node(node, "input \"\(name)\" is not produced by any earlier node") }
        return v
    }

    func constant(_ name: String?, _ node: ONNXGraph.Node, _ what: String) throws(ModelError) -> ConstantTensor? {
        guard let name else { return nil }
        guard case .constant(let t) = try value(name, node) else {
            throw .node(node, "\(what) must be known before the model runs (a constant or a function of shapes)")
        }
        return t
    }

    /// Where a kernel reads a value: runtime values in memory, constants in the shared weights.
    mutating func ref(_ name: String, _ node: ONNXGraph.Node) throws(ModelError) -> (Ref, [Int]) {
        switch try value(name, node) {
        case .runtime(let r, let shape): return (r, shape)
        case .constant(let t):
            if let r = weightRefs[name] { return (r, t.shape) }
            let r = -(weights.count + 1)
            weights.append(contentsOf: t.floats)
            weightRefs[name] = r
            return (r, t.shape)
        }
    }

    /// A constant placed in the weights under a name of its own (a transposed or expanded copy).
    mutating func weight(_ t: ConstantTensor) -> Ref {
        let r = -(weights.count + 1)
        weights.append(contentsOf: t.floats)
        return r
    }

    /// Where a copy step reads a value: always in instance memory (constants copied there).
    mutating func memoryRef(_ name: String, _ node: ONNXGraph.Node) throws(ModelError) -> (Ref, [Int]) {
        switch try value(name, node) {
        case .runtime(let r, let shape): return (r, shape)
        case .constant(let t):
            if let r = memoryRefs[name] { return (r, t.shape) }
            let r = template.count
            template.append(contentsOf: t.floats)
            memoryRefs[name] = r
            return (r, t.shape)
        }
    }

    mutating func set(_ name: String, _ v: Value) { if !name.isEmpty { values[name] = v } }

    /// The result of moving data by an index map: folded when the source is a constant, a copy
    /// step otherwise.
    mutating func move(_ source: String, map: [Int], shape: [Int], to output: String, _ node: ONNXGraph.Node)
        throws(ModelError)
    {
        switch try value(source, node) {
        case .constant(let t): set(output, .constant(t.gathered(map, shape: shape)))
        case .runtime(let base, _):
            let out = allocate(map.count)
            steps.append(.copy(out: out, sources: map.map { Int32(base + $0) }))
            set(output, .runtime(out, shape))
        }
    }

    /// The value as a constant transposed or expanded by `map` (folded) or a copy step, for a
    /// kernel to read.
    mutating func moved(_ source: String, map: [Int], shape: [Int], _ node: ONNXGraph.Node) throws(ModelError) -> Ref {
        switch try value(source, node) {
        case .constant(let t): return weight(t.gathered(map, shape: shape))
        case .runtime(let base, _):
            let out = allocate(map.count)
            steps.append(.copy(out: out, sources: map.map { Int32(base + $0) }))
            return out
        }
    }

    /// What a compiled program is made of.
    struct Parts {
        var steps: [Step]
        var weights: [Float]
        var template: [Float]
        var inputs: [ModelProgram.Slot]
        var outputs: [ModelProgram.Slot]
        var carried: [Range<Int>]
    }

    mutating func compile(inputShapes: [String: [Int]]) throws(ModelError) -> Parts {
        for (name, t) in graph.initializers { values[name] = .constant(t) }
        var inputs: [ModelProgram.Slot] = []
        for info in graph.inputs {
            guard let shape = inputShapes[info.name] else {
                throw ModelError("input \"\(info.name)\" \(info.shapeText) needs a shape to compile for")
            }
            guard info.elementType == 1 || info.elementType == 11 else {
                throw ModelError("input \"\(info.name)\" is \(info.typeName); the executor feeds float inputs only")
            }
            guard shape.count == info.dimensions.count || info.dimensions.isEmpty else {
                throw ModelError("input \"\(info.name)\" is \(info.shapeText), not of rank \(shape.count) as \(shape)")
            }
            for (d, dim) in zip(shape, info.dimensions) {
                if case .fixed(let f) = dim, f != d {
                    throw ModelError("input \"\(info.name)\" is \(info.shapeText), which does not fit \(shape)")
                }
            }
            let r = allocate(shape.reduce(1, *))
            values[info.name] = .runtime(r, shape)
            inputs.append(.init(name: info.name, offset: r, shape: shape))
        }
        if let extra = Set(inputShapes.keys).subtracting(graph.inputs.map(\.name)).sorted().first {
            throw ModelError(
                "the model has no input \"\(extra)\" (inputs: \(graph.inputs.map(\.name).joined(separator: ", ")))")
        }
        for node in graph.nodes { try compile(node) }
        var outputs: [ModelProgram.Slot] = []
        for info in graph.outputs {
            guard let v = values[info.name] else { throw ModelError("output \"\(info.name)\" is never computed") }
            switch v {
            case .runtime(let r, let shape): outputs.append(.init(name: info.name, offset: r, shape: shape))
            case .constant(let t):
                let r = template.count
                template.append(contentsOf: t.floats)
                outputs.append(.init(name: info.name, offset: r, shape: t.shape))
            }
        }
        guard template.count < Int(Int32.max) else {
            throw ModelError("the model needs more than 2³¹ floats of memory")
        }
        return Parts(
            steps: steps, weights: weights, template: template, inputs: inputs, outputs: outputs, carried: carried)
    }

    mutating func compile(_ node: ONNXGraph.Node) throws(ModelError) {
        switch node.opType {
        case "Constant", "Identity", "Dropout", "Cast", "Shape", "ConstantOfShape", "Reshape", "Flatten", "Squeeze",
            "Unsqueeze", "Transpose", "Slice", "Gather", "Concat", "Expand", "Split":
            try compileShapeOperator(node)
        case "Gemm": try compileGemm(node)
        case "MatMul": try compileMatMul(node)
        case "LSTM", "GRU": try compileRecurrent(node)
        case "Conv": try compileConv(node)
        case "LayerNormalization": try compileLayerNorm(node)
        case "BatchNormalization": try compileBatchNorm(node)
        case "Softmax", "LogSoftmax": try compileSoftmax(node)
        case "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin": try compileReduce(node)
        case "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min": try compileBinary(node)
        default: try compileUnary(node)
        }
    }
}

extension ModelProgram {
    /// Compiles `graph` for the given shape of each input. `streaming` makes recurrent layers
    /// carry their state from one run to the next (each run one more step of the sequence).
    public convenience init(graph: ONNXGraph, inputShapes: [String: [Int]], streaming: Bool = false)
        throws(ModelError)
    {
        var builder = ProgramBuilder(graph: graph, streaming: streaming)
        let p = try builder.compile(inputShapes: inputShapes)
        self.init(
            steps: p.steps, weights: p.weights, template: p.template, inputs: p.inputs, outputs: p.outputs,
            carried: p.carried, streaming: streaming)
    }
}

extension ONNXGraph.Node {
    func int(_ name: String, _ fallback: Int) -> Int {
        if case .int(let v) = attributes[name] { return Int(v) }
        return fallback
    }

    func float(_ name: String, _ fallback: Float) -> Float {
        if case .float(let v) = attributes[name] { return v }
        return fallback
    }

    func string(_ name: String, _ fallback: String) -> String {
        if case .string(let v) = attributes[name] { return v }
        return fallback
    }

    func ints(_ name: String) -> [Int]? {
        if case .ints(let v) = attributes[name] { return v.map { Int($0) } }
        return nil
    }

    func strings(_ name: String) -> [String]? {
        if case .strings(let v) = attributes[name] { return v }
        return nil
    }

    /// An axis attribute made non-negative for a tensor of `rank`, or an error naming it.
    func axis(_ value: Int, rank: Int, _ what: String = "axis") throws(ModelError) -> Int {
        let a = value < 0 ? value + rank : value
        guard a >= 0 && a < max(rank, 1) else {
            throw ModelError.node(self, "\(what) \(value) is outside rank \(rank)")
        }
        return a
    }
}
