/// Binary search for where a monotone condition starts to hold: the first index in `0..<count`
/// where `isAtOrAfter` holds (`count` when none does), given it holds from some index on. One
/// search for every sorted thing the engine looks into (bar times, fold boundaries, a leaderboard).
public enum PartitionPoint {
    @inlinable
    public static func first(in count: Int, where isAtOrAfter: (Int) -> Bool) -> Int {
        var lo = 0
        var hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if isAtOrAfter(mid) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
