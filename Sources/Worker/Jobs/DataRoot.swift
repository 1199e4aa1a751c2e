import ATSEngine
import ATSShared
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The folder a worker reads job data from (`ATS_DATA_DIR`), and the only one: a job names a file
/// relative to it, and whatever the path says (an absolute path, `..`, a symbolic link that leads
/// out), only a regular file inside the root is opened. A job spec is written by whoever may
/// create jobs; without this, any file the worker's user can read would be a job's data, and the
/// start of it would come back in the job's error.
struct DataRoot: Sendable {
    /// The root, with every symbolic link resolved.
    let path: String

    init(_ directory: String) throws {
        guard let real = Self.realPath(directory) else {
            throw DataError(
                file: directory, line: 0, column: 0,
                reason: "the data directory (ATS_DATA_DIR) does not exist or cannot be read")
        }
        path = real
    }

    /// A file of the root, opened and mapped: its bytes, and which version of which file they are
    /// (device, inode, size, modification and change times of what was opened).
    func read(_ relative: String) throws -> (data: Data, identity: String) {
        if let problem = DataSource.confinementProblem(relative) {
            throw DataError(file: relative, line: 0, column: 0, reason: "refused: the path \(problem)")
        }
        let joined = path == "/" ? "/" + relative : path + "/" + relative
        guard let real = Self.realPath(joined) else {
            throw DataError(file: relative, line: 0, column: 0, reason: "no such file in the data directory")
        }
        guard isInside(real) else {
            throw DataError(
                file: relative, line: 0, column: 0, reason: "refused: it leads out of the data directory (a link)")
        }
        // Not following a link at the last step, and not waiting on a FIFO; then the file itself
        // must be regular and, as the kernel names what is open, still inside the root (a link
        // swapped in between the check and the open is caught here).
        let fd = open(real, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW)
        guard fd >= 0 else {
            throw DataError(
                file: relative, line: 0, column: 0, reason: "cannot read the file: \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw DataError(file: relative, line: 0, column: 0, reason: "refused: not a regular file")
        }
        #if os(Linux)
            if let opened = Self.realPath("/proc/self/fd/\(fd)"), !isInside(opened) {
                throw DataError(
                    file: relative, line: 0, column: 0, reason: "refused: it leads out of the data directory")
            }
        #endif
        let identity =
            "\(info.st_dev):\(info.st_ino):\(info.st_size):\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec):"
            + "\(info.st_ctim.tv_sec).\(info.st_ctim.tv_nsec)"
        return (try BarLoader.map(fd, file: relative), identity)
    }

    private func isInside(_ real: String) -> Bool {
        path == "/" ? real.hasPrefix("/") : real.hasPrefix(path + "/")
    }

    private static func realPath(_ p: String) -> String? {
        guard let resolved = realpath(p, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
