extension ProgramBuilder {
    /// Constants, casts, shapes and data movement: folded when their inputs are known, aliases
    /// (same memory, new shape) or copy steps otherwise.
    mutating func compileShapeOperator(_ node: ONNXGraph.Node) throws(ModelError) {
        let out = node.outputs.first ?? ""
        switch node.opType {
        case "Constant":
            switch node.attributes["value"] ?? node.attributes["value_float"] ?? node.attributes["value_floats"]
                ?? node.attributes["value_int"] ?? node.attributes["value_ints"]
            {
            case .tensor(let t): set(out, .constant(t))
            case .float(let f): set(out, .constant(ConstantTensor(shape: [], floats: [f])))
            case .floats(let f): set(out, .constant(ConstantTensor(shape: [f.count], floats: f)))
            case .int(let i): set(out, .constant(ConstantTensor(shape: [], ints: [i])))
            case .ints(let i): set(out, .constant(ConstantTensor(shape: [i.count], ints: i)))
            default: throw .node(node, "only tensor, float and int constants are supported")
            }
        case "Identity":
            set(out, try value(node.inputs[0], node))
        case "Dropout":
            // Inference: the input unchanged; the mask, if asked for, all true.
            let v = try value(node.inputs[0], node)
            set(out, v)
            if node.outputs.count > 1 {
                set(
                    node.outputs[1],
                    .constant(ConstantTensor(shape: v.shape, ints: .init(repeating: 1, count: v.shape.reduce(1, *)))))
            }
        case "Cast":
            let to = Int32(node.int("to", 1))
            let floating = to == 1 || to == 10 || to == 11 || to == 16
            switch try value(node.inputs[0], node) {
            case .constant(let t):
                set(
                    out,
                    .constant(
                        floating
                            ? ConstantTensor(shape: t.shape, floats: t.floats)
                            : ConstantTensor(shape: t.shape, ints: Self.cast(t, to: to))))
            case .runtime(let r, let shape):
                guard floating else {
                    throw .node(
                        node, "casting a computed tensor to \(ONNXGraph.typeName(to)) is not supported (floats only)")
                }
                set(out, .runtime(r, shape))
            }
        case "Shape":
            let shape = try value(node.inputs[0], node).shape
            let rank = shape.count
            func clamp(_ v: Int) -> Int { min(max(v < 0 ? v + rank : v, 0), rank) }
            let start = clamp(node.int("start", 0))
            let end = clamp(node.int("end", rank))
            let dims = start < end ? shape[start..<end].map { Int64($0) } : []
            set(out, .constant(ConstantTensor(shape: [dims.count], ints: dims)))
        case "ConstantOfShape":
            guard let shape = try constant(node.input(0), node, "the shape") else { throw .node(node, "needs a shape") }
            let dims = shape.ints.map { Int($0) }
            let n = dims.reduce(1, *)
            if case .tensor(let t) = node.attributes["value"] {
                switch t.storage {
                case .float(let f):
                    set(out, .constant(ConstantTensor(shape: dims, floats: .init(repeating: f.first ?? 0, count: n))))
                case .int(let i):
                    set(out, .constant(ConstantTensor(shape: dims, ints: .init(repeating: i.first ?? 0, count: n))))
                }
            } else {
                set(out, .constant(ConstantTensor(shape: dims, floats: .init(repeating: 0, count: n))))
            }
        case "Reshape":
            let input = try value(node.inputs[0], node)
            guard let target = try constant(node.input(1), node, "the target shape") else {
                throw .node(node, "needs a shape")
            }
            let allowZero = node.int("allowzero", 0) == 1
            var dims = target.ints.map { Int($0) }
            for (i, d) in dims.enumerated() where d == 0 && !allowZero {
                guard i < input.shape.count else { throw .node(node, "dimension 0 copies a dimension the input lacks") }
                dims[i] = input.shape[i]
            }
            let count = input.shape.reduce(1, *)
            if let unknown = dims.firstIndex(of: -1) {
                let known = dims.enumerated().filter { $0.offset != unknown }.reduce(1) { $0 * $1.element }
                guard known > 0, count % known == 0 else {
                    throw .node(node, "cannot reshape \(input.shape) to \(dims)")
                }
                dims[unknown] = count / known
            }
            guard dims.allSatisfy({ $0 >= 0 }), dims.reduce(1, *) == count else {
                throw .node(node, "cannot reshape \(input.shape) to \(dims)")
            }
            set(out, reshaped(input, dims))
        case "Flatten":
            let input = try value(node.inputs[0], node)
            let rank = input.shape.count
            // The axis is in [-rank, rank]; -1 is the last axis.
            let given = node.int("axis", 1)
            let a = given < 0 ? given + rank : given
            guard a >= 0 && a <= rank else { throw .node(node, "axis \(given) is outside [-\(rank), \(rank)]") }
            set(out, reshaped(input, [input.shape[..<a].reduce(1, *), input.shape[a...].reduce(1, *)]))
        case "Squeeze":
            let input = try value(node.inputs[0], node)
            let rank = input.shape.count
            var axes = try constant(node.input(1), node, "the axes")?.ints.map { Int($0) } ?? node.ints("axes")
            // No axes, or an empty list: every axis of size 1 goes.
            if axes?.isEmpty == true { axes = nil }
            axes = try axes.map { a throws(ModelError) in
                try a.map { v throws(ModelError) in try node.axis(v, rank: rank) }
            }
            let dims = input.shape.enumerated().filter { i, d in axes.map { !$0.contains(i) } ?? (d != 1) }.map(
                \.element)
            if let axes, let bad = axes.first(where: { input.shape[$0] != 1 }) {
                throw .node(node, "axis \(bad) of \(input.shape) is not 1")
            }
            set(out, reshaped(input, dims))
        case "Unsqueeze":
            let input = try value(node.inputs[0], node)
            guard let raw = try constant(node.input(1), node, "the axes")?.ints.map({ Int($0) }) ?? node.ints("axes")
            else {
                throw .node(node, "needs axes")
            }
            let rank = input.shape.count + raw.count
            var axes: Set<Int> = []
            for a in raw { axes.insert(try node.axis(a, rank: rank)) }
            guard axes.count == raw.count else { throw .node(node, "axes \(raw) name an axis more than once") }
            var dims: [Int] = []
            var k = 0
            for i in 0..<rank {
                if axes.contains(i) {
                    dims.append(1)
                } else {
                    dims.append(input.shape[k])
                    k += 1
                }
            }
            set(out, reshaped(input, dims))
        case "Transpose":
            let shape = try value(node.inputs[0], node).shape
            let perm = node.ints("perm") ?? Array((0..<shape.count).reversed())
            guard perm.sorted() == Array(0..<shape.count) else {
                throw .node(node, "perm \(perm) is not a permutation of \(shape.count) axes")
            }
            let t = IndexMaps.transpose(shape, perm: perm)
            try move(node.inputs[0], map: t.map, shape: t.shape, to: out, node)
        case "Slice":
            let shape = try value(node.inputs[0], node).shape
            let starts: [Int]
            let ends: [Int]
            var axes: [Int]
            var stepSizes: [Int]
            if graph.opset >= 10 {
                guard let s = try constant(node.input(1), node, "starts"),
                    let e = try constant(node.input(2), node, "ends")
                else {
                    throw .node(node, "needs starts and ends")
                }
                starts = s.ints.map { Int($0) }
                ends = e.ints.map { Int($0) }
                axes = try constant(node.input(3), node, "axes")?.ints.map { Int($0) } ?? Array(0..<starts.count)
                stepSizes =
                    try constant(node.input(4), node, "steps")?.ints.map { Int($0) }
                    ?? .init(repeating: 1, count: starts.count)
            } else {
                starts = node.ints("starts") ?? []
                ends = node.ints("ends") ?? []
                axes = node.ints("axes") ?? Array(0..<starts.count)
                stepSizes = .init(repeating: 1, count: starts.count)
            }
            guard starts.count == ends.count, axes.count == starts.count, stepSizes.count == starts.count,
                !stepSizes.contains(0)
            else { throw .node(node, "starts, ends, axes and steps must have one entry per axis (steps not 0)") }
            axes = try axes.map { a throws(ModelError) in try node.axis(a, rank: shape.count) }
            let s = IndexMaps.slice(shape, starts: starts, ends: ends, axes: axes, steps: stepSizes)
            try move(node.inputs[0], map: s.map, shape: s.shape, to: out, node)
        case "Gather":
            let shape = try value(node.inputs[0], node).shape
            guard let idx = try constant(node.input(1), node, "the indices") else { throw .node(node, "needs indices") }
            let axis = try node.axis(node.int("axis", 0), rank: shape.count)
            var indices: [Int] = []
            for i in idx.ints {
                let v = i < 0 ? Int(i) + shape[axis] : Int(i)
                guard v >= 0 && v < shape[axis] else {
                    throw .node(node, "index \(i) is outside dimension \(shape[axis])")
                }
                indices.append(v)
            }
            let g = IndexMaps.gather(shape, axis: axis, indices: indices, indicesShape: idx.shape)
            try move(node.inputs[0], map: g.map, shape: g.shape, to: out, node)
        case "Concat":
            let inputs = node.inputs.filter { !$0.isEmpty }
            let shapes = try inputs.map { n throws(ModelError) in try value(n, node).shape }
            let axis = try node.axis(node.int("axis", 0), rank: shapes[0].count)
            for s in shapes
            where s.count != shapes[0].count
                || zip(s, shapes[0]).enumerated().contains(where: { $0.offset != axis && $0.element.0 != $0.element.1 })
            {
                throw .node(node, "shapes \(shapes) do not concatenate along axis \(axis)")
            }
            let c = IndexMaps.concat(shapes, axis: axis)
            let constants = try inputs.map { n throws(ModelError) -> ConstantTensor? in
                if case .constant(let t) = try value(n, node) { return t }
                return nil
            }
            if constants.allSatisfy({ $0 != nil }) {
                let ts = constants.map { $0! }
                if ts.allSatisfy({ !$0.isFloat }) {
                    let ints = ts.map(\.ints)
                    set(out, .constant(ConstantTensor(shape: c.shape, ints: c.map.map { ints[$0.input][$0.index] })))
                } else {
                    let floats = ts.map(\.floats)
                    set(
                        out, .constant(ConstantTensor(shape: c.shape, floats: c.map.map { floats[$0.input][$0.index] }))
                    )
                }
            } else {
                var bases: [Ref] = []
                for n in inputs { bases.append(try memoryRef(n, node).0) }
                let r = allocate(c.map.count)
                steps.append(.copy(out: r, sources: c.map.map { Int32(bases[$0.input] + $0.index) }))
                set(out, .runtime(r, c.shape))
            }
        case "Expand":
            let shape = try value(node.inputs[0], node).shape
            guard let target = try constant(node.input(1), node, "the shape") else {
                throw .node(node, "needs a shape")
            }
            guard let outShape = IndexMaps.broadcastShape(shape, target.ints.map { Int($0) }) else {
                throw .node(node, "\(shape) does not broadcast to \(target.ints)")
            }
            try move(node.inputs[0], map: IndexMaps.broadcast(shape, to: outShape), shape: outShape, to: out, node)
        case "Split":
            let shape = try value(node.inputs[0], node).shape
            let axis = try node.axis(node.int("axis", 0), rank: shape.count)
            let parts = node.outputs.count
            var sizes = try constant(node.input(1), node, "the split")?.ints.map { Int($0) } ?? node.ints("split")
            if sizes == nil {
                // Before opset 18 the parts must be equal; from 18 the last may be smaller.
                guard graph.opset >= 18 || shape[axis] % parts == 0 else {
                    throw .node(node, "dimension \(shape[axis]) does not split into \(parts) equal parts")
                }
                let chunk = (shape[axis] + parts - 1) / parts
                sizes = (0..<parts).map { min(chunk, max(shape[axis] - $0 * chunk, 0)) }
            }
            guard let sizes, sizes.count == parts, sizes.reduce(0, +) == shape[axis], sizes.allSatisfy({ $0 >= 0 }),
                sizes.last.map({ $0 > 0 || shape[axis] == 0 }) ?? false
            else {
                throw .node(node, "split sizes do not add up to dimension \(shape[axis])")
            }
            var start = 0
            for (k, size) in sizes.enumerated() {
                let s = IndexMaps.slice(shape, starts: [start], ends: [start + size], axes: [axis], steps: [1])
                try move(node.inputs[0], map: s.map, shape: s.shape, to: node.outputs[k], node)
                start += size
            }
        default:
            throw .node(node, "not a shape operator")
        }
    }

