extension Kernels {
    /// `out[j] += Σᵢ x[i] · w[i · ld + j]` for `j < n`: a vector times a row-major matrix, 32
    /// outputs at a time held in registers while the inputs stream by.
    @inline(__always)
    static func accumulate(
        _ out: UnsafeMutablePointer<Float>, _ n: Int, _ x: UnsafePointer<Float>, _ k: Int,
        _ w: UnsafePointer<Float>, _ ld: Int
    ) {
        typealias V = FastMath.V
        var j = 0
        while j + 32 <= n {
            var a0 = FastMath.load(out + j)
            var a1 = FastMath.load(out + j + 8)
            var a2 = FastMath.load(out + j + 16)
            var a3 = FastMath.load(out + j + 24)
            for i in 0..<k {
                let s = V(repeating: x[i])
                let row = w + i * ld + j
                a0 = a0.addingProduct(s, FastMath.load(row))
                a1 = a1.addingProduct(s, FastMath.load(row + 8))
                a2 = a2.addingProduct(s, FastMath.load(row + 16))
                a3 = a3.addingProduct(s, FastMath.load(row + 24))
            }
            FastMath.store(a0, out + j)
            FastMath.store(a1, out + j + 8)
            FastMath.store(a2, out + j + 16)
            FastMath.store(a3, out + j + 24)
            j += 32
        }
        while j + 8 <= n {
            var a = FastMath.load(out + j)
            for i in 0..<k { a = a.addingProduct(V(repeating: x[i]), FastMath.load(w + i * ld + j)) }
            FastMath.store(a, out + j)
            j += 8
        }
        while j < n {
            var a = out[j]
            for i in 0..<k { a = a.addingProduct(x[i], w[i * ld + j]) }
            out[j] = a
            j += 1
        }
    }

