import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird

/// A job's pictures: its sampled curve (price and equity at about a thousand bars) for the
/// dashboard's charts, and a self-contained HTML report to download.
extension AdminAPI {
    /// Fills a report books into round trips, at most (the statistics come from the worker and
    /// cover every fill; the trades table shows the last 2,000 anyway).
    static let reportFillLimit = 200_000

    func addChartRoutes(to api: RouterGroup<APIContext>) {
        api.get("/jobs/:job/curve") { _, context in
            try await mapped { try await store.curve(job: context.parameters.require("job")) }
        }
        api.get("/jobs/:job/plots") { _, context in
            try await mapped { try await store.plots(job: context.parameters.require("job")) }
        }
        api.get("/jobs/:job/report") { _, context -> Response in
            let ref = try context.parameters.require("job")
            let html = try await mapped { try await report(ref) }
            var headers = HTTPFields()
            headers[.contentType] = "text/html; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"\(Self.fileName(html.name))-report.html\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html.text)))
        }
    }

    func report(_ ref: String) async throws -> (name: String, text: String) {
        let job = try await store.job(ref)
        let curve = try await store.curve(job: ref)
        let plots = try await store.plots(job: ref)
        var rows: [FillRow] = []
        while rows.count < Self.reportFillLimit {
            let page = try await store.fills(job: ref, after: rows.last?.seq ?? -1, limit: 10_000)
            rows += page
            if page.count < 10_000 { break }
        }
        let fills = rows.map(\.fill)
        guard let spec = job.spec else {
            throw APIError(.conflict, code: "unreadable_spec", job.specError ?? "the job's definition cannot be read")
        }
        var tracker = PerformanceTracker(initialEquity: spec.run.portfolio.cash)
        let trades = fills.compactMap { tracker.record(fill: $0) }
        let statistics =
            job.statistics ?? BacktestStatistics(tracker: tracker, orders: 0, rejectedOrders: 0, barInterval: 60_000)
        var report = HTMLReport(
            title: "\(job.name) (\(job.status.rawValue))", statistics: statistics, spec: spec.run,
            bars: curve.map { Int($0.barIndex) }, times: curve.map(\.timeMs), closes: curve.map(\.close),
            equity: curve.map(\.equity), fills: fills, trades: trades)
        // Each series over the points that carry it (a point stored before the job drew it, or
        // from a run whose strategy drew others, leaves a gap).
        report.plots = plots.enumerated().map { k, series in
            (series: series, values: curve.map { $0.plots.count == plots.count ? $0.plots[k] : .nan })
        }
        return (job.name, report.render())
    }

    /// A job name as a file name: letters, digits, `-`, `_` and `.` kept, the rest `_`.
    static func fileName(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || "-_.".contains($0) ? $0 : "_" })
    }
}

extension CurvePoint: ResponseEncodable {}
extension PlotSeries: ResponseEncodable {}
