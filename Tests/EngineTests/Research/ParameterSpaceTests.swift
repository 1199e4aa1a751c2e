import ATSEngine
import Foundation
import Testing

struct ParameterSpaceTests {
    func error(_ flags: [String]) -> SpecError? {
        do {
            _ = try ParameterSpace(parsing: flags)
            return nil
        } catch { return error }
    }

    @Test func badRangesAreRefusedNamingTheParameter() {
        let cases: [(String, String)] = [
            ("fast=int:5..50:0", "step"), ("fast=int:50..5", "above"), ("fast=int:5.5..9", "whole"),
            ("fast=5..50", "int:"), ("fast=real:1..2", "unknown kind"), ("fast=log:0..1", "above zero"),
            ("fast=choice:a||b", "choice:"), ("fast=choice:a|a", "twice"), ("fast=float:1..x", "LOW..HIGH"),
            ("fast=float:0..1:-1", "positive"),
        ]
        for (flag, reason) in cases {
            let e = error([flag])
            #expect(e?.field == "param.fast" && e?.reason.contains(reason) == true, "\(flag): \(String(describing: e))")
        }
        #expect(error(["fast=int:1..2", "fast=int:3..4"])?.reason == "given twice")
        #expect(error(["=int:1..2"])?.field == "param")
        #expect(error([])?.reason.contains("at least one") == true)
    }

    @Test func aGridIsReadAsAMixedRadixNumberLastParameterFastest() throws {
        let space = try ParameterSpace(parsing: ["fast=int:5..50:5", "slow=int:20..200:10", "kind=choice:ema|sma"])
        #expect(space.gridCount == 10 * 19 * 2)
        #expect(space.gridPoint(0) == ["fast": .int(5), "slow": .int(20), "kind": .string("ema")])
        #expect(space.gridPoint(1) == ["fast": .int(5), "slow": .int(20), "kind": .string("sma")])
        #expect(space.gridPoint(2) == ["fast": .int(5), "slow": .int(30), "kind": .string("ema")])
        #expect(space.gridPoint(38) == ["fast": .int(10), "slow": .int(20), "kind": .string("ema")])
        #expect(space.gridPoint(379) == ["fast": .int(50), "slow": .int(200), "kind": .string("sma")])
        // Every point once.
        let points = Set((0..<space.gridCount!).map { space.gridPoint($0).description })
        #expect(points.count == 380)
    }

