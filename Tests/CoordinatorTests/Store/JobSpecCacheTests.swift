import ATSShared
import Foundation
import Testing

@testable import ATSCoordinator

struct JobSpecCacheTests {
    static func text(_ name: String, fast: Int) -> String {
        """
        {"name": "\(name)", "data": {"path": "x.csv"}, "exchange": {"symbol": {"base": "BTC", "quote": "USDT"}},
         "strategy": {"namespace": "strategies:sma_cross", "config": {"fast": \(fast)}}}
        """
    }

    @Test func aDefinitionIsTheOneItsTextHoldsWhateverWasDecodedBefore() throws {
        let cache = JobSpecCache()
        let a = try cache.spec(Self.text("a", fast: 5))
        #expect(a.name == "a" && a.run.strategy.config["fast"] == .int(5))
        #expect(try cache.spec(Self.text("a", fast: 5)) == a)
        // A reloaded definition is other text: its own values, never the cached ones.
        #expect(try cache.spec(Self.text("a", fast: 7)).run.strategy.config["fast"] == .int(7))
        #expect(throws: (any Error).self) { try cache.spec("{not json") }
        // Past its capacity it starts again and still answers right.
        for i in 0...JobSpecCache.capacity { _ = try cache.spec(Self.text("j\(i)", fast: 1)) }
        #expect(try cache.spec(Self.text("a", fast: 5)) == a)
    }
}
