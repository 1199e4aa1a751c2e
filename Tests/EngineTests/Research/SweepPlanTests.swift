import ATSEngine
import Foundation
import Testing

/// A sweep's plan: trials named by their candidate, cut into chunks that any worker can run, and
/// the records a chunk sends back read to the same bits.
struct SweepPlanTests {
    static let grid = try! SweepPlan(
        params: ["fast=int:2..20:2", "slow=int:10..40:5"], condition: "fast < slow", search: .grid, trials: 0,
        seed: 0)

    static func number(_ v: ParameterValue?) -> Double {
        switch v {
        case .int(let i): Double(i)
        case .double(let d): d
        default: .nan
        }
    }

    @Test func chunksCoverEveryAcceptedPointOnceInCandidateOrder() throws {
        let space = Self.grid.space
        let accepted = (0..<space.gridCount!).filter {
            Self.number(space.gridPoint($0)["fast"]) < Self.number(space.gridPoint($0)["slow"])
        }
        for size in [1, 7, 50, 10_000] {
            let (chunks, trials) = try Self.grid.chunks(trialsPerChunk: size)
            #expect(trials == accepted.count)
            #expect(chunks.dropLast().allSatisfy { $0.trials == size } && chunks.last!.trials <= size)
            #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.end == $1.first } && chunks.first?.first == 0)
            let indices = chunks.flatMap { c in Self.grid.trials(in: c.first..<c.end).map(\.index) }
            #expect(indices == accepted, "size \(size)")
            #expect(chunks.allSatisfy { Self.grid.trials(in: $0.first..<$0.end).count == $0.trials })
        }
        // A refused candidate is not a trial: fast 20 (the tenth value), slow 10 (the first).
        #expect(Self.grid.point(9 * 7) == nil && Self.grid.point(9 * 7 + 6) != nil)
    }