    @Test func floatStepsCarryNoAccumulatedRounding() throws {
        let space = try ParameterSpace(parsing: ["k=float:0.1..0.3:0.1"])
        #expect(space.gridCount == 3)
        // 0.1 + 2 · 0.1 is 0.30000000000000004: never past the high end.
        #expect(space.gridPoint(2) == ["k": .double(0.3)])
        #expect(try ParameterSpace(parsing: ["k=float:10.3..10.300002:0.000001"]).gridCount == 3)
        let tenths = try ParameterSpace(parsing: ["k=float:0.3..10:0.1"])
        #expect(tenths.gridCount == 98)
        #expect(
            (0..<98).allSatisfy { i in
                if case .double(let v) = tenths.gridPoint(i)["k"]! { return v <= 10 }
                return false
            })
        #expect(try ParameterSpace(parsing: ["k=float:0..1"]).gridCount == nil, "continuous: no grid")
    }

    @Test func randomPointsArePureFunctionsOfSeedAndDrawAndStayInRange() throws {
        let space = try ParameterSpace(parsing: ["a=int:1..7", "b=float:-2..2", "c=log:0.0001..0.1", "d=choice:x|y|z"])
        #expect(space.randomPoint(seed: 42, draw: 17) == space.randomPoint(seed: 42, draw: 17))
        #expect(space.randomPoint(seed: 42, draw: 17) != space.randomPoint(seed: 43, draw: 17))
        // Draws are independent: one draw's second value is not the next draw's first.
        let wide = try ParameterSpace(parsing: ["x=int:1..1000", "y=int:1..1000"])
        for seed: UInt64 in [0, 9, 42] {
            let same = (0..<1000).filter { d in
                wide.randomPoint(seed: seed, draw: d)["y"] == wide.randomPoint(seed: seed, draw: d + 1)["x"]
            }.count
            #expect(same < 10, "seed \(seed): \(same) of 1000")
        }
        var seenA = Set<Int>()
        var seenD = Set<String>()
        var logBelow = 0
        for draw in 0..<2000 {
            let p = space.randomPoint(seed: 7, draw: draw)
            guard case .int(let a) = p["a"], case .double(let b) = p["b"], case .double(let c) = p["c"],
                case .string(let d) = p["d"]
            else {
                Issue.record("kinds: \(p)")
                return
            }
            #expect((1...7).contains(a) && (-2...2).contains(b) && (0.0001...0.1).contains(c))
            seenA.insert(a)
            seenD.insert(d)
            if c < 0.001 { logBelow += 1 }
        }
        #expect(seenA.count == 7 && seenD.count == 3)
        // Log-uniform: a third of the draws in the first of three decades (binomial, ±5σ).
        #expect(abs(Double(logBelow) - 2000.0 / 3) < 5 * (2000.0 * (1.0 / 3) * (2.0 / 3)).squareRoot())
    }

    @Test func conditionsAreCheckedAtCreationAndEvaluatedPerPoint() throws {
        let space = try ParameterSpace(parsing: ["fast=int:5..50:5", "slow=int:20..200:10", "kind=choice:ema|sma"])
        let c = try space.constraint("fast < slow && (slow - fast >= 10 || kind == 'ema') && !(fast * 2 > slow)")
        #expect(c.accepts(["fast": .int(10), "slow": .int(40), "kind": .string("sma")]))
        #expect(!c.accepts(["fast": .int(30), "slow": .int(35), "kind": .string("sma")]), "slow - fast < 10, sma")
        #expect(!c.accepts(["fast": .int(30), "slow": .int(40), "kind": .string("ema")]), "fast * 2 > slow")
        #expect(try space.constraint("-fast + 1e1 <= -2.5e-1 * -slow").accepts(["fast": .int(5), "slow": .int(20)]))
        // || binds looser than &&; unary minus tighter than +; no spaces needed.
        let either = try space.constraint("fast > 40 || fast < 10 && slow > 100")
        #expect(either.accepts(["fast": .int(50), "slow": .int(20)]))
        #expect(!either.accepts(["fast": .int(5), "slow": .int(20)]))
        #expect(
            try space.constraint("fast<=slow&&!(kind=='sma')").accepts([
                "fast": .int(5), "slow": .int(5), "kind": .string("ema"),
            ]))
        #expect(!(try space.constraint("-fast + 20 > 10").accepts(["fast": .int(15), "slow": .int(20)])))
        let kept = (0..<space.gridCount!).filter { c.accepts(space.gridPoint($0)) }.count
        #expect(kept > 0 && kept < 380)
        func error(_ text: String) -> String? {
            do {
                _ = try space.constraint(text)
                return nil
            } catch { return error.description }
        }
        #expect(error("fast < sloww") == "where: column 8: no parameter \"sloww\" in the sweep")
        #expect(error("fast < 'x'") == "where: column 6: < compares two numbers or two texts")
        #expect(error("kind < 'x'") == "where: column 6: texts compare with == and != only")
        #expect(error("fast + slow") == "where: the condition must be true or false")
        #expect(error("fast < slow &&") == "where: column 15: the condition ends too soon")
        #expect(error("(fast < slow") == "where: column 13: expected )")
        #expect(error("fast < slow)") == "where: column 12: unexpected \")\"")
        #expect(error("kind == 'ema") == "where: column 9: the text is not closed")
        #expect(error("fast # slow") == "where: column 6: unexpected \"#\"")
    }

    @Test func aConditionSurvivesStorage() throws {
        let space = try ParameterSpace(parsing: ["fast=int:5..50:5", "kind=choice:ema|sma"])
        let c = try space.constraint("fast > 10 && kind != 'sma'")
        let decoded = try JSONDecoder().decode(ParameterConstraint.self, from: JSONEncoder().encode(c))
        #expect(decoded == c)
        #expect(decoded.accepts(["fast": .int(15), "kind": .string("ema")]))
        #expect(!decoded.accepts(["fast": .int(15), "kind": .string("sma")]))
        let stored = try JSONDecoder().decode(ParameterSpace.self, from: JSONEncoder().encode(space))
        #expect(stored == space && stored.gridPoint(3) == space.gridPoint(3))
    }
}
