import Foundation
import Logging
import Synchronization

/// A log file that rotates by size (the seed's `logs/`): when a line would take `path` past
/// `maxBytes`, `path` becomes `path.1`, `path.1` becomes `path.2`, … and the oldest beyond
/// `keep` is removed. Lines are written whole, one `write` each, under a lock.
public final class RotatingLogFile: Sendable {
    public let path: String
    public let maxBytes: Int
    public let keep: Int
    private let state: Mutex<(handle: FileHandle?, size: Int)>

    public init(path: String, maxBytes: Int = 10 << 20, keep: Int = 5) throws {
        self.path = path
        self.maxBytes = maxBytes
        self.keep = keep
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) }
        state = Mutex((nil, 0))
        try state.withLock { s in try open(&s) }
    }

    private func open(_ s: inout (handle: FileHandle?, size: Int)) throws {
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640])
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        s.size = Int(try handle.seekToEnd())
        s.handle = handle
    }

    public func write(_ line: String) {
        let data = Data((line + "\n").utf8)
        state.withLock { s in
            if s.size > 0, s.size + data.count > maxBytes { rotate(&s) }
            s.handle?.write(data)
            s.size += data.count
        }
    }

    private func rotate(_ s: inout (handle: FileHandle?, size: Int)) {
        try? s.handle?.close()
        s.handle = nil
        let fm = FileManager.default
        try? fm.removeItem(atPath: "\(path).\(keep)")
        for i in stride(from: keep - 1, through: 1, by: -1) where fm.fileExists(atPath: "\(path).\(i)") {
            try? fm.moveItem(atPath: "\(path).\(i)", toPath: "\(path).\(i + 1)")
        }
        try? fm.moveItem(atPath: path, toPath: "\(path).1")
        try? open(&s)
    }
}
