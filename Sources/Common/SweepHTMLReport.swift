import ATSEngine
import Foundation

/// A sweep as one self-contained HTML file (`ats sweep report S --out s1.html`, `GET
/// /api/sweeps/{sweep}/report.html`): the definition, whether the best result is likely luck (DSR,
/// PSR, PBO, MinBTL and the research ledger's DSR, in red when they say so), the best trial's
/// equity beside buy and hold, the leaderboard, the walk-forward folds, a heatmap of two
/// parameters in sample beside out of sample, and why trials failed. No script, no external file.
public struct SweepHTMLReport: Sendable {
    public var name: String
    public var state: String
    public var definition: [(String, String)]
    public var report: SweepReport
    public var heatmap: SweepHeatmapReport?
    public var best: SweepTrialCurveView?
    /// When the report was made (epoch ms).
    public var generatedMs: Int64

    /// The best trial's curve as the report draws it.
    public struct SweepTrialCurveView: Sendable {
        public var trial: Int
        public var curve: TrialCurve
        public var sameAsSweep: Bool?
        public var testWindows: [[Int64]]

        public init(trial: Int, curve: TrialCurve, sameAsSweep: Bool?, testWindows: [[Int64]]) {
            self.trial = trial
            self.curve = curve
            self.sameAsSweep = sameAsSweep
            self.testWindows = testWindows
        }
    }

    public init(
        name: String, state: String, definition: [(String, String)], report: SweepReport,
        heatmap: SweepHeatmapReport?, best: SweepTrialCurveView?, generatedMs: Int64
    ) {
        self.name = name
        self.state = state
        self.definition = definition
        self.report = report
        self.heatmap = heatmap
        self.best = best
        self.generatedMs = generatedMs
    }

    static func escape(_ s: String) -> String { HTMLReport.escape(s) }

    static func number(_ v: Double?, _ digits: Int = 3) -> String {
        guard let v else { return "—" }
        return v.isFinite ? String(format: "%.\(digits)f", v) : v.isNaN ? "—" : (v > 0 ? "∞" : "−∞")
    }

    static func percent(_ v: Double) -> String { v.isFinite ? String(format: "%.2f%%", v * 100) : "—" }

    public func render() -> String {
        let e = Self.escape
        var html = """
            <!doctype html><html lang="en"><head><meta charset="utf-8">
            <title>Sweep \(e(name))</title><style>
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
            table{border-collapse:collapse;margin:6px 0}td,th{padding:3px 9px;border-bottom:1px solid #eee;text-align:left}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}.muted{color:#777}
            .bad{color:#b00020;font-weight:600}.good{color:#1b5e20;font-weight:600}
            .box{border:1px solid #ddd;border-radius:6px;padding:10px 14px;margin:8px 0}
            .box.bad-box{border-color:#b00020;background:#fff5f6}
            svg{width:100%;height:auto;background:#fcfcfc;border:1px solid #eee}
            svg text{font:11px system-ui,sans-serif;fill:#555}.heat td{text-align:center;min-width:44px;font-size:12px}
            </style></head><body>
            <h1>Sweep \(e(name))</h1><div class="muted">\(e(state)) · generated \(e(Timestamp.format(generatedMs))) ·
            \(report.trials) trials (\(report.failed) failed) over \(report.bars) bars</div>

            """
        html += "<h2>Definition</h2><table>"
        for (k, v) in definition { html += "<tr><th>\(e(k))</th><td>\(e(v))</td></tr>" }
        html += "</table>"
        html += luck()
        html += bestTrial()
        html += leaderboard()
        html += walkForward()
        html += heatmaps()
        if !report.failures.isEmpty {
            html += "<h2>Failed trials</h2><table><tr><th class=\"n\">trials</th><th>reason</th></tr>"
            for f in report.failures { html += "<tr><td class=\"n\">\(f.trials)</td><td>\(e(f.reason))</td></tr>" }
            html += "</table>"
        }
        html +=
            "<p class=\"muted\">Any trial runs again, bit for bit, with <code>ats backtest --from-trial \(e(name))/TRIAL</code>. Formulas: Bailey and López de Prado (2014) for the Deflated Sharpe Ratio, Bailey, Borwein, López de Prado and Zhu for PBO by CSCV.</p>"
        return html + "</body></html>\n"
    }

