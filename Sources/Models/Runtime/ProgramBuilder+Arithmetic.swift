extension ProgramBuilder {
    mutating func compileUnary(_ node: ONNXGraph.Node) throws(ModelError) {
        var alpha: Float = 0
        var beta: Float = 0
        let op: UnaryOp
        switch node.opType {
        case "Relu": op = .relu
        case "LeakyRelu": (op, alpha) = (.leakyRelu, node.float("alpha", 0.01))
        case "Sigmoid": op = .sigmoid
        case "HardSigmoid": (op, alpha, beta) = (.hardSigmoid, node.float("alpha", 0.2), node.float("beta", 0.5))
        case "Tanh": op = .tanh
        case "Elu": (op, alpha) = (.elu, node.float("alpha", 1))
        case "Selu":
            (op, alpha, beta) = (
                .selu, node.float("alpha", 1.67326319217681884765625), node.float("gamma", 1.05070102214813232421875)
            )
        case "Softplus": op = .softplus
        case "Softsign": op = .softsign
        case "Gelu": op = node.string("approximate", "none") == "tanh" ? .geluTanh : .gelu
        case "Clip":
            op = .clip
            if graph.opset >= 11 {
                alpha = try constant(node.input(1), node, "min")?.floats.first ?? -.infinity
                beta = try constant(node.input(2), node, "max")?.floats.first ?? .infinity
            } else {
                alpha = node.float("min", -.greatestFiniteMagnitude)
                beta = node.float("max", .greatestFiniteMagnitude)
            }
        case "Neg": op = .neg
        case "Abs": op = .abs
        case "Sqrt": op = .sqrt
        case "Reciprocal": op = .reciprocal
        case "Exp": op = .exp
        case "Log": op = .log
        case "Erf": op = .erf
        default: throw .node(node, "unsupported operator")
        }
        let out = node.outputs[0]
        switch try value(node.inputs[0], node) {
        case .constant(let t):
            // Integers stay integers (shape arithmetic depends on it).
            if !t.isFloat, [.neg, .abs, .relu, .clip].contains(op) {
                let lo = alpha.isFinite ? Int64(max(min(alpha, 9.2e18), -9.2e18)) : Int64.min
                let hi = beta.isFinite ? Int64(max(min(beta, 9.2e18), -9.2e18)) : Int64.max
                let ints = t.ints.map { v -> Int64 in
                    switch op {
                    case .neg: 0 &- v
                    case .abs: v < 0 ? 0 &- v : v
                    case .relu: Swift.max(0, v)
                    default: Swift.min(Swift.max(v, lo), hi)
                    }
                }
                set(out, .constant(ConstantTensor(shape: t.shape, ints: ints)))
            } else {
                set(
                    out,
                    .constant(
                        ConstantTensor(shape: t.shape, floats: t.floats.map { Kernels.scalar(op, $0, alpha, beta) })))
            }
        case .runtime(let x, let shape):
            let n = shape.reduce(1, *)
            let r = allocate(n)
            steps.append(.unary(op, x: x, out: r, count: n, alpha: alpha, beta: beta))
            set(out, .runtime(r, shape))
        }
    }

    mutating func compileBinary(_ node: ONNXGraph.Node) throws(ModelError) {
        let op: BinaryOp =
            switch node.opType {
            case "Add": .add
            case "Sub": .sub
            case "Mul": .mul
            case "Div": .div
            case "Pow": .pow
            case "Max": .max
            default: .min
            }
        let inputs = node.inputs.filter { !$0.isEmpty }
        guard inputs.count >= 2 || (inputs.count == 1 && (op == .max || op == .min)) else {
            throw .node(node, "needs two inputs")
        }
        var acc = inputs[0]
        for (k, next) in inputs.dropFirst().enumerated() {
            let name = k == inputs.count - 2 ? node.outputs[0] : "\(node.outputs[0])#\(k)"
            try binary(op, acc, next, into: name, node)
            acc = name
        }
        if inputs.count == 1 { set(node.outputs[0], try value(inputs[0], node)) }
    }

    private mutating func binary(_ op: BinaryOp, _ a: String, _ b: String, into out: String, _ node: ONNXGraph.Node)
        throws(ModelError)
    {
        let va = try value(a, node)
        let vb = try value(b, node)
        guard let shape = IndexMaps.broadcastShape(va.shape, vb.shape) else {
            throw .node(node, "shapes \(va.shape) and \(vb.shape) do not broadcast")
        }
        let n = shape.reduce(1, *)
        if case .constant(let x) = va, case .constant(let y) = vb {
            let mx = IndexMaps.broadcast(x.shape, to: shape)
            let my = IndexMaps.broadcast(y.shape, to: shape)
            if !x.isFloat && !y.isFloat {
                let (xi, yi) = (x.ints, y.ints)
                var r: [Int64] = []
                for i in 0..<n {
                    let (p, q) = (xi[mx[i]], yi[my[i]])
                    switch op {
                    case .add: r.append(p &+ q)
                    case .sub: r.append(p &- q)
                    case .mul: r.append(p &* q)
                    case .div:
                        guard q != 0 else { throw .node(node, "integer division by zero") }
                        r.append(p / q)
                    case .max: r.append(Swift.max(p, q))
                    case .min: r.append(Swift.min(p, q))
                    case .pow:
                        guard q >= 0 else { throw .node(node, "an integer to a negative power") }
                        var r0: Int64 = 1
                        for _ in 0..<Swift.min(q, 64) { r0 = r0 &* p }
                        r.append(r0)
                    }
                }
                set(out, .constant(ConstantTensor(shape: shape, ints: r)))
            } else {
                let (xf, yf) = (x.floats, y.floats)
                set(
                    out,
                    .constant(
                        ConstantTensor(shape: shape, floats: (0..<n).map { Kernels.apply(op, xf[mx[$0]], yf[my[$0]]) }))
                )
            }
            return
        }
        func map(_ s: [Int]) -> [Int32]? {
            if s == shape { return nil }
            if s.reduce(1, *) == 1 { return [] }
            return IndexMaps.broadcast(s, to: shape).map { Int32($0) }
        }
        let (ra, _) = try ref(a, node)
        let (rb, _) = try ref(b, node)
        let r = allocate(n)
        steps.append(.binary(op, a: ra, aMap: map(va.shape), b: rb, bMap: map(vb.shape), out: r, count: n))
        set(out, .runtime(r, shape))
    }

    mutating func compileSoftmax(_ node: ONNXGraph.Node) throws(ModelError) {
        let (x, shape) = try ref(node.inputs[0], node)
        let rank = shape.count
        let axis = try node.axis(node.int("axis", graph.opset >= 13 ? -1 : 1), rank: rank)
        let outer = shape[..<axis].reduce(1, *)
        // Before opset 13 the operator flattened everything from the axis on.
        let length = graph.opset >= 13 ? shape[axis] : shape[axis...].reduce(1, *)
        let inner = graph.opset >= 13 ? shape[(axis + 1)...].reduce(1, *) : 1
        let r = allocate(shape.reduce(1, *))
        steps.append(
            .softmax(x: x, out: r, outer: outer, length: length, inner: inner, log: node.opType == "LogSoftmax"))
        set(node.outputs[0], .runtime(r, shape))
    }

    mutating func compileReduce(_ node: ONNXGraph.Node) throws(ModelError) {
        let op: ReduceOp =
            switch node.opType {
            case "ReduceMean": .mean
            case "ReduceSum": .sum
            case "ReduceMax": .max
            default: .min
            }
        let shape = try value(node.inputs[0], node).shape
        let rank = shape.count
        let axesFromInput = graph.opset >= 18 || (op == .sum && graph.opset >= 13)
        var axes =
            axesFromInput ? try constant(node.input(1), node, "the axes")?.ints.map { Int($0) } : node.ints("axes")
        if axes?.isEmpty ?? true {
            if node.int("noop_with_empty_axes", 0) == 1 {
                set(node.outputs[0], try value(node.inputs[0], node))
                return
            }
            axes = Array(0..<rank)
        }
        var reduced: Set<Int> = []
        for a in axes ?? [] { reduced.insert(try node.axis(a, rank: rank)) }
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let order = kept + reduced.sorted()
        let t = IndexMaps.transpose(shape, perm: order)
        let group = reduced.reduce(1) { $0 * shape[$1] }
        let count = kept.reduce(1) { $0 * shape[$1] }
        let keepDims = node.int("keepdims", 1) == 1
        let outShape = keepDims ? (0..<rank).map { reduced.contains($0) ? 1 : shape[$0] } : kept.map { shape[$0] }
        if case .constant(let c) = try value(node.inputs[0], node), !c.isFloat {
            let v = c.ints
            let values = (0..<count).map { g -> Int64 in
                let items = t.map[(g * group)..<((g + 1) * group)].map { v[$0] }
                switch op {
                case .sum: return items.reduce(0, &+)
                case .mean: return group == 0 ? 0 : items.reduce(0, &+) / Int64(group)
                case .max: return items.max() ?? .min
                case .min: return items.min() ?? .max
                }
            }
            set(node.outputs[0], .constant(ConstantTensor(shape: outShape, ints: values)))
            return
        }
        if case .constant(let c) = try value(node.inputs[0], node) {
            let f = c.floats
            let values = (0..<count).map { g -> Float in
                let items = t.map[(g * group)..<((g + 1) * group)].map { f[$0] }
                switch op {
                case .sum: return items.reduce(0, +)
                case .mean: return items.reduce(0, +) / Float(group)
                case .max: return items.max() ?? -.infinity
                case .min: return items.min() ?? .infinity
                }
            }
            set(node.outputs[0], .constant(ConstantTensor(shape: outShape, floats: values)))
            return
        }
        let (base, _) = try memoryRef(node.inputs[0], node)
        let r = allocate(count)
        steps.append(.reduce(op, out: r, count: count, group: group, sources: t.map.map { Int32(base + $0) }))
        set(node.outputs[0], .runtime(r, outShape))
    }
}
