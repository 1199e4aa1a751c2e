import ATSEngine

/// The simulation's only source of randomness is the engine's SplitMix64 generator, so a seed
/// replays exactly; these are the draws the simulation needs.
extension SeededRandom {
    mutating func chance(_ p: Double) -> Bool { uniform() < p }

    mutating func int(_ range: ClosedRange<Int64>) -> Int64 { Int64.random(in: range, using: &self) }

    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: .min ... .max, using: &self) } }
}
