/// What storing a batch of fills did: how many were new, and the first of those that arrived
/// again with other values than the stored ones (their job is failed: never a silent pass).
public struct FillsStored: Sendable, Equatable {
    public var inserted: Int
    /// The sequence numbers whose values differ from the stored fill's (at most the first 10).
    public var diverged: [Int64]
    /// What differed, for the operator: `seq 12: stored BUY 0.5 @ 101.2, received BUY 0.5 @ 101.3`.
    public var detail: String

    public init(inserted: Int, diverged: [Int64] = [], detail: String = "") {
        self.inserted = inserted
        self.diverged = diverged
        self.detail = detail
    }
}
