/// Output columns for batch forms: allocated uninitialised, NaN written once for bars with no
/// value, values written straight through pointers. Batch forms are tight loops over the same
/// `@inlinable` incremental updates, so batch and incremental agree bit for bit by construction.
enum BatchColumns {
    /// `count` columns of `n` values; `body` gets a pointer per column and returns how many leading
    /// bars (the warm-up) it left unwritten, which are then set to NaN.
    static func make(
        _ count: Int, _ n: Int, _ body: ([UnsafeMutablePointer<Double>]) -> Int
    ) -> [[Double]] {
        let storage = UnsafeMutablePointer<Double>.allocate(capacity: max(1, count * n))
        defer { storage.deallocate() }
        let pointers = (0..<count).map { storage + $0 * n }
        let warmup = min(n, max(0, body(pointers)))
        return pointers.map { p in
            [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
                let base = buffer.baseAddress!
                base.initialize(repeating: .nan, count: warmup)
                (base + warmup).initialize(from: p + warmup, count: n - warmup)
                initialized = n
            }
        }
    }

    /// A single column, written in place (no intermediate copy).
    static func single(_ n: Int, _ body: (UnsafeMutablePointer<Double>) -> Int) -> [Double] {
        [Double](unsafeUninitializedCapacity: n) { buffer, initialized in
            guard let base = buffer.baseAddress else {
                initialized = 0
                return
            }
            let warmup = min(n, max(0, body(base)))
            base.initialize(repeating: .nan, count: warmup)
            initialized = n
        }
    }
}