    /// A cluster's sweep ends in smaller chunks, so its last round is short: the same trials in
    /// the same order, each chunk holding about the trials left over the slots.
    @Test func aTaperedCutEndsInSmallerChunksOverTheSameTrials() throws {
        let hundred = try SweepPlan(params: ["a=int:1..100"], condition: nil, search: .grid, trials: 0, seed: 0)
        // Uniform until 40 are left, then ⌈left / 4⌉, never under ⌈10 / 4⌉.
        #expect(
            try hundred.chunks(trialsPerChunk: 10, tail: 4).chunks.map(\.trials)
                == Array(repeating: 10, count: 7) + [8, 6, 4, 3, 3, 3, 3])
        // Any number of slots: every chunk the least, none overflowing.
        #expect(
            try hundred.chunks(trialsPerChunk: 10, tail: .max).chunks.map(\.trials)
                == Array(repeating: 3, count: 33) + [1])
        let pilots = Self.grid.pilots(EarlyStop(folds: 1, pilots: 16))
        for (size, slots) in [(7, 4), (10, 8), (1, 8), (50, 3), (4, 16), (3, 2)] {
            for chosen in [EarlyStop.Pilots(perMillion: 0), pilots] {
                let plain = try Self.grid.chunks(trialsPerChunk: size, pilots: chosen)
                let cut = try Self.grid.chunks(trialsPerChunk: size, pilots: chosen, tail: slots)
                let chunks = cut.chunks
                #expect(cut.trials == plain.trials && cut.pilots == plain.pilots)
                #expect(zip(chunks, chunks.dropFirst()).allSatisfy { $0.end == $1.first } && chunks.first?.first == 0)
                #expect(chunks.last?.end == plain.chunks.last?.end)
                let run = { (c: [SweepPlan.Chunk]) in
                    c.flatMap { Self.grid.trials(in: $0.first..<$0.end).map(\.index).filter { !chosen.contains($0) } }
                }
                #expect(run(chunks) == run(plain.chunks), "size \(size), slots \(slots)")
                #expect(
                    chunks.allSatisfy {
                        Self.grid.trials(in: $0.first..<$0.end).filter { !chosen.contains($0.index) }.count == $0.trials
                    })
                #expect(chunks.count <= plain.chunks.count + 4 * slots + 1)
                var left = chunks.reduce(0) { $0 + $1.trials }
                let least = max(1, (size + 3) / 4)
                for c in chunks.dropLast() {
                    #expect(c.trials == min(size, max(least, (left + slots - 1) / slots)), "size \(size), left \(left)")
                    left -= c.trials
                }
                #expect((1...min(size, max(least, (left + slots - 1) / slots))).contains(left))
            }
        }
        // Bayesian search's batches are cut for the workers already.
        let tpe = try SweepPlan(params: ["a=int:1..100"], condition: nil, search: .tpe, trials: 64, seed: 0)
        #expect(try tpe.chunks(trialsPerChunk: 8, tail: 8).chunks == tpe.chunks(trialsPerChunk: 8).chunks)
    }

    @Test func randomTrialsAreDrawsTheConditionAcceptsTheSameForTheSameSeed() throws {
        let plan = try SweepPlan(
            params: ["fast=int:2..50", "slow=int:2..50"], condition: "fast + 5 < slow", search: .random, trials: 300,
            seed: 7)
        let (chunks, trials) = try plan.chunks(trialsPerChunk: 64)
        #expect(trials == 300 && chunks.count == 5 && chunks.last!.trials == 300 - 4 * 64)
        let points = chunks.flatMap { plan.trials(in: $0.first..<$0.end) }
        #expect(points.count == 300)
        #expect(points.allSatisfy { Self.number($0.parameters["fast"]) + 5 < Self.number($0.parameters["slow"]) })
        let again = try SweepPlan(
            params: ["fast=int:2..50", "slow=int:2..50"], condition: "fast + 5 < slow", search: .random, trials: 300,
            seed: 7)
        #expect(
            try again.chunks(trialsPerChunk: 100).chunks.flatMap { again.trials(in: $0.first..<$0.end).map(\.index) }
                == points.map(\.index))
        let other = try SweepPlan(
            params: ["fast=int:2..50", "slow=int:2..50"], condition: "fast + 5 < slow", search: .random, trials: 300,
            seed: 8)
        #expect(other.trials(in: 0..<50).map(\.parameters) != plan.trials(in: 0..<50).map(\.parameters))
    }

    @Test func mistakesNameTheirField() {
        func field(_ make: () throws -> Void) -> String? {
            do { try make() } catch let e as SpecError { return e.field } catch { return "\(error)" }
            return nil
        }
        #expect(
            field { _ = try SweepPlan(params: ["x=float:0..1"], condition: nil, search: .grid, trials: 0, seed: 0) }
                == "search")
        #expect(
            field { _ = try SweepPlan(params: ["x=int:1..5"], condition: nil, search: .random, trials: 0, seed: 0) }
                == "trials")
        #expect(
            field { _ = try SweepPlan(params: ["x=int:1..5"], condition: "y < 2", search: .grid, trials: 0, seed: 0) }
                == "where")
        #expect(
            field {
                _ = try SweepPlan(params: ["x=int:1..5"], condition: "x > 9", search: .grid, trials: 0, seed: 0)
                    .chunks(trialsPerChunk: 10)
            } == "where")
        #expect(
            field {
                _ = try SweepPlan(params: ["x=float:0..1"], condition: "x > 2", search: .random, trials: 5, seed: 0)
                    .chunks(trialsPerChunk: 10)
            } == "where")
    }

    @Test func aPlanIsWrittenAsItsUserWroteIt() throws {
        let json = try JSONEncoder().encode(Self.grid)
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("fast=int:2..20:2") && text.contains("\"where\":\"fast < slow\""), "\(text)")
        #expect(try JSONDecoder().decode(SweepPlan.self, from: json) == Self.grid)
        #expect(throws: SpecError.self) {
            try JSONDecoder().decode(SweepPlan.self, from: Data(#"{"params": ["fast=int:9..1"]}"#.utf8))
        }
    }

    @Test func trialRecordsReadBackToTheSameBits() throws {
        let bars = SyntheticBars(seed: 3).generate(count: 2_000)
        let base = TrialEvaluationTests.base
        var outcomes = Self.grid.trials(in: 0..<12).map {
            TrialEvaluation.run(
                index: $0.index, parameters: $0.parameters, base: base, bars: bars, registry: .builtIn, blocks: 16)
        }
        // A failed trial and numbers JSON cannot carry (a profit factor with no losses).
        outcomes[1].statistics = nil
        outcomes[1].failure = "slow: must be above fast — ünïcode kept"
        outcomes[2].statistics?.profitFactor = .infinity
        outcomes[3].statistics?.sharpe = -.nan
        let bytes = TrialRecords.encode(outcomes)
        let back = try TrialRecords.decode(bytes, plan: Self.grid)
        #expect(back.count == outcomes.count)
        for (a, b) in zip(outcomes, back) {
            #expect(a.index == b.index && a.parameters == b.parameters && a.failure == b.failure)
            #expect(a.blockSums.map(\.bitPattern) == b.blockSums.map(\.bitPattern))
            #expect(
                a.blockSquares.map(\.bitPattern) == b.blockSquares.map(\.bitPattern) && a.blockCounts == b.blockCounts)
            #expect(a.moments.count == b.moments.count && a.moments.mean.bitPattern == b.moments.mean.bitPattern)
            #expect(a.moments.kurtosis.bitPattern == b.moments.kurtosis.bitPattern)
            #expect(a.statistics?.sharpe.bitPattern == b.statistics?.sharpe.bitPattern)
            if a.statistics?.sharpe.isNaN != true { #expect(a.statistics == b.statistics) }
        }
        // Not records, cut short, another plan's trial, bytes after the end: refused.
        #expect(throws: TrialRecords.Malformed.self) { try TrialRecords.decode(Array("nope".utf8), plan: Self.grid) }
        #expect(throws: TrialRecords.Malformed.self) {
            try TrialRecords.decode(Array(bytes.dropLast(3)), plan: Self.grid)
        }
        #expect(throws: TrialRecords.Malformed.self) { try TrialRecords.decode(bytes + [0], plan: Self.grid) }
        // Words a peer chose (counts of 2⁶⁴ − 1) are refused, not trapped on.
        let hostile = Array("ATR1".utf8) + [UInt8](repeating: 0xFF, count: 16) + [UInt8](repeating: 0, count: 64)
        #expect(throws: TrialRecords.Malformed.self) { try TrialRecords.decode(hostile, plan: Self.grid) }
        let refused = 9 * 7
        var foreign = outcomes[0]
        foreign.index = refused
        #expect(Self.grid.point(refused) == nil)
        #expect(throws: TrialRecords.Malformed.self) {
            try TrialRecords.decode(TrialRecords.encode([foreign]), plan: Self.grid)
        }
    }
}
