import ATSShared
import Foundation
import Testing

/// The deterministic simulation of the cluster (issue 16): seeds in parallel batches, each run
/// checked after every event. A failing seed prints its replayable trace:
/// `ATS_SIM_SEED=<seed> swift test --filter SimulationTests`. `ATS_SIM_SEEDS` sets how many
/// seeds run (10,000 by default; millions in the long mode, `scripts/simulate.sh`).
struct SimulationTests {
    static let seeds: UInt64 = ProcessInfo.processInfo.environment["ATS_SIM_SEEDS"].flatMap { UInt64($0) } ?? 10_000
    static let first: UInt64 = ProcessInfo.processInfo.environment["ATS_SIM_FIRST_SEED"].flatMap { UInt64($0) } ?? 1
    static let batches = 8

    /// Runs `seeds` from `first` and returns the first failing seed's report, with figures.
    static func sweep(
        _ range: Range<UInt64>, legacyHello: Bool = false
    ) -> (failure: String?, events: Int, coverage: [String: Int]) {
        var events = 0
        var coverage: [String: Int] = [:]
        for seed in range {
            let sim = Simulation(.init(seed: seed, legacyHello: legacyHello))
            let violations = sim.run()
            events += sim.events
            coverage.merge(sim.coverage, uniquingKeysWith: +)
            if !violations.isEmpty {
                return (report(seed: seed, legacyHello: legacyHello, violations), events, coverage)
            }
        }
        return (nil, events, coverage)
    }

    /// The failing seed's violations and the end of its trace (the run again, traced).
    static func report(seed: UInt64, legacyHello: Bool, _ violations: [String]) -> String {
        let traced = Simulation(.init(seed: seed, legacyHello: legacyHello, trace: true))
        _ = traced.run()
        let lines = ProcessInfo.processInfo.environment["ATS_SIM_TRACE_LINES"].flatMap { Int($0) } ?? 150
        return "seed \(seed) (replay: ATS_SIM_SEED=\(seed) swift test --filter SimulationTests):\n"
            + violations.joined(separator: "\n") + "\ntrace (last \(lines) events):\n"
            + traced.trace.suffix(lines).joined(separator: "\n")
    }

    /// Runs `work` on a thread of its own: a batch computes for tens of seconds without awaiting,
    /// and on Swift's cooperative pool (as wide as the machine has cores) it would starve every
    /// other test running beside it.
    static func onOwnThread<T: Sendable>(_ work: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { done in
            let thread = Thread { done.resume(returning: work()) }
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    @Test(arguments: 0..<batches)
    func seedsRunWithNoViolation(batch: Int) async {
        if let only = ProcessInfo.processInfo.environment["ATS_SIM_SEED"].flatMap(UInt64.init) {
            guard batch == 0 else { return }
            let result = await Self.onOwnThread { Self.sweep(only..<only + 1) }
            #expect(result.failure == nil, "\(result.failure ?? "")")
            return
        }
        let per = (Self.seeds + UInt64(Self.batches) - 1) / UInt64(Self.batches)
        let lower = Self.first + UInt64(batch) * per
        let upper = min(Self.first + Self.seeds, lower + per)
        guard lower < upper else { return }
        let start = ContinuousClock.now
        let result = await Self.onOwnThread { Self.sweep(lower..<upper) }
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print(
            "SIMULATION batch \(batch): seeds \(lower)..<\(upper), \(result.events) events, "
                + "\(Int(Double(upper - lower) / seconds)) seeds/s, messages \(result.coverage.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))"
        )
        #expect(result.failure == nil, "\(result.failure ?? "")")
    }

    /// The simulator finds defect 5 of issue 16 when the hello takes its old ordering.
    @Test func theOldHelloOrderingIsCaught() async {
        let result = await Self.onOwnThread { Self.sweep(1..<2_001, legacyHello: true) }
        #expect(result.failure != nil, "2,000 seeds of the old ordering found nothing")
        if let failure = result.failure { print("SIMULATION old hello ordering: \(failure.prefix(600))") }
    }

    /// The same seed, the same run, event for event.
    @Test(arguments: [42, 52, 502, 2544] as [UInt64])
    func aSeedReplaysExactly(seed: UInt64) {
        let a = Simulation(.init(seed: seed, trace: true))
        let b = Simulation(.init(seed: seed, trace: true))
        #expect(a.run() == b.run())
        #expect(
            a.trace == b.trace, "the same seed ran differently: the simulation depends on something besides its seed")
        #expect(a.events > 100)
    }
}
