import NIOCore

/// A job's price and equity at one bar: the dashboard's equity, drawdown and price pictures.
/// Workers sample at fixed bars (every `barsTotal / 1000`-th, rounded up, and the last), so a
/// replay from a checkpoint samples the same bars and the coordinator stores each once.
public struct CurvePoint: Sendable, Hashable, Codable {
    public var barIndex: Int64
    public var timeMs: Int64
    public var close: Double
    public var equity: Double
    /// The strategy's series at this bar (its plot topics, in the order its job's progress
    /// declares them: ``JobProgress/plots``); NaN where one is undefined. Empty for a strategy
    /// that draws none.
    public var plots: [Double]

    public init(barIndex: Int64, timeMs: Int64, close: Double, equity: Double, plots: [Double] = []) {
        self.barIndex = barIndex
        self.timeMs = timeMs
        self.close = close
        self.equity = equity
        self.plots = plots
    }

    enum CodingKeys: String, CodingKey {
        case close, equity, plots
        case barIndex = "bar"
        case timeMs = "time_ms"
    }

    /// In JSON an undefined value is `null`, and a point without series has no `plots`.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        barIndex = try c.decode(Int64.self, forKey: .barIndex)
        timeMs = try c.decode(Int64.self, forKey: .timeMs)
        close = try c.decode(Double.self, forKey: .close)
        equity = try c.decode(Double.self, forKey: .equity)
        plots = try c.decodeIfPresent([Double?].self, forKey: .plots)?.map { $0 ?? .nan } ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(barIndex, forKey: .barIndex)
        try c.encode(timeMs, forKey: .timeMs)
        try c.encode(close, forKey: .close)
        try c.encode(equity, forKey: .equity)
        if !plots.isEmpty { try c.encode(plots.map { $0.isFinite ? $0 : nil }, forKey: .plots) }
    }

    /// Bars between samples for a run of `total` bars: about a thousand points per job.
    public static func stride(total: Int) -> Int { max(1, (total + 999) / 1000) }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: barIndex)
        b.writeProto(2, int: timeMs)
        b.writeProto(3, double: close)
        b.writeProto(4, double: equity)
        b.writeProto(5, doubles: plots)
    }

    init(record buffer: ByteBuffer) throws(ProtocolError) {
        var r = ProtoReader(buffer, message: "CurvePoint")
        self.init(barIndex: 0, timeMs: 0, close: 0, equity: 0)
        while let (f, w) = try r.next() {
            switch f {
            case 1: barIndex = try r.int64(w)
            case 2: timeMs = try r.int64(w)
            case 3: close = try r.double(w)
            case 4: equity = try r.double(w)
            case 5: plots += try r.doubles(w)
            default: try r.skip(w)
            }
        }
    }
}
