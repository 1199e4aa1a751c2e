/// The maximum (or minimum) of the last `period` values in O(1) amortised per update: a deque of
/// candidates whose values decrease (increase) from front to back.
public struct MonotonicWindow: Sendable, Hashable, Codable {
    public let period: Int
    public let isMax: Bool
    @usableFromInline var indices: [Int]
    @usableFromInline var values: [Double]
    @usableFromInline var head = 0
    @usableFromInline var count = 0
    @usableFromInline var seen = 0

    public init(period: Int, max isMax: Bool) {
        precondition(period >= 1)
        self.period = period
        self.isMax = isMax
        indices = Array(repeating: 0, count: period + 1)
        values = Array(repeating: 0, count: period + 1)
    }

    @inlinable
    var capacity: Int { indices.count }

    /// Feeds a value; returns the window's extreme once `period` values were seen.
    @inlinable
    @discardableResult
    public mutating func update(_ x: Double) -> Double? {
        let i = seen
        seen += 1
        // Drop candidates the new value dominates (ties keep the newest, as TA-Lib's scan does).
        while count > 0 {
            let last = (head + count - 1) % capacity
            if isMax ? values[last] <= x : values[last] >= x { count -= 1 } else { break }
        }
        let slot = (head + count) % capacity
        indices[slot] = i
        values[slot] = x
        count += 1
        if indices[head] <= i - period {
            head = (head + 1) % capacity
            count -= 1
        }
        return seen >= period ? values[head] : nil
    }

    /// Age of the extreme: 0 when it is the newest value.
    @inlinable
    public var extremeAge: Int { seen - 1 - indices[head] }
}
