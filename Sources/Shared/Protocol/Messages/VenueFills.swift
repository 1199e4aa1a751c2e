import NIOCore

/// Worker → coordinator: executions of a live job's orders as the venue reported them (a FULL
/// answer, the user data stream, or a refill from `myTrades`). Facts, keyed by venue, symbol and
/// trade id: the same trade reported twice (by the old run and the reconciling one, or by two
/// sources) is stored once. Amounts are the venue's decimal strings.
public struct VenueFills: WireBody {
    static let name = "VenueFills"
    public var header: JobHeader
    public var venue: String
    public var symbol: String
    public var fills: [VenueFill]

    public init(header: JobHeader, venue: String, symbol: String, fills: [VenueFill]) {
        self.header = header
        self.venue = venue
        self.symbol = symbol
        self.fills = fills
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, string: venue)
        b.writeProto(5, string: symbol)
        for fill in fills { b.writeProto(6) { fill.encode(into: &$0) } }
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, venue: "", symbol: "", fills: [])
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: venue = try r.string(w)
            case 5: symbol = try r.string(w)
            case 6:
                var inner = ProtoReader(try r.lengthDelimited(w), message: "VenueFill")
                fills.append(try VenueFill(reader: &inner))
            default: try r.skip(w)
            }
        }
    }
}

/// One execution on a venue.
public struct VenueFill: Sendable, Hashable {
    public var tradeId: Int64
    public var orderId: Int64
    public var clientOrderId: String
    /// BUY or SELL.
    public var side: String
    public var price: String
    public var quantity: String
    public var commission: String
    public var commissionAsset: String
    public var timeMs: Int64
    public var maker: Bool

    public init(
        tradeId: Int64, orderId: Int64, clientOrderId: String, side: String, price: String, quantity: String,
        commission: String, commissionAsset: String, timeMs: Int64, maker: Bool
    ) {
        self.tradeId = tradeId
        self.orderId = orderId
        self.clientOrderId = clientOrderId
        self.side = side
        self.price = price
        self.quantity = quantity
        self.commission = commission
        self.commissionAsset = commissionAsset
        self.timeMs = timeMs
        self.maker = maker
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: tradeId)
        b.writeProto(2, int: orderId)
        b.writeProto(3, string: clientOrderId)
        b.writeProto(4, string: side)
        b.writeProto(5, string: price)
        b.writeProto(6, string: quantity)
        b.writeProto(7, string: commission)
        b.writeProto(8, string: commissionAsset)
        b.writeProto(9, int: timeMs)
        b.writeProto(10, bool: maker)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(
            tradeId: 0, orderId: 0, clientOrderId: "", side: "", price: "", quantity: "", commission: "",
            commissionAsset: "", timeMs: 0, maker: false)
        while let (f, w) = try r.next() {
            switch f {
            case 1: tradeId = try r.int64(w)
            case 2: orderId = try r.int64(w)
            case 3: clientOrderId = try r.string(w)
            case 4: side = try r.string(w)
            case 5: price = try r.string(w)
            case 6: quantity = try r.string(w)
            case 7: commission = try r.string(w)
            case 8: commissionAsset = try r.string(w)
            case 9: timeMs = try r.int64(w)
            case 10: maker = try r.uint64(w) != 0
            default: try r.skip(w)
            }
        }
    }
}
