import Foundation

/// scripts/fake_s3.py running as its own process on loopback: an S3-compatible store (path style)
/// that checks every request's Signature Version 4 with its own implementation, keeps objects as
/// files under ``directory`` and logs each request (`METHOD PATH RANGE STATUS`).
public final class FakeObjectStore: @unchecked Sendable {
    public let process: ChildProcess
    public let port: Int
    public let directory: String
    public let logPath: String
    public static let accessKeyId = "AKIDATSTEST0001"
    public static let secretAccessKey = "fake-s3-secret-0123456789abcdef"
    /// scripts/fake_s3.py.
    public static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("scripts/fake_s3.py").path
    private let root: URL

    /// `port`: where it listens (a free one by default, so a test can name it before it starts).
    /// `anonymousRead`: GET and HEAD need no signature (a public bucket).
    public init(port: Int? = nil, region: String = "eu-west-1", anonymousRead: Bool = false) async throws {
        self.port = try port ?? freeFixedPort()
        root = FileManager.default.temporaryDirectory.appendingPathComponent("ats-s3-\(UUID().uuidString.prefix(8))")
        directory = root.appendingPathComponent("objects").path
        logPath = root.appendingPathComponent("requests.log").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        process = try ChildProcess(
            "/usr/bin/python3", name: "fake-s3", environment: [:],
            arguments: [
                Self.script, "--dir", directory, "--port", String(self.port), "--access-key", Self.accessKeyId,
                "--secret-key", Self.secretAccessKey, "--region", region, "--log", logPath,
            ] + (anonymousRead ? ["--anonymous-read"] : []))
        try await waitUntil("the fake object store listens", timeout: .seconds(30)) {
            self.process.log.contains("ready ")
        }
    }

    /// The environment that points a coordinator or worker at folder `folder` of bucket `bucket`.
    public func environment(bucket: String = "ats-bucket", folder: String = "sets") -> [String: String] {
        Self.environment(port: port, bucket: bucket, folder: folder)
    }

    /// The same for a store that will listen on `port` (one not started yet).
    public static func environment(port: Int, bucket: String = "ats-bucket", folder: String = "sets")
        -> [String: String]
    {
        [
            "ATS_DATASET_S3_URL": "http://127.0.0.1:\(port)/\(bucket)/\(folder)", "ATS_DATASET_S3_REGION": "eu-west-1",
            "ATS_DATASET_S3_ACCESS_KEY_ID": accessKeyId, "ATS_DATASET_S3_SECRET_ACCESS_KEY": secretAccessKey,
        ]
    }

    /// Where object `path` (`bucket/folder/name`) is kept.
    public func file(_ path: String) -> String { directory + "/" + path }

    /// The requests so far, one line each.
    public var requests: [String] {
        ((try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Stops the store and removes its files.
    public func stop() async {
        await process.stop()
        try? FileManager.default.removeItem(at: root)
    }

    /// Runs `body`, then stops the store whether it threw or not.
    public func around(_ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch {
            await stop()
            throw error
        }
        await stop()
    }
}
