import ATSEngine
import Foundation
import Logging
import NIOPosix
import Testing

@testable import ATSWorker

/// The bar cache: one load per file version, a changed file read again, bounded by bytes with the
/// least recently used file dropped first.
struct BarCacheTests {
    static func write(_ url: URL, bars: Int, seed: UInt64) throws {
        try BarCSVWriter.csv(SyntheticBars(seed: seed).generate(count: bars)).write(
            to: url, atomically: true, encoding: .utf8)
    }

    func withCache(limitBytes: Int, _ body: (BarCache, URL) async throws -> Void) async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-cache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let sets = try DatasetCache(
            directory: dir.path + "/.ats-datasets", limitBytes: 1 << 30, sources: [], workerId: "test",
            secret: "0123456789abcdef", logger: Logger(label: "test"))
        let cache = BarCache(pool: pool, root: try DataRoot(dir.path), datasets: sets, limitBytes: limitBytes)
        do {
            try await body(cache, dir)
        } catch {
            try await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()
    }

    @Test func aChangedFileIsReadAgainWithItsNewHash() async throws {
        try await withCache(limitBytes: 1 << 30) { cache, dir in
            try Self.write(dir.appendingPathComponent("a.csv"), bars: 100, seed: 1)
            let first = try await cache.bars(path: "a.csv", format: nil)
            #expect(first.bars.count == 100 && first.hash.hasPrefix("xxh3:"))
            #expect(try await cache.bars(path: "a.csv", format: nil).hash == first.hash)
            #expect(await cache.usage.files == 1)
            try Self.write(dir.appendingPathComponent("a.csv"), bars: 120, seed: 2)
            let second = try await cache.bars(path: "a.csv", format: nil)
            #expect(second.bars.count == 120 && second.hash != first.hash)
        }
    }

    @Test func theLeastRecentlyUsedFileIsDroppedBeyondTheLimit() async throws {
        // Room for two files of 1,000 bars (64 bytes a bar), not three.
        try await withCache(limitBytes: 2 * 1_000 * 64) { cache, dir in
            for name in ["a", "b", "c"] {
                try Self.write(dir.appendingPathComponent("\(name).csv"), bars: 1_000, seed: 3)
            }
            _ = try await cache.bars(path: "a.csv", format: nil)
            _ = try await cache.bars(path: "b.csv", format: nil)
            _ = try await cache.bars(path: "a.csv", format: nil)  // a is now the most recent
            _ = try await cache.bars(path: "c.csv", format: nil)  // b goes
            let usage = await cache.usage
            #expect(usage.files == 2 && usage.bytes == 2 * 1_000 * 64)
            // A file alone over the limit is still served (its job needs it).
            try Self.write(dir.appendingPathComponent("big.csv"), bars: 5_000, seed: 4)
            #expect(try await cache.bars(path: "big.csv", format: nil).bars.count == 5_000)
            #expect(await cache.usage.files == 1)
        }
    }
}
