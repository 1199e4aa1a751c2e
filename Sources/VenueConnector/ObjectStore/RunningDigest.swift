import Crypto

/// A SHA-256 in progress, handed between the caller and the thread pool (one holder at a time).
struct RunningDigest: @unchecked Sendable {
    var sha = SHA256()
}
