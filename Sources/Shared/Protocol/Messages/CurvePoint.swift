import NIOCore

/// A job's price and equity at one bar: the dashboard's equity, drawdown and price pictures.
/// Workers sample at fixed bars (every `barsTotal / 1000`-th, rounded up, and the last), so a
/// replay from a checkpoint samples the same bars and the coordinator stores each once.
public struct CurvePoint: Sendable, Hashable, Codable {
    public var barIndex: Int64
    public var timeMs: Int64
    public var close: Double
    public var equity: Double

    public init(barIndex: Int64, timeMs: Int64, close: Double, equity: Double) {
        self.barIndex = barIndex
        self.timeMs = timeMs
        self.close = close
        self.equity = equity
    }

    enum CodingKeys: String, CodingKey {
        case close, equity
        case barIndex = "bar"
        case timeMs = "time_ms"
    }

    /// Bars between samples for a run of `total` bars: about a thousand points per job.
    public static func stride(total: Int) -> Int { max(1, (total + 999) / 1000) }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: barIndex)
        b.writeProto(2, int: timeMs)
        b.writeProto(3, double: close)
        b.writeProto(4, double: equity)
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
            default: try r.skip(w)
            }
        }
    }
}
