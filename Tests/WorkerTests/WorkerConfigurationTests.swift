import ATSShared
import Foundation
import Testing

@testable import ATSWorker

struct WorkerConfigurationTests {
    /// Two processes on one host must not share an id by default (issue 16, defect 7).
    @Test func theDefaultWorkerIdIsUniquePerProcess() throws {
        let c = try WorkerConfiguration(environment: Environment(values: ["ATS_WORKER_TOKEN": "0123456789abcdef0123"]))
        #expect(c.workerId == "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)")
        let named = try WorkerConfiguration(
            environment: Environment(values: ["ATS_WORKER_TOKEN": "0123456789abcdef0123", "ATS_WORKER_ID": "box-1"]))
        #expect(named.workerId == "box-1")
    }

    /// The object store's settings: each mistake names its variable.
    @Test func theObjectStoreSettingsAreCheckedAndKeysStayOutOfLogs() throws {
        func configure(_ extra: [String: String]) throws -> WorkerConfiguration {
            try WorkerConfiguration(
                environment: Environment(values: ["ATS_WORKER_TOKEN": "0123456789abcdef0123"].merging(extra) { $1 }))
        }
        #expect(try configure([:]).datasetStore == nil)
        let anonymous = try #require(
            try configure(["ATS_DATASET_S3_URL": "https://sets.example.com/bucket/ats/"]).datasetStore)
        #expect(anonymous.origin == "https://sets.example.com" && anonymous.folder == "bucket/ats")
        #expect(anonymous.path("xxh3-00.bars") == "/bucket/ats/xxh3-00.bars" && anonymous.credentials == nil)
        #expect(anonymous.region == "us-east-1")
        let keyed = try #require(
            try configure([
                "ATS_DATASET_S3_URL": "http://10.0.0.5:9000", "ATS_DATASET_S3_ACCESS_KEY_ID": "AKIDEXAMPLE1234",
                "ATS_DATASET_S3_SECRET_ACCESS_KEY": "very-secret-key", "ATS_DATASET_S3_REGION": "eu-west-1",
            ]).datasetStore)
        #expect(keyed.path("x.bars") == "/x.bars" && keyed.region == "eu-west-1")
        #expect(!"\(keyed) \(keyed.credentials!)".contains("very-secret-key"))
        for (extra, variable) in [
            (["ATS_DATASET_S3_URL": "s3://bucket/ats"], "ATS_DATASET_S3_URL"),
            (["ATS_DATASET_S3_URL": "https://user:pw@host/b"], "ATS_DATASET_S3_URL"),
            (
                ["ATS_DATASET_S3_URL": "https://host/b", "ATS_DATASET_S3_ACCESS_KEY_ID": "AKID"],
                "ATS_DATASET_S3_SECRET_ACCESS_KEY"
            ),
            (
                ["ATS_DATASET_S3_URL": "https://host/b", "ATS_DATASET_S3_SECRET_ACCESS_KEY": "s"],
                "ATS_DATASET_S3_ACCESS_KEY_ID"
            ),
        ] {
            #expect(throws: ConfigurationError.self) { try configure(extra) }
            do {
                _ = try configure(extra)
            } catch let e as ConfigurationError {
                #expect(e.variable == variable, "\(extra): \(e)")
                #expect(!"\(e)".contains("pw@"), "a password in the error: \(e)")
            }
        }
        // AWS endpoints name their region; another is given or us-east-1.
        for (url, region) in [
            ("https://my-bucket.s3.eu-west-2.amazonaws.com/ats", "eu-west-2"),
            ("https://s3.ap-south-1.amazonaws.com/my-bucket", "ap-south-1"),
            ("https://s3.dualstack.us-west-2.amazonaws.com/b", "us-west-2"),
            ("https://s3-eu-west-1.amazonaws.com/b", "eu-west-1"), ("https://s3.amazonaws.com/b", "us-east-1"),
            ("http://minio:9000/b", "us-east-1"),
        ] {
            #expect(try configure(["ATS_DATASET_S3_URL": url]).datasetStore?.region == region, "\(url)")
        }
        #expect(
            try configure([
                "ATS_DATASET_S3_URL": "https://s3.ap-south-1.amazonaws.com/b", "ATS_DATASET_S3_REGION": "eu-north-1",
            ]).datasetStore?.region == "eu-north-1")
        // A coordinator writes: it must have keys.
        let noKeys = Environment(values: ["ATS_DATASET_S3_URL": "https://host/b"])
        #expect(throws: ConfigurationError.self) { try DatasetStore.location(noKeys, keysRequired: true) }
    }
}
