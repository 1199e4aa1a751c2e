/// What a live job does when its worker is lost (its lease ran out): `resume` on another worker
/// (the default, after reconciliation), `flatten` (its next run cancels its open orders, trades
/// its position back to its allocation, and stops, held), or `hold` (stopped and held: it places
/// nothing until an operator releases it; its open orders stay).
public enum WorkerLossPolicy: String, Sendable, Hashable, Codable, CaseIterable {
    case resume, flatten, hold
}
