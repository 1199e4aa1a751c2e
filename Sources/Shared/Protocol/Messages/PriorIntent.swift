import NIOCore

/// One of a live job's stored order intents, as an assignment carries it to a resumed run
/// (docs/LIVE.md, "Reconciliation"): every intent written since the job's latest checkpoint, and
/// every one still unresolved. An intent the checkpoint names as in flight and the assignment
/// does not carry was never stored, so never sent: it was not placed.
public struct PriorIntent: Sendable, Hashable {
    public var clientOrderId: String
    /// `written`, `accepted`, `rejected`, `not_placed` or `unknown` (``OrderIntentResolved/states``).
    public var state: String
    public var venueOrderId: Int64
    public var code: Int64
    public var message: String

    public init(clientOrderId: String, state: String, venueOrderId: Int64 = 0, code: Int64 = 0, message: String = "") {
        self.clientOrderId = clientOrderId
        self.state = state
        self.venueOrderId = venueOrderId
        self.code = code
        self.message = message
    }

    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, string: clientOrderId)
        b.writeProto(2, string: state)
        b.writeProto(3, int: venueOrderId)
        b.writeProto(4, int: code)
        b.writeProto(5, string: message)
    }

    init(record buffer: ByteBuffer) throws(ProtocolError) {
        var r = ProtoReader(buffer, message: "PriorIntent")
        self.init(clientOrderId: "", state: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: clientOrderId = try r.string(w)
            case 2: state = try r.string(w)
            case 3: venueOrderId = try r.int64(w)
            case 4: code = try r.int64(w)
            case 5: message = try r.string(w)
            default: try r.skip(w)
            }
        }
    }
}
