import Foundation

/// The executor's arithmetic over raw memory, one function per kind of step.
enum Kernels {
    static func dense(
        _ d: Dense, a: UnsafeMutablePointer<Float>, bt: UnsafeMutablePointer<Float>, c: UnsafeMutablePointer<Float>?,
        out: UnsafeMutablePointer<Float>
    ) {
        for b in 0..<d.batch {
            let a = a + b * d.aStride
            let bt = bt + b * d.btStride
            let out = out + b * d.outStride
            for i in 0..<d.m {
                let row = a + i * d.k
                let o = out + i * d.n
                for j in 0..<d.n {
                    var v = FastMath.dot(row, bt + j * d.k, d.k)
                    if d.alpha != 1 { v *= d.alpha }
                    if let c { v = d.beta == 1 ? v + c[i * d.n + j] : v.addingProduct(d.beta, c[i * d.n + j]) }
                    o[j] = v
                }
            }
        }
    }

    static func unary(
        _ op: UnaryOp, _ x: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ n: Int, _ alpha: Float,
        _ beta: Float
    ) {
        switch op {
        case .sigmoid: FastMath.map(x, out, n, FastMath.sigmoid)
        case .tanh: FastMath.map(x, out, n, FastMath.tanh)
        default:
            for i in 0..<n { out[i] = scalar(op, x[i], alpha, beta) }
        }
    }

    @inline(__always)
    static func scalar(_ op: UnaryOp, _ x: Float, _ alpha: Float, _ beta: Float) -> Float {
        switch op {
        case .relu: return x < 0 ? 0 : x
        case .leakyRelu: return x >= 0 ? x : alpha * x
        case .sigmoid: return 1 / (1 + Foundation.exp(-x))
        case .hardSigmoid:
            let v = alpha * x + beta
            return v.isNaN ? v : max(0, min(1, v))
        case .tanh: return Foundation.tanh(x)
        case .elu: return x >= 0 ? x : alpha * (Foundation.exp(x) - 1)
        case .selu: return beta * (x > 0 ? x : alpha * (Foundation.exp(x) - 1))
        case .softplus: return x > 20 ? x : Foundation.log1p(Foundation.exp(x))
        case .softsign: return x / (1 + Swift.abs(x))
        case .gelu: return 0.5 * x * (1 + Foundation.erf(x * 0.70710678118654752))
        case .geluTanh:
            return 0.5 * x * (1 + Foundation.tanh(0.79788456080286536 * (x + 0.044715 * x * x * x)))
        case .clip: return min(max(x, alpha), beta)
        case .neg: return -x
        case .abs: return Swift.abs(x)
        case .sqrt: return x.squareRoot()
        case .reciprocal: return 1 / x
        case .exp: return Foundation.exp(x)
        case .log: return Foundation.log(x)
        case .erf: return Foundation.erf(x)
        }
    }

    static func binary(
        _ op: BinaryOp, _ a: UnsafeMutablePointer<Float>, _ aMap: [Int32]?, _ b: UnsafeMutablePointer<Float>,
        _ bMap: [Int32]?, _ out: UnsafeMutablePointer<Float>, _ n: Int
    ) {
        @inline(__always) func index(_ map: [Int32]?, _ i: Int) -> Int {
            guard let map else { return i }
            return map.isEmpty ? 0 : Int(map[i])
        }
        switch (aMap, bMap, op) {
        case (nil, nil, .add): for i in 0..<n { out[i] = a[i] + b[i] }
        case (nil, nil, .mul): for i in 0..<n { out[i] = a[i] * b[i] }
        default:
            for i in 0..<n { out[i] = apply(op, a[index(aMap, i)], b[index(bMap, i)]) }
        }
    }

    @inline(__always)
    static func apply(_ op: BinaryOp, _ x: Float, _ y: Float) -> Float {
        switch op {
        case .add: x + y
        case .sub: x - y
        case .mul: x * y
        case .div: x / y
        case .pow: y == 2 ? x * x : Foundation.pow(x, y)
        case .max: x.isNaN || y.isNaN ? .nan : Swift.max(x, y)
        case .min: x.isNaN || y.isNaN ? .nan : Swift.min(x, y)
        }
    }

