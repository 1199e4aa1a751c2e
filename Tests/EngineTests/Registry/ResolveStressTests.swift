import ATSEngine
import Foundation
import Testing

/// Resolving and running many sessions concurrently, as a worker does: every component's
/// existential must be created, copied across threads and destroyed cleanly.
struct ResolveStressTests {
    @Test func concurrentResolveRunAndDestroy() async throws {
        let bars = SyntheticBars(seed: 4).generate(count: 3_000)
        let spec = RunSpec(
            exchange: .init(symbol: .init(base: "BTC", quote: "USDT")),
            strategy: ComponentRef(namespace: "strategies:sma_cross", config: ["fast": .int(3), "slow": .int(9)]),
            fees: ComponentRef(namespace: "fees:generic", config: ["taker": .double(0.001)]))
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var fills = 0
                    for _ in 0..<50 {
                        let run = try Registry.builtIn.resolve(spec)
                        var session = try Registry.builtIn.makeSession(run)
                        let copy = session
                        let moved = await Task.detached { [copy] in
                            var s = copy
                            s.run(bars, until: 1_500)
                            return s
                        }.value
                        session = moved
                        session.run(bars, until: bars.count)
                        let checkpoint = try session.checkpoint()
                        var restored = try Registry.builtIn.makeSession(run, checkpoint: checkpoint)
                        restored.run(bars, until: bars.count)
                        fills += session.takeFills().count
                    }
                    return fills
                }
            }
            return try await group.reduce(0, +)
        }
        #expect(total > 0)
    }
}
