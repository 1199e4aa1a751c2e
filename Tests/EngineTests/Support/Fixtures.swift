import ATSEngine
import Foundation

/// Paths of the committed fixtures.
enum Fixtures {
    static var directory: URL {
        Bundle.module.resourceURL!.appendingPathComponent("Fixtures")
    }

    static func path(_ relative: String) -> String {
        directory.appendingPathComponent(relative).path
    }

    /// Deterministic test bars.
    static func synthetic(_ count: Int, seed: UInt64 = 7) -> BarSeries {
        SyntheticBars(seed: seed).generate(count: count)
    }
}
