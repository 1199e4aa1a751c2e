/// A fixed-capacity window of the most recent values. Pushing never allocates once created.
public struct RingBuffer: Sendable, Hashable, Codable {
    @usableFromInline var storage: [Double]
    @usableFromInline var head: Int = 0
    @usableFromInline var _count: Int = 0
    public var count: Int { _count }

    public init(capacity: Int) {
        precondition(capacity > 0, "a window needs at least one slot")
        storage = Array(repeating: 0, count: capacity)
    }

    @inlinable
    public var capacity: Int { storage.count }

    @inlinable
    public var isFull: Bool { count == storage.count }

    /// Appends `value`; when full, drops the oldest value and returns it.
    @inlinable @inline(__always)
    @discardableResult
    public mutating func push(_ value: Double) -> Double? {
        if count < storage.count {
            var i = head + count
            if i >= storage.count { i -= storage.count }
            storage[i] = value
            _count += 1
            return nil
        }
        let old = storage[head]
        storage[head] = value
        head += 1
        if head == storage.count { head = 0 }
        return old
    }

    /// The value `age` steps back: 0 is the newest.
    @inlinable
    public subscript(age age: Int) -> Double {
        // head + count - 1 - age lies in (-capacity, 2·capacity): wrap without a division.
        var i = head + count - 1 - age
        if i >= storage.count { i -= storage.count } else if i < 0 { i += storage.count }
        return storage[i]
    }

    /// The oldest value held.
    @inlinable
    public var oldest: Double { storage[head] }

    /// Calls `body` with each value, oldest first, straight from storage (two spans, no index
    /// arithmetic per value).
    @inlinable
    public func forEachOldestFirst(_ body: (Double) -> Void) {
        storage.withUnsafeBufferPointer { p in
            let firstSpan = min(count, p.count - head)
            for i in head..<(head + firstSpan) { body(p[i]) }
            for i in 0..<(count - firstSpan) { body(p[i]) }
        }
    }

    /// Values oldest first.
    public var values: [Double] { (0..<count).map { self[age: count - 1 - $0] } }
}