    static func softmax(
        _ x: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ outer: Int, _ length: Int, _ inner: Int,
        _ log: Bool
    ) {
        for o in 0..<outer {
            for j in 0..<inner {
                let base = o * length * inner + j
                var m = -Float.infinity
                for i in 0..<length { m = max(m, x[base + i * inner]) }
                var sum: Float = 0
                for i in 0..<length { sum += Foundation.exp(x[base + i * inner] - m) }
                if log {
                    let ls = Foundation.log(sum)
                    for i in 0..<length { out[base + i * inner] = x[base + i * inner] - m - ls }
                } else {
                    for i in 0..<length { out[base + i * inner] = Foundation.exp(x[base + i * inner] - m) / sum }
                }
            }
        }
    }

    static func reduce(
        _ op: ReduceOp, _ memory: UnsafeMutablePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int,
        _ group: Int, _ sources: [Int32]
    ) {
        sources.withUnsafeBufferPointer { s in
            for g in 0..<count {
                let items = s[(g * group)..<((g + 1) * group)]
                switch op {
                case .sum, .mean:
                    var acc: Double = 0
                    for k in items { acc += Double(memory[Int(k)]) }
                    out[g] = Float(op == .mean ? acc / Double(group) : acc)
                case .max: out[g] = items.reduce(-Float.infinity) { max($0, memory[Int($1)]) }
                case .min: out[g] = items.reduce(Float.infinity) { min($0, memory[Int($1)]) }
                }
            }
        }
    }

    static func layerNorm(
        _ x: UnsafeMutablePointer<Float>, _ scale: UnsafeMutablePointer<Float>, _ bias: UnsafeMutablePointer<Float>?,
        _ out: UnsafeMutablePointer<Float>, _ outer: Int, _ inner: Int, _ epsilon: Float
    ) {
        for o in 0..<outer {
            let row = x + o * inner
            var mean: Double = 0
            for i in 0..<inner { mean += Double(row[i]) }
            mean /= Double(inner)
            var variance: Double = 0
            for i in 0..<inner {
                let d = Double(row[i]) - mean
                variance += d * d
            }
            variance /= Double(inner)
            let inv = 1 / (variance + Double(epsilon)).squareRoot()
            let o = out + o * inner
            for i in 0..<inner {
                let v = Float((Double(row[i]) - mean) * inv) * scale[i]
                o[i] = bias.map { v + $0[i] } ?? v
            }
        }
    }

    static func channelAffine(
        _ x: UnsafeMutablePointer<Float>, _ a: UnsafeMutablePointer<Float>, _ b: UnsafeMutablePointer<Float>,
        _ out: UnsafeMutablePointer<Float>, _ outer: Int, _ channels: Int, _ inner: Int
    ) {
        var k = 0
        for _ in 0..<outer {
            for c in 0..<channels {
                for _ in 0..<inner {
                    out[k] = x[k] * a[c] + b[c]
                    k += 1
                }
            }
        }
    }

    static func conv1d(
        _ c: Conv1d, x: UnsafeMutablePointer<Float>, w: UnsafeMutablePointer<Float>, bias: UnsafeMutablePointer<Float>?,
        out: UnsafeMutablePointer<Float>
    ) {
        let perGroupIn = c.channels / c.group
        let perGroupOut = c.filters / c.group
        for n in 0..<c.batch {
            for f in 0..<c.filters {
                let g = f / perGroupOut
                let o = out + (n * c.filters + f) * c.outLength
                for t in 0..<c.outLength {
                    var acc: Float = bias?[f] ?? 0
                    let start = t * c.stride - c.padBegin
                    for ci in 0..<perGroupIn {
                        let xrow = x + (n * c.channels + g * perGroupIn + ci) * c.length
                        let wrow = w + (f * perGroupIn + ci) * c.kernel
                        for k in 0..<c.kernel {
                            let pos = start + k * c.dilation
                            if pos >= 0 && pos < c.length { acc = acc.addingProduct(xrow[pos], wrow[k]) }
                        }
                    }
                    o[t] = acc
                }
            }
        }
    }
}
