import ATSEngine
import Foundation
import Testing

/// ``ReasonText``: a refusal's text kept once per process, so orders stay plain memory.
struct ReasonTextTests {
    @Test func ordersFillsAndRequestsArePlainMemory() {
        // A `String` anywhere inside (a reject reason's text once) makes every copy of an order a
        // value-witness call on the backtest's order path.
        #expect(_isPOD(Order.self))
        #expect(_isPOD(Fill.self))
        #expect(_isPOD(OrderRequest.self))
        #expect(_isPOD(RejectReason.self))
    }

    @Test func theSameTextIsTheSameReasonAndEncodesAsTheText() throws {
        let a = ReasonText("max_position 0.5 would be exceeded (position 0.4, order 0.2)")
        let b = ReasonText(["max_position 0.5 would be exceeded", "(position 0.4, order 0.2)"].joined(separator: " "))
        #expect(a == b && a.description == "max_position 0.5 would be exceeded (position 0.4, order 0.2)")
        #expect(a != ReasonText("the job was halted"))
        let reason = RejectReason.riskLimit(a)
        #expect(reason.description == "risk limit: max_position 0.5 would be exceeded (position 0.4, order 0.2)")
        // The same JSON as the `String` it replaces, so checkpoints written before still load.
        let json = try JSONEncoder().encode(reason)
        #expect(String(decoding: json, as: UTF8.self).contains("\"max_position 0.5 would be exceeded"))
        let before = #"{"riskLimit":{"_0":"the job was halted"}}"#
        #expect(
            try JSONDecoder().decode(RejectReason.self, from: Data(before.utf8)) == .riskLimit("the job was halted"))
        #expect(try JSONDecoder().decode(RejectReason.self, from: json) == reason)
    }
}
