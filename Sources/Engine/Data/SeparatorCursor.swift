import CPlatform

/// The separators (`,`, LF, CR) of a CSV chunk in order, found 64 bytes at a time by wide compares
/// (``ats_separators64``): the next one is a bit scan away, so ``BarLineScanner`` knows where
/// every field of a row ends before it parses any, and the fields' parses do not wait on one
/// another (one by one, each field's end was found by parsing the field before: a chain of
/// dependent loads through the whole row).
///
/// Blocks are read only while `limit` keeps 16 bytes after them: a field that ends inside a block
/// can be read two words at a time from its start.
struct SeparatorCursor {
    /// Where bit 0 of `mask` is.
    private var block: Int
    /// The separators of the block not yet handed out.
    private var mask: UInt64
    private let base: UnsafePointer<UInt8>
    private let limit: Int

    /// A cursor at `start` over `p[..<end]`.
    init(_ p: UnsafeBufferPointer<UInt8>, at start: Int, end: Int) {
        base = p.baseAddress!
        limit = end - 16
        block = start
        mask = 0
        reset(at: start)
    }

    /// Moves the cursor to `start` (a row's first byte), after rows the cursor did not follow.
    @inline(__always)
    mutating func reset(at start: Int) {
        block = start
        mask = start + 64 <= limit ? ats_separators64(base + start) : 0
    }

    /// The next separator's position, or nil where the blocks end (near the chunk's end) or a
    /// whole block has none (no row is that long): the caller then parses the row another way.
    @inline(__always)
    mutating func next() -> Int? {
        if mask == 0 {
            block &+= 64
            guard block &+ 64 <= limit else { return nil }
            mask = ats_separators64(base + block)
            if mask == 0 { return nil }
        }
        let position = block &+ mask.trailingZeroBitCount
        mask &= mask &- 1
        return position
    }
}
