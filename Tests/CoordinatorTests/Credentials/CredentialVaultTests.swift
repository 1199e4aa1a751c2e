import ATSCoordinator
import ATSShared
import Crypto
import Foundation
import Testing

@Suite struct CredentialVaultTests {
    static let key = Data((0..<32).map { UInt8($0) })
    static let secret = CredentialVault.Secret(
        apiKey: "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A",
        secret: "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j")

    @Test func aSealedCredentialOpensOnlyWithItsKeyAndUnderItsName() throws {
        let vault = try CredentialVault(masterKey: Self.key)
        let sealed = try vault.seal(Self.secret, name: "alice")
        // Neither the key nor the secret is in the stored bytes.
        #expect(sealed.range(of: Data(Self.secret.secret.utf8)) == nil)
        #expect(sealed.range(of: Data(Self.secret.apiKey.utf8)) == nil)
        #expect(try vault.open(sealed, name: "alice") == Self.secret)
        // Copied under another name, opened with another key, or changed: refused.
        #expect(throws: CredentialVault.VaultError.cannotOpen("bob")) { try vault.open(sealed, name: "bob") }
        let other = try CredentialVault(masterKey: Data(repeating: 7, count: 32))
        #expect(throws: CredentialVault.VaultError.cannotOpen("alice")) { try other.open(sealed, name: "alice") }
        var tampered = sealed
        tampered[tampered.count / 2] ^= 1
        #expect(throws: CredentialVault.VaultError.cannotOpen("alice")) { try vault.open(tampered, name: "alice") }
        // Two seals of one secret differ (a fresh nonce each time).
        #expect(try vault.seal(Self.secret, name: "alice") != sealed)
        #expect(!"\(Self.secret)".contains(Self.secret.secret))
        #expect("\(Self.secret)" == "API key …Eh8A (secret redacted)")
    }

    @Test func theMasterKeyComesFromTheEnvironmentOrAPrivateFile() throws {
        #expect(try CredentialVault.load(Environment(values: [:])) == nil)
        let base64 = Self.key.base64EncodedString()
        #expect(try CredentialVault.load(Environment(values: ["ATS_MASTER_KEY": base64])) != nil)
        #expect(throws: ConfigurationError.self) {
            try CredentialVault.load(
                Environment(values: ["ATS_MASTER_KEY": Data(repeating: 1, count: 16).base64EncodedString()]))
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("master-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        _ = FileManager.default.createFile(
            atPath: path, contents: Data(base64.utf8), attributes: [.posixPermissions: 0o644])
        // Readable by others: refused, saying how to fix it.
        do {
            _ = try CredentialVault.load(Environment(values: ["ATS_MASTER_KEY_FILE": path]))
            Issue.record("a master key readable by others was accepted")
        } catch let e as ConfigurationError {
            #expect("\(e)".contains("chmod 600"))
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        #expect(try CredentialVault.load(Environment(values: ["ATS_MASTER_KEY_FILE": path])) != nil)
    }
}
