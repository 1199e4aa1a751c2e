import ATSEngine
import Foundation
import NIOPosix

/// Loads each data file once and shares it between the jobs that use it; parsing runs on the
/// worker's compute threads. Entries are keyed by path, size and modification time, so a changed
/// file is read again.
actor BarCache {
    private var entries: [String: Task<BarSeries, any Error>] = [:]
    private let pool: NIOThreadPool

    init(pool: NIOThreadPool) { self.pool = pool }

    func bars(path: String, format: BarFormat?) async throws -> BarSeries {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.int64Value ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = "\(path)|\(size)|\(modified)|\(format?.rawValue ?? "auto")"
        if let task = entries[key] { return try await task.value }
        let pool = self.pool
        let task = Task { try await pool.runIfActive { try BarLoader.load(path: path, format: format) } }
        entries[key] = task
        do {
            return try await task.value
        } catch {
            entries[key] = nil
            throw error
        }
    }
}
