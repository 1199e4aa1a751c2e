/// Checks shared by indicators that decode their own checkpointed state.
extension KeyedDecodingContainer {
    /// A period: at least 1.
    func decodePeriod(forKey key: Key) throws -> Int {
        let period = try decode(Int.self, forKey: key)
        guard period >= 1 else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "period \(period): must be at least 1")
        }
        return period
    }

    /// A window decoded under `key` must hold exactly `period` values.
    func requireWindow(_ capacity: Int, forPeriod period: Int, forKey key: Key) throws {
        guard capacity == period else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "a window of \(capacity) for period \(period)")
        }
    }
}
