import ATSShared
import Crypto
import Foundation

/// Venue API keys encrypted at rest: AES-256-GCM under the master key, the credential's name as
/// the associated data (a sealed key copied under another name does not open). The master key
/// comes from `ATS_MASTER_KEY` (32 bytes, base64) or `ATS_MASTER_KEY_FILE` (the same in a file
/// only its owner may read); without one, the coordinator stores no credentials.
public struct CredentialVault: Sendable {
    /// The master key's bytes (`SymmetricKey` is not `Sendable`; one is made per use).
    private let keyBytes: Data
    private var key: SymmetricKey { SymmetricKey(data: keyBytes) }

    public init(masterKey: Data) throws(ConfigurationError) {
        guard masterKey.count == 32 else {
            throw ConfigurationError(
                variable: "ATS_MASTER_KEY", reason: "must be 32 random bytes in base64 (openssl rand -base64 32)")
        }
        keyBytes = masterKey
    }

    /// The vault the environment configures, or nil when none is.
    public static func load(_ env: Environment) throws -> CredentialVault? {
        if let text = env["ATS_MASTER_KEY"], !text.isEmpty {
            guard let bytes = Data(base64Encoded: text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw ConfigurationError(variable: "ATS_MASTER_KEY", reason: "is not base64")
            }
            return try CredentialVault(masterKey: bytes)
        }
        guard let path = env["ATS_MASTER_KEY_FILE"], !path.isEmpty else { return nil }
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let mode = (attributes?[.posixPermissions] as? NSNumber)?.intValue else {
            throw ConfigurationError(variable: "ATS_MASTER_KEY_FILE", reason: "cannot read \(path)")
        }
        guard mode & 0o077 == 0 else {
            throw ConfigurationError(
                variable: "ATS_MASTER_KEY_FILE",
                reason: "\(path) may be read by others (mode \(String(mode, radix: 8))): chmod 600 it")
        }
        let text = try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let bytes = Data(base64Encoded: text) else {
            throw ConfigurationError(variable: "ATS_MASTER_KEY_FILE", reason: "\(path) does not hold base64")
        }
        return try CredentialVault(masterKey: bytes)
    }

    /// A credential's secret parts, as sealed.
    public struct Secret: Sendable, Codable, Equatable, CustomStringConvertible {
        public var apiKey: String
        /// The HMAC secret, or the Ed25519 private key (32 raw bytes or PKCS#8 PEM).
        public var secret: String

        public init(apiKey: String, secret: String) {
            self.apiKey = apiKey
            self.secret = secret
        }

        public var description: String { "API key …\(apiKey.suffix(4)) (secret redacted)" }
    }

    public func seal(_ secret: Secret, name: String) throws -> Data {
        let plain = try JSONEncoder().encode(secret)
        guard let combined = try AES.GCM.seal(plain, using: key, authenticating: Data(name.utf8)).combined else {
            throw VaultError.sealFailed
        }
        return combined
    }

    public func open(_ sealed: Data, name: String) throws -> Secret {
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(name.utf8))
            return try JSONDecoder().decode(Secret.self, from: plain)
        } catch {
            throw VaultError.cannotOpen(name)
        }
    }

    public enum VaultError: Error, Equatable, CustomStringConvertible {
        case sealFailed
        case cannotOpen(String)

        public var description: String {
            switch self {
            case .sealFailed: "the credential could not be encrypted"
            case .cannotOpen(let name):
                "credential \(name) does not open with this master key (another key, or the stored bytes were changed)"
            }
        }
    }
}
