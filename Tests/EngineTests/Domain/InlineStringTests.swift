import ATSEngine
import Foundation
import Testing

/// ``InlineString``: order tags and asset codes held inline (orders and fills stay plain memory).
struct InlineStringTests {
    @Test(arguments: ["", "long", "take_profit", "ünïcödé €", String(repeating: "x", count: 31)])
    func keepsAnyTextThatFits(_ text: String) throws {
        let s = InlineString(text)
        #expect(s.description == text && !s.isTruncated && s.utf8Count == text.utf8.count)
        #expect(s.isEmpty == text.isEmpty)
        let decoded = try JSONDecoder().decode(InlineString.self, from: try JSONEncoder().encode(s))
        #expect(decoded == s)
        #expect(try JSONEncoder().encode(s) == (try JSONEncoder().encode(text)), "encoded as a plain string")
    }

    @Test func aLiteralEqualsTheSameTextMadeAtRunTime() {
        let literal: InlineString = "grid_buy"
        #expect(literal == InlineString(["grid", "buy"].joined(separator: "_")))
        #expect(literal != "grid_sell")
        #expect(Set<InlineString>(["a", "b", "a"]).count == 2)
    }

    @Test func aLongerTextIsCutAtACharacterAndSaysSo() {
        let ascii = InlineString(String(repeating: "a", count: 40))
        #expect(ascii.isTruncated && ascii.description == String(repeating: "a", count: 31))
        // 30 ASCII bytes, then a 2-byte "é" that would straddle the 31st byte: it goes whole.
        let split = InlineString(String(repeating: "a", count: 30) + "é" + "z")
        #expect(split.isTruncated && split.description == String(repeating: "a", count: 30))
        #expect(InlineString(String(repeating: "a", count: 32)) != InlineString(String(repeating: "a", count: 31)))
    }

    @Test func theExchangeRejectsAnOrderWhoseTagWasCut() {
        var x = SimulatedExchange(
            instrument: Instrument(base: "BTC", quote: "USDT"), config: SimulationConfig(marketFill: .close),
            fees: GenericFees(rate: 0), cash: 1_000)
        x.process(bar: Bar(time: 0, open: 10, high: 10, low: 10, close: 10, volume: 1), index: 0)
        let long = x.submit(.market(.buy, 1, tag: InlineString(String(repeating: "t", count: 32))))
        #expect(x.order(long)?.status == .rejected && x.order(long)?.rejectReason == .tagTooLong)
        #expect(x.order(long)?.rejectReason?.description.contains("longer than 31 bytes") == true)
        let fits = x.submit(.market(.buy, 1, tag: InlineString(String(repeating: "t", count: 31))))
        #expect(x.order(fits)?.status == .filled)
        #expect(x.drainFills().map(\.tag.description) == [String(repeating: "t", count: 31)])
    }
}
