import CZlib

/// A checkpoint's state as a worker sends it and the database keeps it: zlib-compressed behind
/// a header, or plain (the engine's JSON) as before.
///
/// A paper job's state is JSON, the same keys again and again: a built-in strategy's ~1.6–2 kB
/// (no finished orders kept) compresses about twofold, a state holding the default 64 finished
/// orders (~20 kB) about sixfold, and every stored checkpoint, its WAL and its frame shrink with
/// it. A worker compresses every checkpoint, and its outbox sends it plain
/// again to a coordinator that did not announce it stores such state (``capability`` in its
/// Welcome); a coordinator inflates it again for a worker that did not announce it reads it (in
/// its Hello): a rolling upgrade mixes releases either way. Both forms load: plain JSON starts
/// with `{`, the compressed form with ``magic``.
///
/// The form: ``magic`` (4 bytes), the plain size (UInt32, little-endian), one zlib stream
/// (RFC 1950, so an Adler-32 of the plain bytes guards it).
public enum CheckpointCompression {
    /// Announced by a coordinator (it stores compressed state, and inflates it for a worker that
    /// does not read it) and by a worker (it reads compressed state in an assignment).
    public static let capability = "compressed-checkpoints"

    /// `\0ATZ`: no JSON text starts with a NUL.
    public static let magic: [UInt8] = [0x00, 0x41, 0x54, 0x5A]

    static let headerSize = 8

    /// zlib's level: docs/BENCHMARKS.md "Checkpoint bytes" measured 1, 6 and 9 on a paper job's
    /// state when it held 64 finished orders (6: 6.3x smaller in 170 µs; 1: 5.6x in 87 µs).
    public static let level: Int32 = 6

    /// Why a compressed state cannot be read.
    public struct Corrupt: Error, CustomStringConvertible, Equatable {
        public let reason: String
        public init(reason: String) { self.reason = reason }
        public var description: String { "the checkpoint's compressed state is unreadable: \(reason)" }
    }

    /// `plain` compressed, or `plain` itself when compressing would not make it smaller (or it
    /// is too large for the header to say, which no checkpoint is).
    public static func compress(_ plain: [UInt8], level: Int32 = level) -> [UInt8] {
        guard plain.count <= UInt32.max else { return plain }
        let bound = ats_deflate_bound(plain.count)
        guard bound > 0 else { return plain }
        // Deflated into scratch room for the worst case (the plain size and more), then copied
        // once at its exact size: an outbox holding it holds only what it sends.
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: headerSize + bound) { buffer in
            for (i, byte) in magic.enumerated() { buffer[i] = byte }
            let size = UInt32(plain.count)
            for i in 0..<4 { buffer[4 + i] = UInt8(truncatingIfNeeded: size >> (8 * UInt32(i))) }
            let written = plain.withUnsafeBufferPointer { src in
                ats_deflate(src.baseAddress, src.count, buffer.baseAddress! + headerSize, bound, level)
            }
            guard written > 0, headerSize + written < plain.count else { return plain }
            return Array(UnsafeBufferPointer(rebasing: buffer[..<(headerSize + written)]))
        }
    }

    /// Whether `state` is in the compressed form (its header at least begins it).
    public static func isCompressed(_ state: some Collection<UInt8>) -> Bool {
        state.starts(with: magic)
    }

    /// The plain state's size: the header's for a compressed state, its own for a plain one;
    /// nil when the header is cut short.
    public static func plainSize(_ state: [UInt8]) -> Int? {
        guard isCompressed(state) else { return state.count }
        guard state.count >= headerSize else { return nil }
        var size = 0
        for i in 0..<4 { size |= Int(state[4 + i]) << (8 * i) }
        return size
    }

    /// The plain state: `state` itself when plain, inflated when compressed. Throws when the
    /// compressed form is cut short, says more than `limit` bytes, or does not inflate to exactly
    /// what its header says under a matching checksum.
    public static func inflate(
        _ state: [UInt8], limit: Int = WireProtocol.defaultMaximumFrameSize
    ) throws(Corrupt) -> [UInt8] {
        guard isCompressed(state) else { return state }
        guard let size = plainSize(state) else {
            throw Corrupt(reason: "\(state.count) bytes, shorter than its \(headerSize)-byte header")
        }
        guard size <= limit else {
            throw Corrupt(reason: "its header says \(size) bytes, more than a checkpoint may hold (\(limit))")
        }
        var ok = false
        let plain = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            ok = state.withUnsafeBufferPointer { src in
                ats_inflate(src.baseAddress! + headerSize, src.count - headerSize, buffer.baseAddress, size) == 1
            }
            count = ok ? size : 0
        }
        guard ok else {
            throw Corrupt(reason: "its zlib stream does not inflate to the \(size) bytes its header says")
        }
        return plain
    }
}