    /// DSR, PSR, PBO, MinBTL, the ledger's DSR: each flagged when it says the best may be luck.
    func luck() -> String {
        var rows: [(String, String, Bool)] = []
        var suspect = false
        if let engines = report.mixed_engines {
            rows.append(
                (
                    "Mixed engines",
                    engines.map { "\($0.engine) (\($0.chunks) chunks)" }.joined(separator: ", ")
                        + ": trials from different engines may not compare", true
                ))
            suspect = true
        }
        if let d = report.deflated_sharpe {
            rows.append(
                (
                    "Deflated Sharpe ratio",
                    "\(Self.number(d.value)) (N = \(d.trials) trials, V = \(Self.number(d.sharpe_variance, 6)) variance of their Sharpe ratios; under 0.95: the best may be luck)",
                    d.suspect
                ))
            suspect = suspect || d.suspect
        }
        if let l = report.research_ledger {
            let d = l.deflated_sharpe
            rows.append(
                (
                    "Deflated by your whole search",
                    "\(Self.number(d.value)) (N = \(l.trials) trials in \(l.sweeps) sweeps on this strategy and data)",
                    d.suspect
                ))
            suspect = suspect || d.suspect
        }
        if let p = report.probabilistic_sharpe {
            rows.append(("Probabilistic Sharpe ratio (against 0)", Self.number(p), false))
        }
        if let o = report.overfitting {
            rows.append(
                (
                    "Probability of backtest overfitting",
                    "\(Self.number(o.probability)) (CSCV, \(o.blocks) blocks, \(o.combinations) splits; above 0.5: the in-sample best does worse than the median out of sample)",
                    o.suspect
                ))
            suspect = suspect || o.suspect
        }
        if let m = report.minimum_backtest_years {
            let short = m > report.data_years
            rows.append(
                (
                    "Minimum backtest length",
                    "\(Self.number(m, 2)) years for this many trials, against \(Self.number(report.data_years, 2)) of data",
                    short
                ))
        }
        guard !rows.isEmpty else { return "" }
        var html =
            "<h2>Is the best result luck?</h2><div class=\"box\(suspect ? " bad-box" : "")\"><table>"
        for (k, v, bad) in rows {
            html += "<tr><th>\(Self.escape(k))</th><td class=\"\(bad ? "bad" : "")\">\(Self.escape(v))</td></tr>"
        }
        return html + "</table></div>"
    }

    func bestTrial() -> String {
        guard let top = report.top.first else { return "<h2>Best trial</h2><p>No trial has run yet.</p>" }
        let params = report.names.map { "\($0)=\(top.parameters[$0].map { "\($0)" } ?? "—")" }.joined(separator: " ")
        let s = top.statistics
        var html =
            "<h2>Best trial: \(top.trial)</h2><p><code>\(Self.escape(params))</code> · \(Self.escape(report.objective)) \(Self.number(top.objective))</p>"
        html += "<table><tr>"
        for (k, v) in [
            ("return", Self.percent(s.totalReturn)), ("buy & hold", Self.percent(s.buyAndHoldReturn)),
            ("Sharpe", Self.number(s.sharpe, 2)), ("Sortino", Self.number(s.sortino, 2)),
            ("max drawdown", Self.percent(s.maxDrawdown)), ("trades", "\(s.roundTrips)"),
            ("win rate", Self.percent(s.winRate)), ("fees", Self.number(s.totalFees, 2)),
        ] {
            html += "<th class=\"n\">\(k)</th><td class=\"n\">\(v)</td>"
        }
        html += "</tr></table>"
        if let best, best.trial == top.trial {
            html += chart(best)
            switch best.sameAsSweep {
            case true?: html += "<p class=\"muted\">Run again for this report: the sweep's statistics, bit for bit.</p>"
            case false?:
                html += "<p class=\"bad\">Run again for this report, it differs from what the sweep stored.</p>"
            case nil: break
            }
        }
        return html
    }

