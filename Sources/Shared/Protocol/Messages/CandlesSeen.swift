import NIOCore

/// Worker → coordinator: the closed candles a job on a live market traded, in order, from bar
/// `firstBar` on (the recording `ats job divergence` replays). A run sends them before each
/// checkpoint, so every candle a checkpoint has traded is on record before the checkpoint is, and
/// the candles after it are traded — and sent — again by whichever run resumes from it. Stored
/// once per market and open time however many jobs saw the candle; the job keeps only its span.
public struct CandlesSeen: WireBody {
    static let name = "CandlesSeen"
    public var header: JobHeader
    /// The market's endpoint as the spec names it (`production`, `testnet`, `local:PORT`, a URL).
    public var endpoint: String
    public var symbol: String
    public var interval: String
    /// The job's bar index of the first candle.
    public var firstBar: Int64
    public var candles: [SeenCandle]
    /// A live run's venue rules its orders were fitted to (exchangeInfo's PRICE_FILTER tick,
    /// LOT_SIZE step and minimum, NOTIONAL minimum), for a replay under the same rules; zeros for
    /// a paper job, which trades the spec's instrument.
    public var tickSize = 0.0
    public var stepSize = 0.0
    public var minQuantity = 0.0
    public var minNotional = 0.0

    public init(
        header: JobHeader, endpoint: String, symbol: String, interval: String, firstBar: Int64, candles: [SeenCandle]
    ) {
        self.header = header
        self.endpoint = endpoint
        self.symbol = symbol
        self.interval = interval
        self.firstBar = firstBar
        self.candles = candles
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, string: endpoint)
        b.writeProto(5, string: symbol)
        b.writeProto(6, string: interval)
        b.writeProto(7, int: firstBar)
        for candle in candles { b.writeProto(8) { candle.encode(into: &$0) } }
        b.writeProto(9, double: tickSize)
        b.writeProto(10, double: stepSize)
        b.writeProto(11, double: minQuantity)
        b.writeProto(12, double: minNotional)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, endpoint: "", symbol: "", interval: "", firstBar: 0, candles: [])
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: endpoint = try r.string(w)
            case 5: symbol = try r.string(w)
            case 6: interval = try r.string(w)
            case 7: firstBar = try r.int64(w)
            case 8:
                var inner = ProtoReader(try r.lengthDelimited(w), message: "SeenCandle")
                candles.append(try SeenCandle(reader: &inner))
            case 9: tickSize = try r.double(w)
            case 10: stepSize = try r.double(w)
            case 11: minQuantity = try r.double(w)
            case 12: minNotional = try r.double(w)
            default: try r.skip(w)
            }
        }
    }
}
