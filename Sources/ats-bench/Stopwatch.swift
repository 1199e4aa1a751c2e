import ATSShared

/// Wall-clock timing for benches.
struct Stopwatch {
    let start = ContinuousClock.now
    var seconds: Double { (ContinuousClock.now - start).seconds }
}

/// The p-th percentile (0…100) of a sample, nearest rank.
func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    let rank = Int((p / 100 * Double(sorted.count)).rounded(.up)) - 1
    return sorted[max(0, min(sorted.count - 1, rank))]
}
