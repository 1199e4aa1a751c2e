import Foundation

/// What walk-forward needs of a trial's per-bar returns over one segment of the span: how many,
/// their sum, their squares, their downside squares and their log growth. Sums add, so a window's
/// are its segments' added; a window's Sharpe ratio, Sortino ratio and return follow from them.
public struct SegmentSums: Sendable, Hashable {
    public var count: Double = 0
    public var sum: Double = 0
    public var squares: Double = 0
    public var downside: Double = 0
    public var logGrowth: Double = 0

    public init() {}

    public mutating func add(_ r: Double) {
        count += 1
        sum += r
        squares += r * r
        if r < 0 { downside += r * r }
        logGrowth += log1p(r)
    }

    public mutating func add(_ s: SegmentSums) {
        count += s.count
        sum += s.sum
        squares += s.squares
        downside += s.downside
        logGrowth += s.logGrowth
    }

    /// The window's return: the product of its (1 + r), less one.
    public var totalReturn: Double { expm1(logGrowth) }

    /// Annualised Sharpe and Sortino ratios over a window `spanMs` long (periods a year: this
    /// window's returns per year, as ``BacktestStatistics`` counts data with gaps), and the
    /// return a year at this window's rate.
    public func sharpe(spanMs: Double) -> Double {
        guard count > 1, spanMs > 0 else { return 0 }
        let mean = sum / count
        let variance = max(0, (squares - sum * mean) / (count - 1))
        return variance > 0 ? mean / variance.squareRoot() * (count * Self.yearMs / spanMs).squareRoot() : 0
    }

    public func sortino(spanMs: Double) -> Double {
        guard count > 0, spanMs > 0 else { return 0 }
        let down = (downside / count).squareRoot()
        return down > 0 ? sum / count / down * (count * Self.yearMs / spanMs).squareRoot() : 0
    }

    public func annualReturn(spanMs: Double) -> Double {
        spanMs > 0 ? expm1(logGrowth * Self.yearMs / spanMs) : 0
    }

    static let yearMs = 365.25 * 86_400_000
}
