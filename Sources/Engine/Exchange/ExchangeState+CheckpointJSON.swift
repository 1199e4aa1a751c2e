extension ExchangeState {
    /// The state as ``CheckpointCoding/encoder()`` writes it, byte for byte (``CheckpointWriter``);
    /// the same keys as ``encode(to:)``, in the encoder's sorted order.
    func writeCheckpointJSON(into w: inout CheckpointWriter) throws {
        w.raw("{\"barClose\":")
        w.double(barClose)
        w.raw(",\"barIndex\":")
        w.int(barIndex)
        w.raw(",\"barTime\":")
        w.int(barTime)
        w.raw(",\"nextOrderId\":")
        w.int(nextOrderId)
        w.raw(",\"nextSeq\":")
        w.int(nextSeq)
        w.raw(",\"open\":")
        try w.array(open) { try $1.writeCheckpointJSON(into: &$0) }
        w.raw(",\"recent\":")
        try writeRecent(into: &w)
        w.raw(",\"recentKept\":")
        w.int(recentKept)
        w.raw(",\"rejectedOrders\":")
        w.int(rejectedOrders)
        w.raw(",\"volumeByDay\":")
        w.array(volumeByDay) { w, day in
            w.raw("{\"day\":")
            w.int(day.day)
            w.raw(",\"notional\":")
            w.double(day.notional)
            w.raw("}")
        }
        w.raw(",\"wallet\":{\"base\":")
        Self.write(wallet.base, into: &w)
        w.raw(",\"quote\":")
        Self.write(wallet.quote, into: &w)
        w.raw("}}")
    }

    private static func write(_ balance: Balance, into w: inout CheckpointWriter) {
        w.raw("{\"free\":")
        w.double(balance.free)
        w.raw(",\"held\":")
        w.double(balance.held)
        w.raw("}")
    }
}
