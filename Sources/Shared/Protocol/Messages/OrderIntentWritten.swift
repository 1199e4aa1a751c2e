import NIOCore

/// Worker → coordinator: a live job means to place this order (issue 17). Stored in
/// `order_intents` only while the job is at this epoch and leased to this worker, and answered
/// with an ``IntentVerdict``: the worker sends the order only on `accepted`. Quantity and price
/// are decimal strings, exactly as they will be sent to the venue. Fenced by epoch.
public struct OrderIntentWritten: WireBody {
    static let name = "OrderIntentWritten"
    public var header: JobHeader
    public var clientOrderId: String
    public var symbol: String
    public var side: String
    public var orderType: String
    /// Empty when the type takes none.
    public var timeInForce: String
    public var quantity: String
    /// Empty for a market order.
    public var price: String
    public var decidedAtMs: Int64
    /// Only shrinks the job's position (a kill switch's flatten): the one kind of intent the
    /// coordinator still accepts for a halted job.
    public var reduceOnly: Bool = false
    /// What the order is worth (quote), for the account's risk budget.
    public var notional: Double = 0
    /// The order shrinks the job's position (a sell within its holdings): the budget lets it through.
    public var reduces: Bool = false
    /// The open time of the candle the order was decided on (0: none), for the latency
    /// `ats job divergence` reports: from that candle's close to `decidedAtMs`.
    public var candleOpenMs: Int64 = 0
    /// A `STOP_LOSS` order's trigger (an OCO's stop leg), as sent; empty otherwise.
    public var stopPrice: String = ""
    /// The OCO order list the order is a leg of (placed with it, whole or not at all); empty otherwise.
    public var listClientOrderId: String = ""

    public init(
        header: JobHeader, clientOrderId: String, symbol: String, side: String, orderType: String,
        timeInForce: String = "", quantity: String, price: String = "", decidedAtMs: Int64
    ) {
        self.header = header
        self.clientOrderId = clientOrderId
        self.symbol = symbol
        self.side = side
        self.orderType = orderType
        self.timeInForce = timeInForce
        self.quantity = quantity
        self.price = price
        self.decidedAtMs = decidedAtMs
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, string: clientOrderId)
        b.writeProto(5, string: symbol)
        b.writeProto(6, string: side)
        b.writeProto(7, string: orderType)
        b.writeProto(8, string: timeInForce)
        b.writeProto(9, string: quantity)
        b.writeProto(10, string: price)
        b.writeProto(11, int: decidedAtMs)
        b.writeProto(12, bool: reduceOnly)
        b.writeProto(13, double: notional)
        b.writeProto(14, bool: reduces)
        b.writeProto(15, int: candleOpenMs)
        b.writeProto(16, string: stopPrice)
        b.writeProto(17, string: listClientOrderId)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, clientOrderId: "", symbol: "", side: "", orderType: "", quantity: "", decidedAtMs: 0)
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: clientOrderId = try r.string(w)
            case 5: symbol = try r.string(w)
            case 6: side = try r.string(w)
            case 7: orderType = try r.string(w)
            case 8: timeInForce = try r.string(w)
            case 9: quantity = try r.string(w)
            case 10: price = try r.string(w)
            case 11: decidedAtMs = try r.int64(w)
            case 12: reduceOnly = try r.uint64(w) != 0
            case 13: notional = try r.double(w)
            case 14: reduces = try r.uint64(w) != 0
            case 15: candleOpenMs = try r.int64(w)
            case 16: stopPrice = try r.string(w)
            case 17: listClientOrderId = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
