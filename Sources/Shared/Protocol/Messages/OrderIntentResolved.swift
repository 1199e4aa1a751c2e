import NIOCore

/// Worker → coordinator: what became of an intent's order (``OrderIntent``'s outcome): `accepted`
/// (with the venue's order id), `rejected` (with the venue's code and message), `not_placed`, or
/// `unknown` (left to reconciliation). Fenced by epoch.
public struct OrderIntentResolved: WireBody {
    static let name = "OrderIntentResolved"
    public static let states = ["accepted", "rejected", "not_placed", "unknown"]
    public var header: JobHeader
    public var clientOrderId: String
    public var state: String
    public var venueOrderId: Int64
    public var code: Int64
    public var message: String

    public init(
        header: JobHeader, clientOrderId: String, state: String, venueOrderId: Int64 = 0, code: Int64 = 0,
        message: String = ""
    ) {
        self.header = header
        self.clientOrderId = clientOrderId
        self.state = state
        self.venueOrderId = venueOrderId
        self.code = code
        self.message = message
    }

    func encode(into b: inout ByteBuffer) {
        header.encode(into: &b)
        b.writeProto(4, string: clientOrderId)
        b.writeProto(5, string: state)
        b.writeProto(6, int: venueOrderId)
        b.writeProto(7, int: code)
        b.writeProto(8, string: message)
    }

    init(reader r: inout ProtoReader) throws(ProtocolError) {
        self.init(header: .zero, clientOrderId: "", state: "")
        while let (f, w) = try r.next() {
            if try header.read(f, w, &r) { continue }
            switch f {
            case 4: clientOrderId = try r.string(w)
            case 5: state = try r.string(w)
            case 6: venueOrderId = try r.int64(w)
            case 7: code = try r.int64(w)
            case 8: message = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
