/// The keys that sign requests to an S3-compatible store (`ATS_DATASET_S3_ACCESS_KEY_ID`, …).
/// Shown only as the access key's last four characters.
public struct S3Credentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    /// A temporary credential's session token (`x-amz-security-token`), if any.
    public var sessionToken: String?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "access key …\(accessKeyId.suffix(4))" }
    public var debugDescription: String { description }
}
