import ATSEngine
import ATSShared
import ATSTestSupport

/// The fault suite's checker: every fill the engine makes for a job (the same job re-run in
/// process) against the rows PostgreSQL holds for it.
struct FillCheck: CustomStringConvertible {
    var expected = 0
    var stored = 0
    /// Made by the engine, not stored.
    var missing = 0
    /// Stored more than once under one seq (the primary key should make this impossible).
    var duplicated = 0
    /// Stored but not made by the engine, or stored with other values.
    var extra = 0

    var isClean: Bool { missing == 0 && duplicated == 0 && extra == 0 }

    var description: String {
        "fills: \(expected) made, \(stored) stored, \(missing) missing, \(duplicated) duplicated, \(extra) extra"
    }

    static func run(_ specs: [JobSpec], cluster: TestCluster) async throws -> FillCheck {
        var check = FillCheck()
        for spec in specs {
            let made = try InProcessRun.run(spec).fills
            let rows = try await cluster.fills(spec.name)
            check.expected += made.count
            check.stored += rows.count
            var bySeq: [Int64: Fill] = [:]
            for f in made { bySeq[f.seq] = f }
            var seen = Set<Int64>()
            for row in rows {
                if !seen.insert(row.seq).inserted {
                    check.duplicated += 1
                } else if bySeq[row.seq] != row.fill {
                    check.extra += 1
                }
            }
            check.missing += made.filter { !seen.contains($0.seq) }.count
        }
        return check
    }
}

/// Percentiles of a sample, nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, max(0, Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1))]
}
