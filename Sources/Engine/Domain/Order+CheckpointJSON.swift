extension Order {
    /// The order as ``CheckpointCoding/encoder()`` writes it, byte for byte (``CheckpointWriter``):
    /// keys sorted, an absent optional left out. A reject reason, rare, goes through Foundation.
    func writeCheckpointJSON(into w: inout CheckpointWriter) throws {
        w.raw("{\"averagePrice\":")
        w.double(averagePrice)
        w.raw(",\"createdAt\":")
        w.int(createdAt)
        w.raw(",\"createdBar\":")
        w.int(createdBar)
        w.raw(",\"filledQuantity\":")
        w.double(filledQuantity)
        w.raw(",\"held\":")
        w.double(held)
        w.raw(",\"id\":")
        w.int(id)
        if let limitPrice {
            w.raw(",\"limitPrice\":")
            w.double(limitPrice)
        }
        if let ocoId {
            w.raw(",\"ocoId\":")
            w.int(ocoId)
        }
        if let parentId {
            w.raw(",\"parentId\":")
            w.int(parentId)
        }
        w.raw(",\"postOnly\":")
        w.bool(postOnly)
        w.raw(",\"quantity\":")
        w.double(quantity)
        if let rejectReason {
            w.raw(",\"rejectReason\":")
            try w.encodable(rejectReason)
        }
        w.raw(",\"side\":")
        w.string(side.rawValue)
        w.raw(",\"status\":")
        w.string(status.rawValue)
        if let stopLoss {
            w.raw(",\"stopLoss\":")
            w.double(stopLoss)
        }
        if let stopPrice {
            w.raw(",\"stopPrice\":")
            w.double(stopPrice)
        }
        w.raw(",\"tag\":")
        w.string(tag.description)
        if let takeProfit {
            w.raw(",\"takeProfit\":")
            w.double(takeProfit)
        }
        w.raw(",\"timeInForce\":")
        w.string(timeInForce.rawValue)
        w.raw(",\"triggered\":")
        w.bool(triggered)
        w.raw(",\"type\":")
        w.string(type.rawValue)
        w.raw("}")
    }
}
