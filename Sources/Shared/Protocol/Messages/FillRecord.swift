import ATSEngine
import NIOCore

extension Fill {
    /// Encodes the fill as the `FillRecord` message.
    func encode(into b: inout ByteBuffer) {
        b.writeProto(1, int: seq)
        b.writeProto(2, int: orderId)
        b.writeProto(3, int: time)
        b.writeProto(4, int: Int64(barIndex))
        b.writeProto(5, uint: side == .buy ? 0 : 1)
        b.writeProto(6, double: price)
        b.writeProto(7, double: quantity)
        b.writeProto(8, double: feeBase)
        b.writeProto(9, double: feeQuote)
        b.writeProto(10, uint: liquidity == .maker ? 1 : 0)
        b.writeProto(11, string: tag.description)
    }

    init(record buffer: ByteBuffer) throws(ProtocolError) {
        var r = ProtoReader(buffer, message: "FillRecord")
        self.init(
            seq: 0, orderId: 0, time: 0, barIndex: 0, side: .buy, price: 0, quantity: 0, feeBase: 0, feeQuote: 0,
            liquidity: .taker, tag: "")
        while let (f, w) = try r.next() {
            switch f {
            case 1: seq = try r.int64(w)
            case 2: orderId = try r.int64(w)
            case 3: time = try r.int64(w)
            case 4: barIndex = Int(try r.int64(w))
            case 5: side = try r.uint32(w) == 0 ? .buy : .sell
            case 6: price = try r.double(w)
            case 7: quantity = try r.double(w)
            case 8: feeBase = try r.double(w)
            case 9: feeQuote = try r.double(w)
            case 10: liquidity = try r.uint32(w) == 1 ? .maker : .taker
            case 11:
                // An engine's tags fit an InlineString; a longer one is not a fill we sent.
                tag = InlineString(try r.string(w))
                if tag.isTruncated { throw r.fail("tag longer than \(InlineString.capacity) bytes") }
            default: try r.skip(w)
            }
        }
    }
}