    /// A constant's elements as ONNX's Cast to an integer type makes them: booleans are 0 or 1,
    /// narrow types wrap, floats beyond the range saturate (never trap).
    static func cast(_ t: ConstantTensor, to: Int32) -> [Int64] {
        let wide: [Int64] =
            switch t.storage {
            case .int(let i): i
            case .float(let f):
                f.map { x in
                    guard x.isFinite else { return x.isNaN ? 0 : (x > 0 ? .max : .min) }
                    return abs(x) < 9.2e18 ? Int64(x) : (x > 0 ? .max : .min)
                }
            }
        switch to {
        case 9:
            if case .float(let f) = t.storage { return f.map { $0 != 0 ? 1 : 0 } }
            return wide.map { $0 != 0 ? 1 : 0 }
        case 2: return wide.map { Int64(UInt8(truncatingIfNeeded: $0)) }
        case 3: return wide.map { Int64(Int8(truncatingIfNeeded: $0)) }
        case 4: return wide.map { Int64(UInt16(truncatingIfNeeded: $0)) }
        case 5: return wide.map { Int64(Int16(truncatingIfNeeded: $0)) }
        case 6: return wide.map { Int64(Int32(truncatingIfNeeded: $0)) }
        case 12: return wide.map { Int64(UInt32(truncatingIfNeeded: $0)) }
        default: return wide
        }
    }

    /// The same elements under a new shape: constants refolded, runtime values aliased.
    func reshaped(_ v: Value, _ dims: [Int]) -> Value {
        switch v {
        case .constant(let t):
            var t = t
            t.shape = dims
            return .constant(t)
        case .runtime(let r, _): return .runtime(r, dims)
        }
    }
}
