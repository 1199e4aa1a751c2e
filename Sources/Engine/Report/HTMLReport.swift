import Foundation

/// A self-contained HTML backtest report (inline CSS and SVG, no scripts, no network): statistics,
/// equity, drawdown, price with buy and sell markers, the trades table and the reproducibility stamp.
public struct HTMLReport {
    public var title: String
    public var statistics: BacktestStatistics
    /// The reproducibility stamp, when the run made one (a standalone backtest does; a cluster
    /// job's report shows its spec instead).
    public var stamp: ReproducibilityStamp?
    public var spec: RunSpec
    public var times: [Int64]
    /// For a sampled series (a cluster job's curve): the bar index of each point, ascending. Fills
    /// and trades, which name bars, are placed at the first point at or after their bar, and
    /// trade times are the fills' own. Nil: one point per bar.
    public var sampledBars: [Int]?
    public var closes: [Double]
    public var equity: [Double]
    public var fills: [Fill]
    public var trades: [RoundTrip]
    /// The strategy's series (its plot topics), one value per point of ``closes`` each: drawn over
    /// the price or in a pane below it.
    public var plots: [(series: PlotSeries, values: [Double])] = []
    /// At most this many trades and markers are drawn (the most recent ones).
    public var limit = 2_000

    public init(
        title: String, statistics: BacktestStatistics, stamp: ReproducibilityStamp, bars: BarSeries, equity: [Double],
        fills: [Fill], trades: [RoundTrip]
    ) {
        self.title = title
        self.statistics = statistics
        self.stamp = stamp
        spec = stamp.spec
        times = bars.time.array
        closes = bars.close.array
        self.equity = equity
        self.fills = fills
        self.trades = trades
    }

    /// A report over a sampled curve: `bars[i]` is the bar index of point `i`.
    public init(
        title: String, statistics: BacktestStatistics, spec: RunSpec, bars: [Int], times: [Int64], closes: [Double],
        equity: [Double], fills: [Fill], trades: [RoundTrip]
    ) {
        self.title = title
        self.statistics = statistics
        self.spec = spec
        sampledBars = bars
        self.times = times
        self.closes = closes
        self.equity = equity
        self.fills = fills
        self.trades = trades
    }

    /// The point drawn for a bar: the first sample at or after it.
    func point(_ bar: Int) -> Int {
        guard let sampledBars else { return bar }
        return min(
            PartitionPoint.first(in: sampledBars.count) { sampledBars[$0] >= bar }, max(0, sampledBars.count - 1))
    }

    /// A bar's time, as text. Sampled: a trade's bars are fill bars, and fills are in bar order.
    func time(_ bar: Int) -> String {
        if sampledBars == nil { return bar < times.count ? Timestamp.format(times[bar]) : "\(bar)" }
        let i = PartitionPoint.first(in: fills.count) { fills[$0].barIndex >= bar }
        return i < fills.count && fills[i].barIndex == bar ? Timestamp.format(fills[i].time) : "bar \(bar)"
    }

    /// The strategy's series on one pane, coloured in order.
    func overlays(_ pane: PlotSeries.Pane) -> [SVGChart.Overlay] {
        plots.enumerated().filter { $0.element.series.pane == pane && $0.element.values.count == closes.count }.map {
            SVGChart.Overlay(
                name: $0.element.series.name, values: $0.element.values,
                color: SVGChart.palette[$0.offset % SVGChart.palette.count])
        }
    }

