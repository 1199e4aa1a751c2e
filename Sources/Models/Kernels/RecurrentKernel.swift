extension Kernels {
    /// An LSTM or GRU node over its whole sequence, per direction and batch row; a streaming node
    /// starts from the state it carried and leaves its final state there.
    static func recurrent(_ r: Recurrent, _ p: (Ref) -> UnsafeMutablePointer<Float>) {
        let h = r.hidden
        let g = r.gates
        let x = p(r.x)
        let scratch = p(r.scratch)
        let gates = scratch
        let hPrev = scratch + g * h
        let cPrev = hPrev + h
        let recurrentH = cPrev + h
        for d in 0..<r.directions {
            let w = p(r.w) + d * g * h * r.inputSize
            let rr = p(r.r) + d * g * h * h
            let wb = r.bias.map { p($0) + d * 2 * g * h }
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
                    if let ih = r.initialH {
                        hPrev.update(from: p(ih) + stateIndex, count: h)
                    } else {
                        hPrev.update(repeating: 0, count: h)
                    }
                    if let ic = r.initialC {
                        cPrev.update(from: p(ic) + stateIndex, count: h)
                    } else {
                        cPrev.update(repeating: 0, count: h)
                    }
                }
                for step in 0..<r.sequence {
                    let t = reverse ? r.sequence - 1 - step : step
                    let xt =
                        x + (r.batchMajor ? (b * r.sequence + t) * r.inputSize : (t * r.batch + b) * r.inputSize)
                    // Input and recurrent products with their biases.
                    for j in 0..<(g * h) {
                        var v = FastMath.dot(w + j * r.inputSize, xt, r.inputSize)
                        if let wb { v += wb[j] }
                        gates[j] = v
                    }
                    switch r.kind {
                    case .lstm:
                        for j in 0..<(g * h) {
                            var v = gates[j] + FastMath.dot(rr + j * h, hPrev, h)
                            if let wb { v += wb[g * h + j] }
                            gates[j] = v
                        }
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
                        FastMath.map(cPrev, recurrentH, h, FastMath.tanh)
                        for k in 0..<h { hPrev[k] = o[k] * recurrentH[k] }
                    case .gru(let linearBeforeReset):
                        // ONNX order: z, r, h.
                        let z = gates
                        let rg = gates + h
                        let hh = gates + 2 * h
                        for j in 0..<(2 * h) {
                            var v = gates[j] + FastMath.dot(rr + j * h, hPrev, h)
                            if let wb { v += wb[g * h + j] }
                            gates[j] = v
                        }
                        FastMath.map(z, z, 2 * h, FastMath.sigmoid)
                        if linearBeforeReset {
                            for k in 0..<h {
                                var v = FastMath.dot(rr + (2 * h + k) * h, hPrev, h)
                                if let wb { v += wb[g * h + 2 * h + k] }
                                hh[k] += rg[k] * v
                            }
                        } else {
                            for k in 0..<h { recurrentH[k] = rg[k] * hPrev[k] }
                            for k in 0..<h {
                                var v = FastMath.dot(rr + (2 * h + k) * h, recurrentH, h)
                                if let wb { v += wb[g * h + 2 * h + k] }
                                hh[k] += v
                            }
                        }
                        FastMath.map(hh, hh, h, FastMath.tanh)
                        for k in 0..<h { hPrev[k] = (1 - z[k]) * hh[k] + z[k] * hPrev[k] }
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
