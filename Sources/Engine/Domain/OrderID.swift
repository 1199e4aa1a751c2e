/// Identifies an order within one run. Ids are handed out in submission order, so a deterministic
/// run gives the same ids every time.
public typealias OrderID = Int64
