import ATSShared

extension CurvePoint {
    /// A job on a live market's equity curve: the point of a candle that opens on a whole minute
    /// (every candle of 1m and longer, one in sixty of 1s), so a chart is drawn at any interval and
    /// the curve grows by at most one row a minute per job.
    static func onTheMinute(
        bar: Int64, openTime: Int64?, close: Double, equity: Double, plots: @autoclosure () -> [Double]
    ) -> [CurvePoint] {
        guard bar >= 0, let openTime, openTime % 60_000 == 0 else { return [] }
        return [CurvePoint(barIndex: bar, timeMs: openTime, close: close, equity: equity, plots: plots())]
    }
}
