import Foundation

/// The test workers' data root (`ATS_DATA_DIR`): one folder per test process, where the tests
/// write their data files. Jobs name files relative to it.
public enum TestDataRoot {
    public static let path: String = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ats-tests-data-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }()
}
