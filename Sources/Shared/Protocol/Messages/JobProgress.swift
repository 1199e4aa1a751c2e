import ATSEngine
import NIOCore

/// Worker → coordinator: how far the job is, its equity now, and the curve points sampled since
/// the last progress (sent before each checkpoint too, so none is lost on a resume).
public struct JobProgress: WireBody {
    static let name = "JobProgress"
    public var header: JobHeader
    public var barsDone: Int64
    public var barsTotal: Int64
    public var equity: Double
    public var curve: [CurvePoint]
    /// A live job's gross exposure (quote): its base at the last close plus its open orders'
    /// notional, for its account's risk budget. 0 for other jobs.
    public var exposure: Double
    /// A live job's equity change since the UTC day's first candle (quote; a loss is negative).
    public var dayPnl: Double
    /// The series the strategy draws (its plot topics), sent with every progress that carries
    /// curve points: each point's ``CurvePoint/plots`` are in this order.
    public var plots: [PlotSeries]

    public init(
        header: JobHeader, barsDone: Int64, barsTotal: Int64, equity: Double, curve: [CurvePoint] = [],
        exposure: Double = 0, dayPnl: Double = 0, plots: [PlotSeries] = []
    ) {
        self.header = header
        self.barsDone = barsDone
        self.barsTotal = barsTotal
        self.equity = equity
        self.curve = curve
        self.exposure = exposure
        self.dayPnl = dayPnl
        self.plots = plots
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, int: barsDone)
        b.writeProto(5, int: barsTotal)
        b.writeProto(6, double: equity)
        for point in curve { b.writeProto(7) { point.encode(into: &$0) } }
        b.writeProto(8, double: exposure)
        b.writeProto(9, double: dayPnl)
        for series in plots {
            b.writeProto(10) {
                $0.writeProto(1, string: series.name)
                $0.writeProto(2, string: series.pane.rawValue)
            }
        }
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, barsDone: 0, barsTotal: 0, equity: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: barsDone = try r.int64(w)
            case 5: barsTotal = try r.int64(w)
            case 6: equity = try r.double(w)
            case 7: curve.append(try CurvePoint(record: r.lengthDelimited(w)))
            case 8: exposure = try r.double(w)
            case 9: dayPnl = try r.double(w)
            case 10:
                let series = try Self.series(r.lengthDelimited(w))
                if plots.count < Self.maximumPlots { plots.append(series) }
            default: try r.skip(w)
            }
        }
    }
}

extension JobProgress {
    /// The most series a progress declares; those beyond are dropped (and the points' values
    /// no longer match the declaration, so none are stored).
    public static let maximumPlots = 64

    /// One declared series. Its name and pane come from a strategy (a custom one, perhaps) or a
    /// newer release, so they are made safe rather than refused: refusing would fail the frame,
    /// and the worker would send it again and again. Control characters are dropped, the name cut
    /// to 100 characters (`series` if nothing is left), and a pane this release does not know is
    /// drawn below.
    static func series(_ buffer: ByteBuffer) throws(ProtocolError) -> PlotSeries {
        var r = ProtoReader(buffer, message: "PlotSeries")
        var name = ""
        var pane = ""
        while let (f, w) = try r.next() {
            switch f {
            case 1: name = try r.string(w)
            case 2: pane = try r.string(w)
            default: try r.skip(w)
            }
        }
        return PlotSeries(PlotSeries.safeName(name), pane: PlotSeries.Pane(rawValue: pane) ?? .below)
    }
}
