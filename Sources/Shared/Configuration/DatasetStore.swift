import ATSVenues
import Foundation

/// The S3-compatible store data sets also travel through (docs/DATASETS.md "Through an object
/// store"), from `ATS_DATASET_S3_URL`, `ATS_DATASET_S3_REGION` (us-east-1),
/// `ATS_DATASET_S3_ACCESS_KEY_ID` with `ATS_DATASET_S3_SECRET_ACCESS_KEY` or
/// `ATS_DATASET_S3_SECRET_ACCESS_KEY_FILE` (mode 600), and `ATS_DATASET_S3_SESSION_TOKEN`.
public enum DatasetStore {
    /// A set's file name in a worker's cache and its object's name in the store:
    /// `xxh3-<16 hex digits>.bars`.
    public static func objectName(_ hash: String) -> String { hash.replacingOccurrences(of: ":", with: "-") + ".bars" }

    /// The configured location, nil when `ATS_DATASET_S3_URL` is not set. `keysRequired`: the
    /// coordinator writes, so it must have keys; a worker may read a bucket anonymously.
    public static func location(_ env: Environment, keysRequired: Bool) throws -> S3Location? {
        guard let url = env["ATS_DATASET_S3_URL"] else { return nil }
        let keyId = env["ATS_DATASET_S3_ACCESS_KEY_ID"]
        var secret = env["ATS_DATASET_S3_SECRET_ACCESS_KEY"]
        if secret == nil, let path = env["ATS_DATASET_S3_SECRET_ACCESS_KEY_FILE"] {
            secret = try ConfigurationError.reading("ATS_DATASET_S3_SECRET_ACCESS_KEY_FILE", path) { path in
                let attributes = try FileManager.default.attributesOfItem(atPath: path)
                if let mode = (attributes[.posixPermissions] as? NSNumber)?.intValue, mode & 0o077 != 0 {
                    throw ConfigurationError(
                        variable: "ATS_DATASET_S3_SECRET_ACCESS_KEY_FILE",
                        reason: "may be read by others (mode \(String(mode, radix: 8))): chmod 600 it")
                }
                return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        guard (keyId == nil) == (secret == nil) else {
            throw ConfigurationError(
                variable: keyId == nil ? "ATS_DATASET_S3_ACCESS_KEY_ID" : "ATS_DATASET_S3_SECRET_ACCESS_KEY",
                reason: "the access key id and its secret go together")
        }
        if keysRequired && keyId == nil {
            throw ConfigurationError(
                variable: "ATS_DATASET_S3_ACCESS_KEY_ID",
                reason: "is required with ATS_DATASET_S3_URL on a coordinator (it writes the sets there)")
        }
        let credentials = keyId.map {
            S3Credentials(
                accessKeyId: $0, secretAccessKey: secret ?? "", sessionToken: env["ATS_DATASET_S3_SESSION_TOKEN"])
        }
        guard var location = S3Location(url: url, region: "us-east-1", credentials: credentials) else {
            // Never quoted whole: a URL with `user:password@` would put a secret in the log.
            throw ConfigurationError(
                variable: "ATS_DATASET_S3_URL",
                reason:
                    "expected http(s)://host[:port][/bucket][/prefix] (keys go in ATS_DATASET_S3_ACCESS_KEY_ID and …_SECRET_ACCESS_KEY, not in the URL)"
            )
        }
        location.region = env["ATS_DATASET_S3_REGION"] ?? location.awsRegion ?? "us-east-1"
        return location
    }
}
