import Foundation

/// Values that live in place in another owner's memory (``BarColumn``'s in-place storage).
/// Immutable: the memory is read-only and `keeper` keeps it alive.
public final class MappedValues<Element: BitwiseCopyable & Sendable>: @unchecked Sendable {
    @usableFromInline let base: UnsafePointer<Element>
    @usableFromInline let count: Int
    let keeper: Data

    init(base: UnsafePointer<Element>, count: Int, keeper: Data) {
        self.base = base
        self.count = count
        self.keeper = keeper
    }

    @inlinable
    var buffer: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: base, count: count) }
}