    /// An LSTM or GRU node over its whole sequence, per direction and batch row; a streaming node
    /// starts from the state it carried and leaves its final state there.
    static func recurrent(_ r: Recurrent, _ p: (Ref) -> UnsafeMutablePointer<Float>) {
        let h = r.hidden
        let g = r.gates
        let gh = g * h
        let x = p(r.x)
        let gates = p(r.scratch)
        let products = gates + gh
        let hPrev = products + gh
        let cPrev = hPrev + h
        let spare = cPrev + h
        for d in 0..<r.directions {
            let w = UnsafePointer(p(r.w) + d * r.inputSize * gh)
            let rr = UnsafePointer(p(r.r) + d * h * gh)
            let bias = r.bias.map { UnsafePointer(p($0) + d * 2 * gh) }
            let peep = r.peepholes.map { p($0) + d * 3 * h }
            let reverse = r.directions == 2 ? d == 1 : r.reverse
            for b in 0..<r.batch {
                let stateIndex = (d * r.batch + b) * h
                let stateSize = r.directions * r.batch * h
                if let carried = r.carried {
                    let c = p(carried)
                    hPrev.update(from: c + stateIndex, count: h)
                    cPrev.update(from: c + stateSize + stateIndex, count: h)
                } else {
                    // Layout 1 keeps states as [batch, directions, hidden].
                    let initial = r.batchMajor ? (b * r.directions + d) * h : stateIndex
                    if let ih = r.initialH {
                        hPrev.update(from: p(ih) + initial, count: h)
                    } else {
                        hPrev.update(repeating: 0, count: h)
                    }
                    if let ic = r.initialC {
                        cPrev.update(from: p(ic) + initial, count: h)
                    } else {
                        cPrev.update(repeating: 0, count: h)
                    }
                }
                for step in 0..<r.sequence {
                    let t = reverse ? r.sequence - 1 - step : step
                    let xt =
                        x + (r.batchMajor ? (b * r.sequence + t) * r.inputSize : (t * r.batch + b) * r.inputSize)
                    switch r.kind {
                    case .lstm:
                        if let bias {
                            for j in 0..<gh { gates[j] = bias[j] + bias[gh + j] }
                        } else {
                            gates.update(repeating: 0, count: gh)
                        }
                        accumulate(gates, gh, xt, r.inputSize, w, gh)
                        accumulate(gates, gh, hPrev, h, rr, gh)
                        // ONNX order: i, o, f, c.
                        let i = gates
                        let o = gates + h
                        let f = gates + 2 * h
                        let c = gates + 3 * h
                        if let peep {
                            for k in 0..<h {
                                i[k] = i[k].addingProduct(peep[k], cPrev[k])
                                f[k] = f[k].addingProduct(peep[2 * h + k], cPrev[k])
                            }
                        }
                        FastMath.map(i, i, h, FastMath.sigmoid)
                        FastMath.map(f, f, h, FastMath.sigmoid)
                        FastMath.map(c, c, h, FastMath.tanh)
                        for k in 0..<h { cPrev[k] = f[k] * cPrev[k] + i[k] * c[k] }
                        if let peep { for k in 0..<h { o[k] = o[k].addingProduct(peep[h + k], cPrev[k]) } }
                        FastMath.map(o, o, h, FastMath.sigmoid)
                        FastMath.map(cPrev, spare, h, FastMath.tanh)
                        for k in 0..<h { hPrev[k] = o[k] * spare[k] }
                    case .gru(let linearBeforeReset):
                        // ONNX order: z, r, h. The update and reset gates take both biases; the
                        // candidate takes the input's, the recurrence's goes with its product.
                        if let bias {
                            for j in 0..<(2 * h) { gates[j] = bias[j] + bias[gh + j] }
                            for j in (2 * h)..<gh { gates[j] = bias[j] }
                            for k in 0..<h { products[k] = bias[gh + 2 * h + k] }
                        } else {
                            gates.update(repeating: 0, count: gh)
                            products.update(repeating: 0, count: h)
                        }
                        accumulate(gates, gh, xt, r.inputSize, w, gh)
                        accumulate(gates, 2 * h, hPrev, h, rr, gh)
                        let z = gates
                        let reset = gates + h
                        let candidate = gates + 2 * h
                        FastMath.map(z, z, 2 * h, FastMath.sigmoid)
                        if linearBeforeReset {
                            accumulate(products, h, hPrev, h, rr + 2 * h, gh)
                            for k in 0..<h { candidate[k] = candidate[k].addingProduct(reset[k], products[k]) }
                        } else {
                            for k in 0..<h { spare[k] = reset[k] * hPrev[k] }
                            accumulate(products, h, spare, h, rr + 2 * h, gh)
                            for k in 0..<h { candidate[k] += products[k] }
                        }
                        FastMath.map(candidate, candidate, h, FastMath.tanh)
                        for k in 0..<h { hPrev[k] = (1 - z[k]) * candidate[k] + z[k] * hPrev[k] }
                    }
                    if let y = r.y {
                        // Y: [seq, dirs, batch, hidden] (layout 0) or [batch, seq, dirs, hidden].
                        let index =
                            r.batchMajor
                            ? ((b * r.sequence + t) * r.directions + d) * h
                            : ((t * r.directions + d) * r.batch + b) * h
                        (p(y) + index).update(from: hPrev, count: h)
                    }
                }
                // Y_h, Y_c: [dirs, batch, hidden] (layout 0) or [batch, dirs, hidden].
                let last = r.batchMajor ? (b * r.directions + d) * h : stateIndex
                if let yH = r.yH { (p(yH) + last).update(from: hPrev, count: h) }
                if let yC = r.yC { (p(yC) + last).update(from: cPrev, count: h) }
                if let carried = r.carried {
                    let c = p(carried)
                    (c + stateIndex).update(from: hPrev, count: h)
                    (c + stateSize + stateIndex).update(from: cPrev, count: h)
                }
            }
        }
    }
}
