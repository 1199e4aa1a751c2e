import ATSShared
import Crypto
import Foundation
import _CryptoExtras

/// Dashboard passwords, stored as PBKDF2-HMAC-SHA256 with a random 16-byte salt:
/// `pbkdf2-sha256$<rounds>$<salt base64>$<hash base64>`. Verification recomputes the hash with
/// the stored rounds and compares in constant time. Hashing is CPU work (about a quarter of a
/// second at the default rounds): callers run it off the event loops.
enum PasswordHash {
    /// OWASP's recommendation for PBKDF2-HMAC-SHA256 (2023).
    static let defaultRounds = 600_000
    static let scheme = "pbkdf2-sha256"

    /// Passwords shorter than this are refused when a user is created.
    static let minimumLength = 12

    static func make(_ password: String, rounds: Int = defaultRounds) throws -> String {
        var salt = [UInt8](repeating: 0, count: 16)
        var rng = SystemRandomNumberGenerator()
        for i in salt.indices { salt[i] = UInt8.random(in: 0...255, using: &rng) }
        let hash = try derive(password, salt: salt, rounds: rounds)
        return "\(scheme)$\(rounds)$\(Data(salt).base64EncodedString())$\(Data(hash).base64EncodedString())"
    }

    /// Whether `password` matches `stored`; false for anything malformed.
    static func verify(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == scheme, let rounds = Int(parts[1]), rounds >= 210_000,
            let salt = Data(base64Encoded: String(parts[2])), let expected = Data(base64Encoded: String(parts[3])),
            let actual = try? derive(password, salt: Array(salt), rounds: rounds)
        else { return false }
        return ConstantTime.equal(actual, Array(expected))
    }

    private static func derive(_ password: String, salt: [UInt8], rounds: Int) throws -> [UInt8] {
        let key = try KDF.Insecure.PBKDF2.deriveKey(
            from: Array(password.utf8), salt: salt, using: .sha256, outputByteCount: 32, rounds: rounds)
        return key.withUnsafeBytes { Array($0) }
    }
}
