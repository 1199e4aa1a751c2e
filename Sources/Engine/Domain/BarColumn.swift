import Foundation

/// One column of a ``BarSeries``: its values either in a Swift array it owns, or in place in read-only
/// memory it keeps alive (a memory-mapped catalog file, see ``BarCatalog``), so that loading a
/// catalog copies nothing. A value type either way: the first mutation of a column that lives in
/// place copies it into an array of its own (copy on write).
///
/// Hot loops read it through ``withUnsafeBufferPointer(_:)`` (one branch per call, none per
/// element); the subscript works too, with one predictable branch per access.
public struct BarColumn<Element: BitwiseCopyable & Sendable>: Sendable {
    /// The values when the column owns them (empty while `mapped` holds them).
    @usableFromInline var owned: [Element]
    /// The values when they live in place.
    @usableFromInline var mapped: MappedValues<Element>?

    @inlinable
    public init() {
        owned = []
        mapped = nil
    }

    @inlinable
    public init(_ values: [Element]) {
        owned = values
        mapped = nil
    }

    /// The `count` values at `base` inside `keeper`'s bytes, used in place. `base` must be aligned
    /// for `Element` and stay valid and unchanged as long as `keeper` lives.
    public init(inPlace base: UnsafePointer<Element>, count: Int, keeper: Data) {
        owned = []
        mapped = MappedValues(base: base, count: count, keeper: keeper)
    }

    /// Whether the values live in place (in the keeper's memory) rather than in an array of their own.
    public var isInPlace: Bool { mapped != nil }

    /// The values as an array (a copy when they live in place).
    public var array: [Element] {
        if let mapped { return Array(mapped.buffer) }
        return owned
    }

    /// Calls `body` with the values' contiguous memory, valid only inside `body`.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows -> R {
        if let mapped { return try body(mapped.buffer) }
        return try owned.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with the values' bytes, valid only inside `body`.
    @inlinable
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try withUnsafeBufferPointer { try body(UnsafeRawBufferPointer($0)) }
    }

    /// Moves values that live in place into an array of their own, before a mutation.
    @inlinable
    mutating func makeOwned() {
        if let mapped {
            owned = Array(mapped.buffer)
            self.mapped = nil
        }
    }
}

extension BarColumn: RandomAccessCollection, MutableCollection {
    public typealias Index = Int

    @inlinable
    public var startIndex: Int { 0 }

    @inlinable
    public var endIndex: Int { mapped?.count ?? owned.count }

    @inlinable
    public subscript(index: Int) -> Element {
        get {
            if let mapped {
                precondition(index >= 0 && index < mapped.count, "BarColumn index out of range")
                return mapped.base[index]
            }
            return owned[index]
        }
        set {
            makeOwned()
            owned[index] = newValue
        }
    }

    @inlinable
    public func withContiguousStorageIfAvailable<R>(_ body: (UnsafeBufferPointer<Element>) throws -> R) rethrows
        -> R?
    {
        try withUnsafeBufferPointer(body)
    }
}

extension BarColumn: RangeReplaceableCollection {
    @inlinable
    public mutating func replaceSubrange<C: Collection>(_ subrange: Range<Int>, with newElements: C)
    where C.Element == Element {
        makeOwned()
        owned.replaceSubrange(subrange, with: newElements)
    }

    @inlinable
    public mutating func reserveCapacity(_ n: Int) {
        makeOwned()
        owned.reserveCapacity(n)
    }

    @inlinable
    public mutating func append(_ newElement: Element) {
        makeOwned()
        owned.append(newElement)
    }

    @inlinable
    public mutating func append<S: Sequence>(contentsOf newElements: S) where S.Element == Element {
        makeOwned()
        owned.append(contentsOf: newElements)
    }

    @inlinable
    public mutating func append(contentsOf other: BarColumn) {
        makeOwned()
        other.withUnsafeBufferPointer { owned.append(contentsOf: $0) }
    }
}

extension BarColumn: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension BarColumn: Equatable where Element: Equatable {
    @inlinable
    public static func == (a: BarColumn, b: BarColumn) -> Bool {
        a.withUnsafeBufferPointer { x in b.withUnsafeBufferPointer { y in x.elementsEqual(y) } }
    }
}

extension BarColumn: CustomStringConvertible {
    public var description: String { array.description }
}
