/// A fixed-capacity window of the most recent values, like ``RingBuffer``, for state a backtest's
/// loop updates on every bar: whether its storage is shared with a copy is checked once per run
/// (``makeUnique()``) instead of once per value.
///
/// A ``RingBuffer`` keeps copy-on-write semantics by checking, at each push, that no copy shares
/// its array. That check is a runtime call, and every floating-point value live across it is
/// spilled to memory and reloaded: about 3 ns per bar in `sma_cross`, as much as both averages'
/// arithmetic. Here the check moves to where sharing can begin: ``push(_:)`` still checks (any
/// caller may copy the window), ``pushAssumingUnique(_:)`` does not, and is only called between a
/// ``makeUnique()`` and the next chance of a copy: inside one call of ``BacktestRun/run(_:until:)``,
/// which holds its strategy exclusively (``Strategy/prepareForRun()``).
///
/// Encoded exactly as a ``RingBuffer`` (`storage`, `head`, `_count`), so checkpoints are unchanged.
public struct RunWindow: Sendable, Hashable, Codable {
    /// The window's memory. Shared by copies until one of them writes.
    @usableFromInline final class Storage: @unchecked Sendable {
        @usableFromInline let base: UnsafeMutablePointer<Double>
        @usableFromInline let capacity: Int

        @usableFromInline init(capacity: Int) {
            self.capacity = capacity
            base = .allocate(capacity: capacity)
            base.initialize(repeating: 0, count: capacity)
        }

        @usableFromInline func copy() -> Storage {
            let new = Storage(capacity: capacity)
            new.base.update(from: base, count: capacity)
            return new
        }

        deinit { base.deallocate() }
    }

    @usableFromInline var storage: Storage
    @usableFromInline var head: Int = 0
    @usableFromInline var _count: Int = 0
    public var count: Int { _count }

    public init(capacity: Int) {
        precondition(capacity > 0, "a window needs at least one slot")
        storage = Storage(capacity: capacity)
    }

    /// The same window as a ``RingBuffer`` holds (checkpoints written with one load into the other).
    init(_ ring: RingBuffer) {
        storage = Storage(capacity: ring.capacity)
        ring.storage.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: $0.count) }
        head = ring.head
        _count = ring.count
    }

    @inlinable
    public var capacity: Int { storage.capacity }

    @inlinable
    public var isFull: Bool { _count == storage.capacity }

    /// Gives this value storage of its own if a copy shares it. After this, and until the value is
    /// copied again, ``pushAssumingUnique(_:)`` is safe.
    @inlinable
    public mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) { storage = storage.copy() }
    }

    /// Appends `value` (dropping the oldest when full), after making the storage unique.
    @inlinable @inline(__always)
    public mutating func push(_ value: Double) {
        makeUnique()
        pushAssumingUnique(value)
    }

    /// Appends `value` without checking for a copy sharing the storage: the caller made it unique
    /// (``makeUnique()``) and has not let the value be copied since.
    @inlinable @inline(__always)
    public mutating func pushAssumingUnique(_ value: Double) {
        let capacity = storage.capacity
        if _count < capacity {
            var i = head + _count
            if i >= capacity { i -= capacity }
            storage.base[i] = value
            _count += 1
            return
        }
        storage.base[head] = value
        head += 1
        if head == capacity { head = 0 }
    }

    /// ``pushAssumingUnique(_:)`` for a full window: `value` replaces the oldest, and the call
    /// returns the values then at age `age` and the oldest (as ``subscript(age:)`` and ``oldest``
    /// would after the push), with the index arithmetic of the steady state only.
    /// `0 ≤ age < capacity`, and the window is full (``isFull``).
    @inlinable @inline(__always)
    public mutating func replaceOldestAssumingUnique(_ value: Double, readingAge age: Int) -> (
        atAge: Double, oldest: Double
    ) {
        let base = storage.base
        base[head] = value
        let (next, i) = Self.advance(head, capacity: storage.capacity, age: age)
        head = next
        return (base[i], base[next])
    }

    /// For a full window whose oldest value sits at `head`: the head once a value replaces it, and
    /// the slot then holding the value of age `age` (`0 ≤ age < capacity`).
    @inlinable @inline(__always)
    static func advance(_ head: Int, capacity: Int, age: Int) -> (head: Int, atAge: Int) {
        // head < capacity and 0 ≤ age < capacity: none of these can overflow.
        var next = head &+ 1
        if next == capacity { next = 0 }
        // Age a sits a + 1 slots before the new head.
        var i = next &- 1 &- age
        if i < 0 { i &+= capacity }
        return (next, i)
    }

    /// The value `age` steps back: 0 is the newest (`age` < ``count``).
    @inlinable
    public subscript(age age: Int) -> Double {
        precondition(age >= 0 && age < _count, "age out of the window")
        var i = head + _count - 1 - age
        if i >= storage.capacity { i -= storage.capacity } else if i < 0 { i += storage.capacity }
        return storage.base[i]
    }

    /// The oldest value held.
    @inlinable
    public var oldest: Double { storage.base[head] }

    /// Values oldest first.
    public var values: [Double] { (0..<count).map { self[age: count - 1 - $0] } }

    // Equal when the same values sit in the same slots (as ``RingBuffer``'s synthesized `==`).
    public static func == (a: RunWindow, b: RunWindow) -> Bool {
        a.head == b.head && a._count == b._count && a.slots == b.slots
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(head)
        hasher.combine(_count)
        hasher.combine(slots)
    }

    private var slots: [Double] { Array(UnsafeBufferPointer(start: storage.base, count: storage.capacity)) }

    enum CodingKeys: String, CodingKey { case storage, head, _count }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let slots = try c.decode([Double].self, forKey: .storage)
        let head = try c.decode(Int.self, forKey: .head)
        let count = try c.decode(Int.self, forKey: ._count)
        guard !slots.isEmpty, (0..<slots.count).contains(head), (0...slots.count).contains(count) else {
            throw DecodingError.dataCorruptedError(
                forKey: .storage, in: c,
                debugDescription: "a window of \(slots.count) slots, head \(head), count \(count)")
        }
        storage = Storage(capacity: slots.count)
        slots.withUnsafeBufferPointer { storage.base.update(from: $0.baseAddress!, count: $0.count) }
        self.head = head
        _count = count
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(slots, forKey: .storage)
        try c.encode(head, forKey: .head)
        try c.encode(_count, forKey: ._count)
    }
}
