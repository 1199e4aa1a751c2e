extension ProgramBuilder {
    mutating func compileGemm(_ node: ONNXGraph.Node) throws(ModelError) {
        let sa = try value(node.inputs[0], node).shape
        let sb = try value(node.inputs[1], node).shape
        guard sa.count == 2, sb.count == 2 else { throw .node(node, "A and B must be matrices, got \(sa) and \(sb)") }
        let transA = node.int("transA", 0) == 1
        let transB = node.int("transB", 0) == 1
        let (m, k) = transA ? (sa[1], sa[0]) : (sa[0], sa[1])
        let (kb, n) = transB ? (sb[1], sb[0]) : (sb[0], sb[1])
        guard k == kb else { throw .node(node, "A \(sa) and B \(sb) do not multiply") }
        let a =
            transA
            ? try moved(node.inputs[0], map: IndexMaps.transpose(sa, perm: [1, 0]).map, shape: [m, k], node)
            : try ref(node.inputs[0], node).0
        let bt =
            transB
            ? try ref(node.inputs[1], node).0
            : try moved(node.inputs[1], map: IndexMaps.transpose(sb, perm: [1, 0]).map, shape: [n, k], node)
        var c: Ref?
        if let cName = node.input(2) {
            let sc = try value(cName, node).shape
            guard IndexMaps.broadcastShape(sc, [m, n]) == [m, n] else {
                throw .node(node, "C \(sc) does not broadcast to [\(m), \(n)]")
            }
            c =
                sc == [m, n]
                ? try ref(cName, node).0
                : try moved(cName, map: IndexMaps.broadcast(sc, to: [m, n]), shape: [m, n], node)
        }
        let out = allocate(m * n)
        steps.append(
            .dense(
                Dense(
                    a: a, bt: bt, c: c, out: out, m: m, n: n, k: k, alpha: node.float("alpha", 1),
                    beta: node.float("beta", 1))))
        set(node.outputs[0], .runtime(out, [m, n]))
    }

    mutating func compileMatMul(_ node: ONNXGraph.Node) throws(ModelError) {
        var sa = try value(node.inputs[0], node).shape
        var sb = try value(node.inputs[1], node).shape
        let vectorA = sa.count == 1
        let vectorB = sb.count == 1
        if vectorA { sa = [1] + sa }
        if vectorB { sb = sb + [1] }
        guard sa.count >= 2, sb.count >= 2, sa[sa.count - 1] == sb[sb.count - 2] else {
            throw .node(node, "\(sa) and \(sb) do not multiply")
        }
        let k = sa[sa.count - 1]
        let n = sb[sb.count - 1]
        let m = sa[sa.count - 2]
        var outShape: [Int]
        var dense: Dense
        if sb.count == 2 {
            // Every leading dimension of A is more rows.
            let rows = sa.dropLast().reduce(1, *)
            let bt = try moved(node.inputs[1], map: IndexMaps.transpose(sb, perm: [1, 0]).map, shape: [n, k], node)
            let a = try ref(node.inputs[0], node).0
            let out = allocate(rows * n)
            dense = Dense(a: a, bt: bt, c: nil, out: out, m: rows, n: n, k: k, alpha: 1, beta: 1)
            outShape = Array(sa.dropLast()) + [n]
        } else {
            guard let batchShape = IndexMaps.broadcastShape(Array(sa.dropLast(2)), Array(sb.dropLast(2))) else {
                throw .node(node, "batch dimensions of \(sa) and \(sb) do not broadcast")
            }
            let batch = batchShape.reduce(1, *)
            let fullA = batchShape + [m, k]
            let a =
                Array(sa.dropLast(2)) == batchShape
                ? try ref(node.inputs[0], node).0
                : try moved(node.inputs[0], map: IndexMaps.broadcast(sa, to: fullA), shape: fullA, node)
            // B expanded to the batch and transposed in its last two axes: [batch…, n, k].
            let expanded = IndexMaps.broadcast(sb, to: batchShape + [k, n])
            let r = batchShape.count
            let t = IndexMaps.transpose(batchShape + [k, n], perm: Array(0..<r) + [r + 1, r])
            let bt = try moved(node.inputs[1], map: t.map.map { expanded[$0] }, shape: batchShape + [n, k], node)
            let out = allocate(batch * m * n)
            dense = Dense(
                a: a, bt: bt, c: nil, out: out, m: m, n: n, k: k, alpha: 1, beta: 1, batch: batch, aStride: m * k,
                btStride: n * k, outStride: m * n)
            outShape = batchShape + [m, n]
        }
        steps.append(.dense(dense))
        if vectorA { outShape.remove(at: outShape.count - 2) }
        if vectorB { outShape.removeLast() }
        set(node.outputs[0], .runtime(dense.out, outShape))
    }

    mutating func compileRecurrent(_ node: ONNXGraph.Node) throws(ModelError) {
        let lstm = node.opType == "LSTM"
        let (x, sx) = try ref(node.inputs[0], node)
        guard sx.count == 3 else { throw .node(node, "X must be of rank 3, got \(sx)") }
        let batchMajor = node.int("layout", 0) == 1
        let (sequence, batch, inputSize) = batchMajor ? (sx[1], sx[0], sx[2]) : (sx[0], sx[1], sx[2])
        let hidden = node.int("hidden_size", 0)
        let direction = node.string("direction", "forward")
        guard ["forward", "reverse", "bidirectional"].contains(direction) else {
            throw .node(node, "unknown direction \(direction)")
        }
        let directions = direction == "bidirectional" ? 2 : 1
        let gates = lstm ? 4 : 3
        let defaults = lstm ? ["Sigmoid", "Tanh", "Tanh"] : ["Sigmoid", "Tanh"]
        if let activations = node.strings("activations"),
            activations.map({ $0.lowercased() })
                != Array(repeatElement(defaults, count: directions).joined()).map({ $0.lowercased() })
        {
            throw .node(node, "activations \(activations) are not supported (only the defaults \(defaults))")
        }
        if node.attributes["clip"] != nil { throw .node(node, "cell clipping is not supported") }
        if node.int("input_forget", 0) != 0 { throw .node(node, "input_forget is not supported") }
        let sw = try value(node.inputs[1], node).shape
        let sr = try value(node.inputs[2], node).shape
        guard hidden > 0, sw == [directions, gates * hidden, inputSize], sr == [directions, gates * hidden, hidden]
        else {
            throw .node(
                node,
                "W \(sw) and R \(sr) do not fit hidden_size \(hidden), input \(inputSize), \(directions) direction(s)")
        }
        // The weights transposed to [directions, inputs, gates · hidden]: each input's column of
        // every gate is contiguous, so a step is a few multiply-adds of whole gate vectors.
        let w = try moved(
            node.inputs[1], map: IndexMaps.transpose(sw, perm: [0, 2, 1]).map,
            shape: [directions, inputSize, gates * hidden], node)
        let r = try moved(
            node.inputs[2], map: IndexMaps.transpose(sr, perm: [0, 2, 1]).map,
            shape: [directions, hidden, gates * hidden], node)
        var bias: Ref?
        if let b = node.input(3) {
            let (rb, sb) = try ref(b, node)
            guard sb == [directions, 2 * gates * hidden] else {
                throw .node(node, "B is \(sb), expected [\(directions), \(2 * gates * hidden)]")
            }
            bias = rb
        }
        if let lens = try constant(node.input(4), node, "sequence_lens") {
            guard lens.ints.allSatisfy({ Int($0) == sequence }) else {
                throw .node(node, "sequence_lens shorter than the sequence are not supported")
            }
        }
        let stateShape = batchMajor ? [batch, directions, hidden] : [directions, batch, hidden]
        func state(_ i: Int, _ what: String) throws(ModelError) -> Ref? {
            guard let name = node.input(i) else { return nil }
            let (ref, s) = try self.ref(name, node)
            guard s == stateShape else { throw .node(node, "\(what) is \(s), expected \(stateShape)") }
            return ref
        }
        let initialH = try state(5, "initial_h")
        let initialC = lstm ? try state(6, "initial_c") : nil
        var peepholes: Ref?
        if lstm, let p = node.input(7) {
            let (rp, sp) = try ref(p, node)
            guard sp == [directions, 3 * hidden] else {
                throw .node(node, "P is \(sp), expected [\(directions), \(3 * hidden)]")
            }
            peepholes = rp
        }
        var carried: Ref?
        if streaming {
            guard directions == 1, direction == "forward" else {
                throw .node(
                    node, "a \(direction) layer reads the sequence backwards and cannot carry its state from bar to bar"
                )
            }
            let size = directions * batch * hidden
            let c = allocate(2 * size)
            // The initial state the graph gives (constant), else zeros.
            if let name = node.input(5), case .constant(let t) = try value(name, node) {
                template.replaceSubrange(c..<(c + size), with: t.floats)
            }
            if lstm, let name = node.input(6), case .constant(let t) = try value(name, node) {
                template.replaceSubrange((c + size)..<(c + 2 * size), with: t.floats)
            }
            self.carried.append(c..<(c + 2 * size))
            carried = c
        }
        func output(_ i: Int, _ shape: [Int]) -> Ref? {
            guard i < node.outputs.count, !node.outputs[i].isEmpty else { return nil }
            let o = allocate(shape.reduce(1, *))
            set(node.outputs[i], .runtime(o, shape))
            return o
        }
        let y = output(0, batchMajor ? [batch, sequence, directions, hidden] : [sequence, directions, batch, hidden])
        let yH = output(1, stateShape)
        let yC = lstm ? output(2, stateShape) : nil
        let scratch = allocate(2 * gates * hidden + 3 * hidden)
        steps.append(
            .recurrent(
                Recurrent(
                    kind: lstm ? .lstm : .gru(linearBeforeReset: node.int("linear_before_reset", 0) != 0), x: x,
                    sequence: sequence, batch: batch, inputSize: inputSize, hidden: hidden, directions: directions,
                    reverse: direction == "reverse", batchMajor: batchMajor, w: w, r: r, bias: bias, initialH: initialH,
                    initialC: initialC, peepholes: peepholes, y: y, yH: yH, yC: yC, scratch: scratch, carried: carried))
        )
    }

    mutating func compileConv(_ node: ONNXGraph.Node) throws(ModelError) {
        let (x, sx) = try ref(node.inputs[0], node)
        guard sx.count == 3 else {
            throw .node(
                node, "a convolution over \(max(sx.count - 2, 0)) spatial dimensions; only 1-D (Conv1d) is supported")
        }
        let (w, sw) = try ref(node.inputs[1], node)
        let group = node.int("group", 1)
        guard sw.count == 3, group > 0, sx[1] % group == 0, sw[0] % group == 0, sw[1] == sx[1] / group else {
            throw .node(node, "weights \(sw) do not fit input \(sx) in \(group) group(s)")
        }
        let kernel = sw[2]
        let stride = node.ints("strides")?.first ?? 1
        let dilation = node.ints("dilations")?.first ?? 1
        guard stride > 0, dilation > 0 else { throw .node(node, "strides and dilations must be positive") }
        let length = sx[2]
        var pads = node.ints("pads") ?? [0, 0]
        let autoPad = node.string("auto_pad", "NOTSET")
        let span = dilation * (kernel - 1) + 1
        switch autoPad {
        case "NOTSET": break
        case "VALID": pads = [0, 0]
        case "SAME_UPPER", "SAME_LOWER":
            let outLength = (length + stride - 1) / stride
            let total = max((outLength - 1) * stride + span - length, 0)
            pads = autoPad == "SAME_UPPER" ? [total / 2, total - total / 2] : [total - total / 2, total / 2]
        default: throw .node(node, "auto_pad \(autoPad) is not supported")
        }
        guard pads.count == 2 else { throw .node(node, "pads \(pads) are not those of a 1-D convolution") }
        let outLength = (length + pads[0] + pads[1] - span) / stride + 1
        guard outLength > 0 else { throw .node(node, "the kernel (\(span) wide) is longer than the padded input") }
        var bias: Ref?
        if let b = node.input(2) {
            let (rb, sb) = try ref(b, node)
            guard sb == [sw[0]] else { throw .node(node, "B is \(sb), expected [\(sw[0])]") }
            bias = rb
        }
        let out = allocate(sx[0] * sw[0] * outLength)
        steps.append(
            .conv1d(
                Conv1d(
                    x: x, w: w, bias: bias, out: out, batch: sx[0], channels: sx[1], length: length, filters: sw[0],
                    kernel: kernel, group: group, stride: stride, dilation: dilation, padBegin: pads[0],
                    outLength: outLength)))
        set(node.outputs[0], .runtime(out, [sx[0], sw[0], outLength]))
    }

    mutating func compileLayerNorm(_ node: ONNXGraph.Node) throws(ModelError) {
        guard node.outputs.dropFirst().allSatisfy(\.isEmpty) else {
            throw .node(node, "Mean and InvStdDev outputs are not supported")
        }
        let (x, sx) = try ref(node.inputs[0], node)
        let axis = try node.axis(node.int("axis", -1), rank: sx.count)
        let inner = sx[axis...].reduce(1, *)
        let normShape = Array(sx[axis...])
        func spread(_ name: String) throws(ModelError) -> Ref {
            let s = try value(name, node).shape
            guard IndexMaps.broadcastShape(s, normShape) == normShape else {
                throw .node(node, "\(s) does not fit \(normShape)")
            }
            return s.reduce(1, *) == inner
                ? try ref(name, node).0
                : try moved(name, map: IndexMaps.broadcast(s, to: normShape), shape: normShape, node)
        }
        let scale = try spread(node.inputs[1])
        let bias = try node.input(2).map { n throws(ModelError) in try spread(n) }
        let out = allocate(sx.reduce(1, *))
        steps.append(
            .layerNorm(
                x: x, scale: scale, bias: bias, out: out, outer: sx[..<axis].reduce(1, *), inner: inner,
                epsilon: node.float("epsilon", 1e-5)))
        set(node.outputs[0], .runtime(out, sx))
    }

    mutating func compileBatchNorm(_ node: ONNXGraph.Node) throws(ModelError) {
        guard node.int("training_mode", 0) == 0 else { throw .node(node, "training mode is not supported") }
        let (x, sx) = try ref(node.inputs[0], node)
        guard sx.count >= 2 else { throw .node(node, "X must have a channel axis, got \(sx)") }
        let channels = sx[1]
        var parts: [[Float]] = []
        for (i, what) in ["scale", "B", "mean", "var"].enumerated() {
            guard let t = try constant(node.input(i + 1), node, what), t.count == channels else {
                throw .node(node, "\(what) must be a constant of \(channels) values")
            }
            parts.append(t.floats)
        }
        let epsilon = node.float("epsilon", 1e-5)
        // As onnxruntime: a = scale / √(var + ε), b = B − mean · a, y = x · a + b.
        let a = (0..<channels).map { parts[0][$0] / (parts[3][$0] + epsilon).squareRoot() }
        let b = (0..<channels).map { parts[1][$0] - parts[2][$0] * a[$0] }
        let out = allocate(sx.reduce(1, *))
        steps.append(
            .channelAffine(
                x: x, a: weight(ConstantTensor(shape: [channels], floats: a)),
                b: weight(ConstantTensor(shape: [channels], floats: b)),
                out: out, outer: sx[0], channels: channels, inner: sx[2...].reduce(1, *)))
        set(node.outputs[0], .runtime(out, sx))
    }
}
