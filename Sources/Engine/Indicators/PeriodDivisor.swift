/// Division by a window's length at a multiply's throughput: `a / n`, correctly rounded, from a
/// multiply and two fused multiply-adds.
///
/// A division instruction issues once every four cycles on current x86 cores, which bounded
/// SMA's batch loop as much as its running sum did. With `y = RN(1/n)` and `q = RN(a·y)` (within
/// one ulp of `a/n`), the residual `r = a − n·q` is exact in one fused multiply-add, and
/// `RN(q + r·y)` is the correctly rounded quotient (Markstein's theorem: P. Markstein, IBM J. Res.
/// Dev. 34, 1990; also in Muller et al., *Handbook of Floating-Point Arithmetic*): the very bits of
/// `a / n` whenever the average is a normal number. Below 2⁻¹⁰²² (sums of about 1e-300) it may differ from the division in the last
/// place, and an infinite sum gives NaN; the same on every machine and build, since a fused
/// multiply-add is correctly rounded everywhere (`PeriodDivisorTests`).
///
/// Unlike a multiply by the reciprocal alone, the average of a constant series is that constant
/// (`49 · RN(1/49)` is not 1).
@frozen
public struct PeriodDivisor: Sendable, Hashable {
    public let divisor: Double
    public let reciprocal: Double

    @inlinable
    public init(_ n: Int) {
        precondition(n >= 1)
        divisor = Double(n)
        reciprocal = 1 / divisor
    }

    /// `a / divisor`, correctly rounded for averages in the normal range.
    @inlinable @inline(__always)
    public func divide(_ a: Double) -> Double {
        let q = a * reciprocal
        return q.addingProduct(a.addingProduct(-q, divisor), reciprocal)
    }
}
