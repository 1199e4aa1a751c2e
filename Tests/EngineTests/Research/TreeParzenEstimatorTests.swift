import Foundation
import Testing

@testable import ATSEngine

/// The Bayesian search's estimator: its densities are densities, its asks are pure functions of
/// (trials so far, seed, trial number), they stay in the space and honour the condition, and they
/// find what a search should find where random search does not.
struct TreeParzenEstimatorTests {
    static let bowl = try! ParameterSpace(parsing: ["x=float:-10..10", "y=float:-10..10"])

    /// Minus the squared distance to (3, −1): a bowl whose top a search should climb.
    static func height(_ p: [String: ParameterValue]) -> Double {
        guard case .double(let x)? = p["x"], case .double(let y)? = p["y"] else { return .nan }
        return -((x - 3) * (x - 3) + (y + 1) * (y + 1))
    }

    /// `trials` trials asked in batches of `batch` over the bowl, each batch from the ones before.
    static func search(trials: Int, batch: Int, seed: UInt64) -> [TreeParzenEstimator.Observation] {
        var done: [TreeParzenEstimator.Observation] = []
        while done.count < trials {
            let asker = TreeParzenEstimator(space: bowl, constraint: nil, seed: seed, observations: done)
            done += (done.count..<min(trials, done.count + batch)).map { t in
                let p = asker.ask(t)!
                return .init(trial: t, parameters: p, value: height(p))
            }
        }
        return done
    }

    @Test func eachDensityIntegratesToOneOverItsRange() {
        for range in [
            try! ParameterRange(parsing: "float:-10..10"), try! ParameterRange(parsing: "log:0.001..10"),
            try! ParameterRange(parsing: "int:5..50:5"),
        ] {
            let density = TreeParzenEstimator.Density(range, [1.5, 2, 2.2, 7, -3.5][...])
            let n = 200_000
            let (low, high) = (density.low, density.high)
            let h = (high - low) / Double(n)
            var total = 0.0
            for k in 0..<n { total += Foundation.exp(density.logDensity(low + (Double(k) + 0.5) * h)) * h }
            #expect(abs(total - 1) < 1e-6, "\(range): \(total)")
        }
        let choice = TreeParzenEstimator.Density(try! ParameterRange(parsing: "choice:a|b|c"), [0, 0, 2][...])
        let p = (0..<3).map { Foundation.exp(choice.logDensity(Double($0))) }
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
        #expect(p[0] > p[2] && p[2] > p[1], "two a's, one c, no b (and the prior over all three)")
    }

