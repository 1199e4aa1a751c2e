import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A fetch's partial file, written and synced on the thread pool.
final class PartialFile: @unchecked Sendable {
    private let handle: UnsafeMutablePointer<FILE>
    private let path: String
    private var closed = false

    init(_ path: String) throws {
        guard let handle = fopen(path, "wb") else {
            throw DatasetError("cannot write \(path): \(String(cString: strerror(errno)))", final: true)
        }
        self.handle = handle
        self.path = path
    }

    func write(_ bytes: [UInt8]) throws {
        let written = bytes.withUnsafeBufferPointer { fwrite($0.baseAddress, 1, $0.count, handle) }
        guard written == bytes.count else {
            throw DatasetError("cannot write \(path): \(String(cString: strerror(errno)))", final: true)
        }
    }

    func sync() throws {
        guard fflush(handle) == 0, fsync(fileno(handle)) == 0 else {
            throw DatasetError("cannot write \(path): \(String(cString: strerror(errno)))", final: true)
        }
    }

    /// Closes the file and removes it when it was not moved into place.
    func close() {
        guard !closed else { return }
        closed = true
        fclose(handle)
        unlink(path)
    }
}