    /// The best trial's equity (blue) beside buy and hold (grey), walk-forward test windows shaded.
    func chart(_ best: SweepTrialCurveView) -> String {
        let c = best.curve
        guard c.times.count > 1, let t0 = c.times.first, let t1 = c.times.last, t1 > t0 else { return "" }
        let values = (c.equity + c.buyAndHold).filter(\.isFinite)
        guard var lo = values.min(), var hi = values.max() else { return "" }
        if hi == lo { (lo, hi) = (lo - 1, hi + 1) }
        let (w, h, left, right, top, bottom) = (1000.0, 300.0, 70.0, 10.0, 20.0, 24.0)
        func x(_ t: Int64) -> Double { left + Double(t - t0) / Double(t1 - t0) * (w - left - right) }
        func y(_ v: Double) -> Double { top + (1 - (v - lo) / (hi - lo)) * (h - top - bottom) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var svg = "<svg viewBox=\"0 0 \(Int(w)) \(Int(h))\" role=\"img\" aria-label=\"equity of trial \(best.trial)\">"
        for window in best.testWindows where window.count == 2 {
            let (a, b) = (x(max(t0, window[0])), x(min(t1, window[1])))
            if b > a {
                svg +=
                    "<rect x=\"\(f(a))\" y=\"\(f(top))\" width=\"\(f(b - a))\" height=\"\(f(h - top - bottom))\" fill=\"#e8f0fb\"/>"
            }
        }
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            svg +=
                "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y(v)))\" y2=\"\(f(y(v)))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(y(v) + 4))\" text-anchor=\"end\">\(Self.number(v, 0))</text>"
        }
        svg += "<text x=\"\(f(left))\" y=\"\(f(h - 6))\">\(Timestamp.format(t0).prefix(10))</text>"
        svg +=
            "<text x=\"\(f(w - right))\" y=\"\(f(h - 6))\" text-anchor=\"end\">\(Timestamp.format(t1).prefix(10))</text>"
        for (series, color, label) in [
            (c.buyAndHold, "#9e9e9e", "buy & hold"), (c.equity, "#1f5fbf", "trial \(best.trial)"),
        ] {
            let points = zip(c.times, series).filter { $0.1.isFinite }.map { "\(f(x($0.0))),\(f(y($0.1)))" }
            svg +=
                "<polyline points=\"\(points.joined(separator: " "))\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.4\"><title>\(Self.escape(label))</title></polyline>"
        }
        svg += "<text x=\"\(f(left + 4))\" y=\"14\" fill=\"#1f5fbf\">— trial \(best.trial)</text>"
        svg += "<text x=\"\(f(left + 110))\" y=\"14\" fill=\"#9e9e9e\">— buy &amp; hold</text>"
        if !best.testWindows.isEmpty {
            svg += "<text x=\"\(f(left + 220))\" y=\"14\">shaded: walk-forward test windows</text>"
        }
        return svg + "</svg>"
    }