    @Test func asksArePureFunctionsOfTheTrialsSoFarTheSeedAndTheTrialNumber() {
        let done = Self.search(trials: 40, batch: 10, seed: 7)
        let a = TreeParzenEstimator(space: Self.bowl, constraint: nil, seed: 7, observations: done)
        let b = TreeParzenEstimator(space: Self.bowl, constraint: nil, seed: 7, observations: done.reversed())
        #expect((40..<50).map { a.ask($0)! } == (40..<50).map { b.ask($0)! }, "the trials' order does not matter")
        #expect(Set((40..<50).map { a.ask($0)! }).count == 10, "each trial of a batch its own point")
        let other = TreeParzenEstimator(space: Self.bowl, constraint: nil, seed: 8, observations: done)
        #expect(a.ask(40) != other.ask(40), "another seed, another point")
        #expect(
            Self.search(trials: 60, batch: 10, seed: 7).map(\.parameters)
                == Self.search(trials: 60, batch: 10, seed: 7).map(\.parameters))
    }

    @Test func itClimbsTheBowlWhereRandomSearchWanders() {
        let done = Self.search(trials: 200, batch: 10, seed: 42)
        let best = done.map(\.value).max()!
        let lastFifty = done.suffix(50).map { -$0.value }.map { $0.squareRoot() }.reduce(0, +) / 50
        // Random search over the same 200 points: the same space drawn uniformly.
        let random = (0..<200).map { Self.height(Self.bowl.randomPoint(seed: 42, draw: $0)) }
        #expect(best > random.max()!, "TPE's best \(best), random's \(random.max()!)")
        #expect(best > -0.25, "within half a unit of the top: \(best)")
        let randomMean = random.map { (-$0).squareRoot() }.reduce(0, +) / 200
        #expect(lastFifty < randomMean / 3, "its last asks sit near the top: \(lastFifty) against \(randomMean)")
    }

    @Test func asksStayInTheSpaceAndHonourTheCondition() throws {
        let space = try ParameterSpace(
            parsing: ["fast=int:5..50:5", "slow=int:20..200:10", "k=log:0.0001..0.1", "ma=choice:ema|sma|wma"])
        let condition = try space.constraint("fast < slow && (ma == \"ema\" || k < 0.01)")
        var done: [TreeParzenEstimator.Observation] = []
        for batch in 0..<8 {
            let asker = TreeParzenEstimator(space: space, constraint: condition, seed: 3, observations: done)
            for t in (batch * 8)..<(batch * 8 + 8) {
                let p = try #require(asker.ask(t))
                #expect(condition.accepts(p))
                guard case .int(let fast)? = p["fast"], case .int(let slow)? = p["slow"],
                    case .double(let k)? = p["k"], case .string(let ma)? = p["ma"]
                else {
                    Issue.record("kinds: \(p)")
                    continue
                }
                #expect(fast % 5 == 0 && (5...50).contains(fast) && slow % 10 == 0 && (20...200).contains(slow))
                #expect((0.0001...0.1).contains(k) && ["ema", "sma", "wma"].contains(ma))
                // Better with sma and a fast near 25; a failed trial now and then (not a number).
                let value = t % 7 == 3 ? Double.nan : (ma == "sma" ? 1.0 : 0.0) - abs(Double(fast) - 25) / 50
                done.append(.init(trial: t, parameters: p, value: value))
            }
        }
        let late = done.suffix(24).filter { $0.parameters["ma"] == .string("sma") }.count
        #expect(late > 12, "the better choice asked most often once known: \(late) of 24")
    }

    @Test func aConditionThatRefusesEverythingIsNoAsk() throws {
        let space = try ParameterSpace(parsing: ["a=int:1..10"])
        let never = try space.constraint("a > 100")
        #expect(TreeParzenEstimator(space: space, constraint: never, seed: 1, observations: []).ask(0) == nil)
        #expect(throws: SpecError.self) {
            try SweepPlan(params: ["a=int:1..10"], condition: "a > 100", search: .tpe, trials: 20, seed: 1)
                .chunks(trialsPerChunk: 4)
        }
    }

    @Test func aPlansBatchesCutItsChunksAndTravelAsJSON() throws {
        let plan = try SweepPlan(
            params: ["fast=int:5..50:5", "w=float:0.5..3"], condition: nil, search: .tpe, trials: 70, seed: 9,
            inFlight: 32)
        let (chunks, trials) = try plan.chunks(trialsPerChunk: 10)
        #expect(trials == 70)
        #expect(chunks.map(\.first) == [0, 10, 20, 30, 32, 42, 52, 62, 64])
        #expect(chunks.allSatisfy { $0.first / 32 == ($0.end - 1) / 32 }, "no chunk crosses a batch")
        #expect(plan.batch(startingAt: 64) == 64..<70)
        let back = try JSONDecoder().decode(SweepPlan.self, from: JSONEncoder().encode(plan))
        #expect(back == plan && back.inFlight == 32)
        #expect(throws: SpecError.self) {
            try SweepPlan(params: ["a=int:1..10"], condition: nil, search: .tpe, trials: 10_001, seed: 1)
        }
        #expect(throws: SpecError.self) {
            try SweepPlan(params: ["a=int:1..10"], condition: nil, search: .tpe, trials: 10, seed: 1, inFlight: 0)
        }
        // A whole float read back from JSON as an integer is a float again.
        #expect(plan.space.normalized(["fast": .int(5), "w": .int(2)]) == ["fast": .int(5), "w": .double(2)])
    }
}
