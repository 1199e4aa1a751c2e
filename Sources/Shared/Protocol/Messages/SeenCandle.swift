import NIOCore

/// One closed candle as the venue wrote it: its open time and its prices and volume as decimal
/// strings (never a double's rendering), so a replay parses exactly what the job parsed.
public struct SeenCandle: Sendable, Hashable {
    public var openTimeMs: Int64
    public var open: String
    public var high: String
    public var low: String
    public var close: String
    public var volume: String

    public init(openTimeMs: Int64, open: String, high: String, low: String, close: String, volume: String) {
        self.openTimeMs = openTimeMs
        self.open = open
        self.high = high
        self.low = low
        self.close = close
        self.volume = volume
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: openTimeMs)
        b.writeProto(2, string: open)
        b.writeProto(3, string: high)
        b.writeProto(4, string: low)
        b.writeProto(5, string: close)
        b.writeProto(6, string: volume)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(openTimeMs: 0, open: "", high: "", low: "", close: "", volume: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: openTimeMs = try r.int64(w)
            case 2: open = try r.string(w)
            case 3: high = try r.string(w)
            case 4: low = try r.string(w)
            case 5: close = try r.string(w)
            case 6: volume = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
