/// Exponential, logistic and hyperbolic tangent eight lanes at a time (Cephes' single-precision
/// polynomials: within two units in the last place of `Float`), for the gates of recurrent
/// layers and the element-wise activations.
enum FastMath {
    typealias V = SIMD8<Float>

    @inline(__always)
    static func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }

    @inline(__always)
    static func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: V.self)
    }

    /// Lanes below `lo` or above `hi` set to them (NaN stays NaN).
    @inline(__always)
    static func clamp(_ v: V, _ lo: Float, _ hi: Float) -> V {
        let low = V(repeating: lo)
        let high = V(repeating: hi)
        return v.replacing(with: low, where: v .< low).replacing(with: high, where: v .> high)
    }

    @inline(__always)
    static func exp(_ v: V) -> V {
        var x = clamp(v, -87.3, 88.3)
        // x·log₂e rounded to the nearest integer n by adding 1.5·2²³ (whose last place is 1): the
        // sum's low mantissa bits hold n, which also makes 2ⁿ below (no float-to-int conversion).
        let shifted = x * 1.44269504088896341 + 12_582_912
        let fx = shifted - 12_582_912
        x = x - fx * 0.693359375
        x = x + fx * 2.12194440e-4
        let z = x * x
        var y = V(repeating: 1.9875691500e-4)
        y = y * x + 1.3981999507e-3
        y = y * x + 8.3334519073e-3
        y = y * x + 4.1665795894e-2
        y = y * x + 1.6666665459e-1
        y = y * x + 5.0000001201e-1
        y = y * z + x + 1
        let exponent = (unsafeBitCast(shifted, to: SIMD8<UInt32>.self) &+ 127) &<< 23
        return y * unsafeBitCast(exponent, to: V.self)
    }

    @inline(__always)
    static func sigmoid(_ x: V) -> V { 1 / (1 + exp(-x)) }

    @inline(__always)
    static func tanh(_ x: V) -> V {
        let negative = x .< 0
        let ax = x.replacing(with: -x, where: negative)
        let e = exp(clamp(2 * ax, 0, 88))
        var large = 1 - 2 / (e + 1)
        large = large.replacing(with: -large, where: negative)
        let z = x * x
        var p = V(repeating: -5.70498872745e-3)
        p = p * z + 2.06390887954e-2
        p = p * z - 5.37397155531e-2
        p = p * z + 1.33314422036e-1
        p = p * z - 3.33332819422e-1
        let small = p * z * x + x
        return small.replacing(with: large, where: ax .>= 0.625)
    }

    /// Applies `f` to `count` floats from `x` into `out` (which may be `x`).
    @inline(__always)
    static func map(
        _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ count: Int, _ f: (V) -> V
    ) {
        var i = 0
        while i + 8 <= count {
            store(f(load(x + i)), out + i)
            i += 8
        }
        if i < count {
            var tail = V()
            for j in 0..<(count - i) { tail[j] = x[i + j] }
            let r = f(tail)
            for j in 0..<(count - i) { out[i + j] = r[j] }
        }
    }

    /// `Σ a[i] · b[i]` over `k` floats, eight lanes at a time in two accumulators.
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ k: Int) -> Float {
        var acc0 = V()
        var acc1 = V()
        var i = 0
        while i + 16 <= k {
            acc0 = acc0.addingProduct(load(a + i), load(b + i))
            acc1 = acc1.addingProduct(load(a + i + 8), load(b + i + 8))
            i += 16
        }
        if i + 8 <= k {
            acc0 = acc0.addingProduct(load(a + i), load(b + i))
            i += 8
        }
        var s = (acc0 + acc1).sum()
        while i < k {
            s = s.addingProduct(a[i], b[i])
            i += 1
        }
        return s
    }
}