    /// `s` as HTML text or a double-quoted attribute's value.
    public static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public func render() -> String {
        var peak = -Double.infinity
        let drawdown = equity.map { e -> Double in
            peak = max(peak, e)
            return peak > 0 ? -(1 - e / peak) * 100 : 0
        }
        let shownFills = fills.suffix(limit)
        let markers = shownFills.map {
            SVGChart.Marker(index: point($0.barIndex), value: $0.price, up: $0.side == .buy)
        }
        let s = statistics
        func pct(_ v: Double) -> String { String(format: "%.2f%%", v * 100) }
        func num(_ v: Double, _ d: Int = 2) -> String { v.isFinite ? String(format: "%.\(d)f", v) : "∞" }
        let rows: [(String, String)] = [
            ("Total return", pct(s.totalReturn)), ("Buy and hold", pct(s.buyAndHoldReturn)), ("CAGR", pct(s.cagr)),
            ("Sharpe", num(s.sharpe, 3)), ("Sortino", num(s.sortino, 3)), ("Calmar", num(s.calmar, 3)),
            ("Max drawdown", pct(s.maxDrawdown)), ("Max drawdown bars", "\(s.maxDrawdownBars)"),
            ("Round trips", "\(s.roundTrips)"), ("Win rate", pct(s.winRate)), ("Profit factor", num(s.profitFactor, 3)),
            ("Expectancy", num(s.expectancy, 4)), ("Exposure", pct(s.exposure)), ("Fees", num(s.totalFees)),
            ("Final equity", num(s.finalEquity)), ("Bars", "\(s.bars)"),
            ("Orders", "\(s.orders) (\(s.rejectedOrders) rejected)"),
            ("Fills", "\(s.fills)"),
        ]
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(Self.escape(title))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1d2330;background:#fff}
            h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:24px 0 8px}
            .stats{display:grid;grid-template-columns:repeat(auto-fill,minmax(180px,1fr));gap:6px 18px}
            .stats div{display:flex;justify-content:space-between;border-bottom:1px solid #eee}
            svg{width:100%;height:auto;max-width:1000px;display:block} .t{font-weight:600;font-size:13px}
            .a{font-size:10px;fill:#667} .g{stroke:#eee} .buy{fill:#1a9850} .sell{fill:#d73027}
            table{border-collapse:collapse;font-size:12px} td,th{padding:2px 8px;text-align:right;border-bottom:1px solid #f0f0f0}
            .pos{color:#1a9850} .neg{color:#d73027} code{font-size:11px;word-break:break-all}
            </style></head><body>
            <h1>\(Self.escape(title))</h1>
            <p>\(Self.escape(spec.strategy.namespace)) on \(Self.escape(spec.exchange.symbol.base))/\(Self.escape(spec.exchange.symbol.quote)), \(times.first.map { Timestamp.format($0) } ?? "") to \(times.last.map { Timestamp.format($0) } ?? "")</p>
            <h2>Statistics</h2><div class="stats">
            """
        for (k, v) in rows { html += "<div><span>\(k)</span><b>\(v)</b></div>" }
        html += "</div>"
        // Beside the strategy: what holding the starting balances would have been worth.
        let baseline = TradeSummary.noTradeBaseline(spec.portfolio, closes: closes)
        html +=
            "<h2>Equity</h2>"
            + SVGChart(title: "Equity (quote)").render(
                equity, color: "#3465a4", times: times,
                overlays: baseline.count == equity.count
                    ? [SVGChart.Overlay(name: "no trades (starting balances held)", values: baseline, color: "#999")]
                    : [])
        html +=
            "<h2>Drawdown</h2>"
            + SVGChart(title: "Drawdown (%)").render(drawdown, color: "#d73027", fill: true, times: times)
        html +=
            "<h2>Price and trades</h2>"
            + SVGChart(title: "Close, buys ▲ and sells ▼\(fills.count > limit ? " (last \(limit) fills)" : "")")
            .render(
                closes, color: "#555", markers: Array(markers), times: times,
                overlays: overlays(.price))
        let below = overlays(.below)
        if let first = below.first {
            html +=
                "<h2>\(Self.escape(below.map(\.name).joined(separator: ", ")))</h2>"
                + SVGChart(title: Self.escape(first.name)).render(
                    first.values, color: first.color, times: times, overlays: Array(below.dropFirst()))
        }
        html += "<h2>Trades</h2>"
        let summary = TradeSummary(trades: trades)
        if !summary.pnlPercentiles.isEmpty {
            html += "<p>P&amp;L per round trip: "
            html += zip(TradeSummary.levels, summary.pnlPercentiles).map { "p\($0) \(num($1, 4))" }.joined(
                separator: ", ")
            html += "; worst \(num(summary.worst ?? .nan, 4)), best \(num(summary.best ?? .nan, 4))</p>"
        }
        if trades.count > limit { html += "<p>The last \(limit) of \(trades.count) round trips.</p>" }
        html +=
            "<table><tr><th>#</th><th>side</th><th>entry</th><th>exit</th><th>entry price</th><th>exit price</th><th>quantity</th><th>fees</th><th>P&amp;L</th></tr>"
        let first = max(0, trades.count - limit)
        for (n, t) in trades.suffix(limit).enumerated() {
            let entry = time(t.entryBar)
            let exit = time(t.exitBar)
            html +=
                "<tr><td>\(first + n + 1)</td><td>\(t.side == .buy ? "long" : "short")</td><td>\(entry)</td><td>\(exit)</td>"
            html +=
                "<td>\(num(t.entryPrice, 4))</td><td>\(num(t.exitPrice, 4))</td><td>\(num(t.quantity, 6))</td><td>\(num(t.fees, 4))</td>"
            html += "<td class=\"\(t.pnl >= 0 ? "pos" : "neg")\">\(num(t.pnl, 4))</td></tr>"
        }
        html += "</table><h2>Reproducibility</h2><p>"
        if let stamp {
            html +=
                "engine <code>\(Self.escape(stamp.engineVersion))</code>, data <code>\(Self.escape(stamp.dataFile))</code> "
            html += "(\(stamp.dataBytes) bytes, \(stamp.bars) bars), hash <code>\(stamp.dataHash)</code></p>"
        } else {
            html += "engine <code>\(Self.escape(ReproducibilityStamp.engineVersion))</code>, "
            html += "\(times.count) sampled points of \(statistics.bars) bars</p>"
        }
        let config = (try? JSONEncoder.sorted.encode(spec)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        html += "<p>configuration <code>\(Self.escape(config))</code></p></body></html>\n"
        return html
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }
}
