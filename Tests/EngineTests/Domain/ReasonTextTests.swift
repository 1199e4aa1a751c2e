import ATSEngine
import Foundation
import Testing

/// ``ReasonText``: a refusal's text held inline, so orders stay plain memory.
struct ReasonTextTests {
    @Test func ordersFillsAndRequestsArePlainMemory() {
        // A `String` anywhere inside (a reject reason's text once) makes every copy of an order a
        // value-witness call on the backtest's order path.
        #expect(_isPOD(Order.self))
        #expect(_isPOD(Fill.self))
        #expect(_isPOD(OrderRequest.self))
        #expect(_isPOD(RejectReason.self))
    }

    @Test func aReasonEncodesAsItsTextAndReadsBackEqual() throws {
        let a = ReasonText("the position would be 0.6, more than max_position 0.5")
        let b = ReasonText(["the position would be 0.6,", "more than max_position 0.5"].joined(separator: " "))
        #expect(a == b && a.description == "the position would be 0.6, more than max_position 0.5")
        #expect(a != ReasonText("the job was halted"))
        let reason = RejectReason.riskLimit(a)
        #expect(reason.description == "risk limit: the position would be 0.6, more than max_position 0.5")
        // The same JSON as the `String` it replaces, so checkpoints written before still load.
        let json = try JSONEncoder().encode(reason)
        #expect(String(decoding: json, as: UTF8.self).contains("\"the position would be 0.6"))
        let before = #"{"riskLimit":{"_0":"the job was halted"}}"#
        let old = try JSONDecoder().decode(RejectReason.self, from: Data(before.utf8))
        #expect(old == .riskLimit("the job was halted"))
        #expect(try JSONDecoder().decode(RejectReason.self, from: json) == reason)
    }

    /// Any number of refusals (each carries its order's figures) is taken: the most recent are
    /// kept, an older one reads as gone, and memory stays bounded.
    @Test func theMostRecentTextsAreKeptAndOlderOnesReadAsGone() throws {
        let first = ReasonText("the order is worth 1.5, more than max_order_notional 1")
        let later = (0..<ReasonText.kept).map {
            ReasonText("the order is worth \($0).25, more than max_order_notional 1")
        }
        #expect(
            later.last!.description == "the order is worth \(ReasonText.kept - 1).25, more than max_order_notional 1")
        let half = ReasonText.kept / 2  // not the oldest kept: another test may refuse meanwhile
        #expect(later[half].description == "the order is worth \(half).25, more than max_order_notional 1")
        #expect(first.description == ReasonText.gone, "replaced by the kept texts after it")
        let encoded = String(decoding: try JSONEncoder().encode(first), as: UTF8.self)
        #expect(encoded.contains("no longer kept"))
        #expect(ReasonText("same") == ReasonText("same") && ReasonText("same") != ReasonText("other"))
    }
}
