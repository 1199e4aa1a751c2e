/// An account's API key and the key that signs its requests. Shown only as the key type and the
/// API key's last four characters.
public struct BinanceCredentials: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var apiKey: String
    public var signer: BinanceSigner

    public init(apiKey: String, signer: BinanceSigner) {
        self.apiKey = apiKey
        self.signer = signer
    }

    public var description: String { "\(signer.key) for API key …\(apiKey.suffix(4))" }
    public var debugDescription: String { description }
}
