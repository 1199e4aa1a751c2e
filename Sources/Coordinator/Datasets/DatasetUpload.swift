import Foundation
import Hummingbird
import NIOCore
import NIOPosix

/// A bar file sent to `POST /api/datasets`, written to a temporary file (mode 600) as it arrives,
/// so the coordinator holds a megabyte of it at a time, not the whole file; parsing then maps it.
enum DatasetUpload {
    /// The body was longer than the limit.
    struct TooLarge: Error {}

    /// Writes `body` to a new temporary file and returns its path (the caller removes it), or
    /// throws ``TooLarge`` past `limit` bytes (nothing is left behind then).
    static func receive(_ body: RequestBody, limit: Int) async throws -> (path: String, bytes: Int) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ats-upload-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: url.path, contents: nil, attributes: [.posixPermissions: 0o600])
        else { throw CocoaError(.fileWriteUnknown) }
        do {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            let pool = NIOThreadPool.singleton
            var pending = ByteBuffer()
            var total = 0
            for try await chunk in body {
                total += chunk.readableBytes
                guard total <= limit else { throw TooLarge() }
                pending.writeImmutableBuffer(chunk)
                if pending.readableBytes >= 1 << 20 {
                    let piece = Data(buffer: pending)
                    pending.clear()
                    try await pool.runIfActive { try handle.write(contentsOf: piece) }
                }
            }
            let rest = Data(buffer: pending)
            try await pool.runIfActive { try handle.write(contentsOf: rest) }
            return (url.path, total)
        } catch {
            try? FileManager.default.removeItem(at: url)
            throw error
        }
    }
}