    func leaderboard() -> String {
        guard !report.top.isEmpty else { return "" }
        var html =
            "<h2>Leaderboard (best \(report.top.count) of \(report.trials))</h2><table><tr><th class=\"n\">#</th><th class=\"n\">trial</th>"
        for n in report.names { html += "<th class=\"n\">\(Self.escape(n))</th>" }
        html +=
            "<th class=\"n\">\(Self.escape(report.objective))</th><th class=\"n\">return</th><th class=\"n\">Sharpe</th><th class=\"n\">max drawdown</th><th class=\"n\">trades</th></tr>"
        for (k, t) in report.top.enumerated() {
            html += "<tr><td class=\"n\">\(k + 1)</td><td class=\"n\">\(t.trial)</td>"
            for n in report.names {
                html += "<td class=\"n\">\(Self.escape(t.parameters[n].map { "\($0)" } ?? "—"))</td>"
            }
            let s = t.statistics
            html +=
                "<td class=\"n\">\(Self.number(t.objective))</td><td class=\"n\">\(Self.percent(s.totalReturn))</td><td class=\"n\">\(Self.number(s.sharpe, 2))</td><td class=\"n\">\(Self.percent(s.maxDrawdown))</td><td class=\"n\">\(s.roundTrips)</td></tr>"
        }
        return html + "</table>"
    }

    func walkForward() -> String {
        guard let wf = report.walk_forward else { return "" }
        var html =
            "<h2>Walk-forward</h2><p>Each fold re-optimised on its train window; its test window traded with the choice. Out of sample: return \(Self.percent(wf.out_of_sample_return)), Sharpe \(Self.number(wf.out_of_sample_sharpe, 2)); efficiency \(wf.efficiency.map { Self.number($0, 2) } ?? "— (in-sample return not above zero)") (out-of-sample return a year over in-sample).</p>"
        html +=
            "<table><tr><th>test window</th><th class=\"n\">trial</th><th>parameters</th><th class=\"n\">in sample</th><th class=\"n\">test return</th><th class=\"n\">test Sharpe</th></tr>"
        for fold in wf.folds {
            let params = report.names.map { "\($0)=\(fold.parameters[$0].map { "\($0)" } ?? "—")" }.joined(
                separator: " ")
            html +=
                "<tr><td>\(Timestamp.format(fold.test_from).prefix(10)) → \(Timestamp.format(fold.test_to).prefix(10))</td><td class=\"n\">\(fold.trial.map(String.init) ?? "—")</td><td><code>\(Self.escape(params))</code></td><td class=\"n\">\(Self.number(fold.in_sample))</td><td class=\"n\">\(Self.percent(fold.out_of_sample_return))</td><td class=\"n\">\(Self.number(fold.out_of_sample_sharpe, 2))</td></tr>"
        }
        return html + "</table>"
    }

    func heatmaps() -> String {
        guard let map = heatmap else { return "" }
        var html = "<h2>\(Self.escape(map.y)) × \(Self.escape(map.x)): best \(Self.escape(map.objective)) per cell</h2>"
        html += table(map.in_sample, map, title: "in sample (whole span)")
        if let out = map.out_of_sample { html += table(out, map, title: "out of sample (test windows joined)") }
        return html
    }

    /// One heatmap as a table, cells shaded from the worst (red) to the best (green).
    func table(_ cells: [[Double?]], _ map: SweepHeatmapReport, title: String) -> String {
        let values = cells.flatMap { $0 }.compactMap { $0 }.filter(\.isFinite)
        let (lo, hi) = (values.min() ?? 0, values.max() ?? 1)
        let maximize = !map.objective.hasSuffix(":min")
        var html =
            "<p class=\"muted\">\(Self.escape(title))</p><table class=\"heat\"><tr><th>\(Self.escape(map.y)) \\ \(Self.escape(map.x))</th>"
        for x in map.xs { html += "<th>\(Self.escape("\(x)"))</th>" }
        html += "</tr>"
        for (row, yv) in zip(cells, map.ys) {
            html += "<tr><th>\(Self.escape("\(yv)"))</th>"
            for v in row {
                guard let v, v.isFinite else {
                    html += "<td class=\"muted\">·</td>"
                    continue
                }
                var t = hi > lo ? (v - lo) / (hi - lo) : 1
                if !maximize { t = 1 - t }
                // Red (worst) to green (best), as the dashboard's heatmap.
                html += "<td style=\"background:hsl(\(Int(108 * t)),60%,82%)\">\(Self.number(v, 2))</td>"
            }
            html += "</tr>"
        }
        return html + "</table>"
    }
}
