import Foundation

/// A minimal SVG line chart: series downsampled to the chart's pixel width (min and max per pixel,
/// so spikes stay visible), axes with a few labels, optional markers.
struct SVGChart {
    var width = 1000.0
    var height = 260.0
    var title: String
    var padding = (left: 70.0, right: 10.0, top: 24.0, bottom: 24.0)

    struct Marker {
        var index: Int
        var value: Double
        var up: Bool
    }

    /// Min/max pairs per pixel column, as (index, value) points in drawing order.
    static func downsample(_ values: [Double], columns: Int) -> [(Int, Double)] {
        guard values.count > columns * 2 else { return values.enumerated().map { ($0.offset, $0.element) } }
        var out: [(Int, Double)] = []
        out.reserveCapacity(columns * 2)
        let per = Double(values.count) / Double(columns)
        for c in 0..<columns {
            let start = Int(Double(c) * per)
            let end = min(values.count, Int(Double(c + 1) * per))
            guard start < end else { continue }
            var lo = start
            var hi = start
            for i in start..<end {
                if values[i] < values[lo] { lo = i }
                if values[i] > values[hi] { hi = i }
            }
            out.append(lo < hi ? (lo, values[lo]) : (hi, values[hi]))
            out.append(lo < hi ? (hi, values[hi]) : (lo, values[lo]))
        }
        return out
    }

    /// A further line on the same axes (a strategy's series), named in the legend.
    struct Overlay {
        var name: String
        var values: [Double]
        var color: String
    }

    /// Colours for overlays, in order.
    static let palette = ["#e08214", "#8073ac", "#1b7837", "#c51b7d", "#2166ac", "#b35806"]

    func render(
        _ values: [Double], color: String, fill: Bool = false, markers: [Marker] = [], times: [Int64] = [],
        overlays: [Overlay] = []
    ) -> String {
        let finite = (values + overlays.flatMap { $0.values.count == values.count ? $0.values : [] }).filter(\.isFinite)
        guard let lo0 = finite.min(), let hi0 = finite.max(), values.count > 1 else {
            return "<p>\(title): no data</p>"
        }
        let span = hi0 - lo0
        let lo = lo0 - span * 0.05
        let hi = hi0 + span * 0.05 + (span == 0 ? 1 : 0)
        let plotW = width - padding.left - padding.right
        let plotH = height - padding.top - padding.bottom
        func x(_ i: Int) -> Double { padding.left + Double(i) / Double(values.count - 1) * plotW }
        func y(_ v: Double) -> Double { padding.top + (1 - (v - lo) / (hi - lo)) * plotH }
        var svg = "<svg viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\">"
        svg += "<text x=\"\(Int(padding.left))\" y=\"16\" class=\"t\">\(title)</text>"
        for k in 0...4 {
            let v = lo + (hi - lo) * Double(k) / 4
            let yy = y(v)
            svg +=
                "<line x1=\"\(f(padding.left))\" x2=\"\(f(width - padding.right))\" y1=\"\(f(yy))\" y2=\"\(f(yy))\" class=\"g\"/>"
            svg +=
                "<text x=\"\(f(padding.left - 6))\" y=\"\(f(yy + 4))\" class=\"a\" text-anchor=\"end\">\(label(v))</text>"
        }
        if times.count == values.count {
            for k in 0...4 {
                let i = (values.count - 1) * k / 4
                svg +=
                    "<text x=\"\(f(x(i)))\" y=\"\(f(height - 6))\" class=\"a\" text-anchor=\"\(k == 0 ? "start" : k == 4 ? "end" : "middle")\">\(Timestamp.format(times[i]).prefix(10))</text>"
            }
        }
        let points = Self.downsample(values, columns: Int(plotW))
        var path = ""
        for (n, (i, v)) in points.enumerated() where v.isFinite {
            path += (n == 0 ? "M" : "L") + f(x(i)) + "," + f(y(v))
        }
        if fill, let first = points.first, let last = points.last {
            let base = f(y(max(lo, min(hi, 0))))
            svg +=
                "<path d=\"\(path)L\(f(x(last.0))),\(base)L\(f(x(first.0))),\(base)Z\" fill=\"\(color)\" fill-opacity=\"0.25\" stroke=\"none\"/>"
        }
        svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.2\"/>"
        var legendX = width - padding.right
        for o in overlays.reversed() where o.values.count == values.count {
            var line = ""
            var pen = false
            for (i, v) in Self.downsample(o.values, columns: Int(plotW)) {
                guard v.isFinite else {
                    pen = false
                    continue
                }
                line += (pen ? "L" : "M") + f(x(i)) + "," + f(y(v))
                pen = true
            }
            svg += "<path d=\"\(line)\" fill=\"none\" stroke=\"\(o.color)\" stroke-width=\"1\"/>"
            svg +=
                "<text x=\"\(f(legendX))\" y=\"16\" class=\"a\" text-anchor=\"end\" fill=\"\(o.color)\">\(HTMLReport.escape(o.name))</text>"
            legendX -= Double(o.name.count) * 6 + 14
        }
        for m in markers {
            let cx = x(m.index)
            let cy = y(m.value)
            let d =
                m.up
                ? "M\(f(cx)),\(f(cy - 4))L\(f(cx - 4)),\(f(cy + 4))L\(f(cx + 4)),\(f(cy + 4))Z"
                : "M\(f(cx)),\(f(cy + 4))L\(f(cx - 4)),\(f(cy - 4))L\(f(cx + 4)),\(f(cy - 4))Z"
            svg += "<path d=\"\(d)\" class=\"\(m.up ? "buy" : "sell")\"/>"
        }
        return svg + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func label(_ v: Double) -> String {
        abs(v) >= 1000 ? String(format: "%.0f", v) : abs(v) >= 1 ? String(format: "%.2f", v) : String(format: "%.4f", v)
    }
}
