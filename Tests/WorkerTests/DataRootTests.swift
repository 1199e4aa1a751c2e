import ATSEngine
import Foundation
import Testing

@testable import ATSWorker

/// A job's data path names a regular file inside the worker's data root, and nothing else
/// (issue 16, defect 2).
struct DataRootTests {
    /// A data root with one bar file, and a secret outside it.
    static func fixture() throws -> (root: URL, outside: URL) {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("ats-dataroot-\(UUID().uuidString)")
        let root = base.appendingPathComponent("data")
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try "time,open,high,low,close,volume\n2024-01-01 00:00:00+00:00,1,2,0.5,1.5,10\n".write(
            to: root.appendingPathComponent("sub/bars.csv"), atomically: true, encoding: .utf8)
        let outside = base.appendingPathComponent("secret.txt")
        try "root:$6$secret-hash:19000:0:99999:7:::\n".write(to: outside, atomically: true, encoding: .utf8)
        return (root, outside)
    }

    func refusal(_ root: DataRoot, _ path: String) -> String? {
        do {
            _ = try root.read(path)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test func aFileInsideTheRootIsRead() throws {
        let (dir, _) = try Self.fixture()
        let root = try DataRoot(dir.path)
        let (data, identity) = try root.read("sub/bars.csv")
        #expect(data.count > 0)
        let again = try root.read("./sub//bars.csv")
        #expect(again.data == data && again.identity == identity, "the same file, however the path is spelled")
    }

    @Test func absolutePathsAndParentStepsAreRefusedBeforeAnythingIsOpened() throws {
        let (dir, outside) = try Self.fixture()
        let root = try DataRoot(dir.path)
        #expect(refusal(root, outside.path)?.contains("not an absolute path") == true)
        #expect(refusal(root, "/etc/hostname")?.contains("not an absolute path") == true)
        #expect(refusal(root, "../secret.txt")?.contains("'..'") == true)
        #expect(refusal(root, "sub/../../secret.txt")?.contains("'..'") == true)
        #expect(refusal(root, "../../../../etc/hostname")?.contains("'..'") == true)
    }

    @Test func aSymbolicLinkLeadingOutIsRefused() throws {
        let (dir, outside) = try Self.fixture()
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("innocent.csv").path, withDestinationPath: outside.path)
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("etc").path, withDestinationPath: "/etc")
        let root = try DataRoot(dir.path)
        let message = try #require(refusal(root, "innocent.csv"))
        #expect(message.contains("leads out of the data directory"))
        #expect(!message.contains("secret-hash"), "nothing of the file comes back")
        #expect(refusal(root, "etc/hostname")?.contains("leads out") == true)
        // A link that stays inside is fine.
        try FileManager.default.createSymbolicLink(
            atPath: dir.appendingPathComponent("alias.csv").path, withDestinationPath: "sub/bars.csv")
        #expect(refusal(root, "alias.csv") == nil)
    }

    /// A FIFO would block the compute thread that opens it until a writer came; a directory or a
    /// device is no bar file either.
    @Test func nonRegularFilesAreRefusedWithoutBlocking() throws {
        let (dir, _) = try Self.fixture()
        let fifo = dir.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        let root = try DataRoot(dir.path)
        #expect(refusal(root, "pipe.csv")?.contains("not a regular file") == true)
        #expect(refusal(root, "sub")?.contains("not a regular file") == true)
        #expect(refusal(root, "missing.csv")?.contains("no such file") == true)
    }

    @Test func aMissingRootIsAConfigurationError() {
        #expect(throws: DataError.self) { try DataRoot("/nonexistent-\(UUID().uuidString)") }
    }
}
