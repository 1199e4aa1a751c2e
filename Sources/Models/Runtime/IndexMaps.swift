/// Data movement as index maps: for each output element (row-major), the flat index of the input
/// element it copies. Computed once when a model is compiled for its input's shape; the same map
/// folds constants (any element type) and drives the executor's copy steps.
enum IndexMaps {
    static func strides(_ shape: [Int]) -> [Int] {
        var s = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            s[i] = acc
            acc *= shape[i]
        }
        return s
    }

    /// Visits every multi-index of `shape` in row-major order with the flat index it maps to under
    /// `sourceStrides` (a stride of 0 repeats an element: broadcasting).
    static func map(shape: [Int], sourceStrides: [Int], base: Int = 0) -> [Int] {
        let count = shape.reduce(1, *)
        var out = [Int](repeating: 0, count: count)
        guard count > 0 else { return out }
        let rank = shape.count
        var index = [Int](repeating: 0, count: rank)
        var offset = base
        for i in 0..<count {
            out[i] = offset
            var d = rank - 1
            while d >= 0 {
                index[d] += 1
                offset += sourceStrides[d]
                if index[d] < shape[d] { break }
                offset -= sourceStrides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
        return out
    }

    /// The shape two shapes broadcast to (numpy's rules), or nil when they do not.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        var out = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            guard x == y || x == 1 || y == 1 else { return nil }
            out[i] = x == 1 ? y : x
        }
        return out
    }

    /// The map reading `shape` broadcast to `target`.
    static func broadcast(_ shape: [Int], to target: [Int]) -> [Int] {
        let s = strides(shape)
        let pad = target.count - shape.count
        let sourceStrides = (0..<target.count).map { i in i < pad || shape[i - pad] == 1 ? 0 : s[i - pad] }
        return map(shape: target, sourceStrides: sourceStrides)
    }

    static func transpose(_ shape: [Int], perm: [Int]) -> (shape: [Int], map: [Int]) {
        let s = strides(shape)
        let out = perm.map { shape[$0] }
        return (out, map(shape: out, sourceStrides: perm.map { s[$0] }))
    }

    /// ONNX Slice on one tensor: per axis start, end and step, clamped as the operator says.
    static func slice(_ shape: [Int], starts: [Int], ends: [Int], axes: [Int], steps: [Int]) -> (
        shape: [Int], map: [Int]
    ) {
        let s = strides(shape)
        var out = shape
        var begin = [Int](repeating: 0, count: shape.count)
        var step = [Int](repeating: 1, count: shape.count)
        for (k, axis) in axes.enumerated() {
            let dim = shape[axis]
            // A step beyond the dimension takes one element, as any step that long does.
            let st = max(min(steps[k], max(dim, 1)), -max(dim, 1))
            var b = starts[k]
            var e = ends[k]
            if b < 0 { b += dim }
            if e < 0 { e += dim }
            if st > 0 {
                b = min(max(b, 0), dim)
                e = min(max(e, 0), dim)
                out[axis] = e > b ? (e - b + st - 1) / st : 0
            } else {
                b = min(max(b, 0), dim - 1)
                e = min(max(e, -1), dim - 1)
                out[axis] = b > e ? (b - e - st - 1) / -st : 0
            }
            begin[axis] = b
            step[axis] = st
        }
        let base = zip(begin, s).reduce(0) { $0 + $1.0 * $1.1 }
        return (out, map(shape: out, sourceStrides: zip(s, step).map { $0 * $1 }, base: base))
    }

    /// ONNX Gather: `indices` (already made non-negative) along `axis`.
    static func gather(_ shape: [Int], axis: Int, indices: [Int], indicesShape: [Int]) -> (shape: [Int], map: [Int]) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        let dim = shape[axis]
        var m: [Int] = []
        m.reserveCapacity(outer * indices.count * inner)
        for o in 0..<outer {
            for i in indices {
                let base = (o * dim + i) * inner
                for j in 0..<inner { m.append(base + j) }
            }
        }
        return (Array(shape[..<axis]) + indicesShape + Array(shape[(axis + 1)...]), m)
    }

    /// ONNX Concat: for each output element, which input and which of its elements.
    static func concat(_ shapes: [[Int]], axis: Int) -> (shape: [Int], map: [(input: Int, index: Int)]) {
        var out = shapes[0]
        out[axis] = shapes.reduce(0) { $0 + $1[axis] }
        let outer = out[..<axis].reduce(1, *)
        var m: [(Int, Int)] = []
        m.reserveCapacity(out.reduce(1, *))
        for o in 0..<outer {
            for (k, s) in shapes.enumerated() {
                let block = s[axis...].reduce(1, *)
                for j in 0..<block { m.append((k, o * block + j)) }
            }
        }
        return (out, m)
    }
}
