import Crypto
import Foundation

/// Checks a SIGNED request as the venue does: the API key names an account (-2014, -2015), the
/// signature is over exactly the bytes sent (-1022), and the timestamp is inside the window
/// (rest-api.md "Timing security": `timestamp < serverTime + 1 s` and `serverTime - timestamp <=
/// recvWindow`, else -1021).
struct RequestVerifier: Sendable {
    let accounts: [FakeVenueConfiguration.Account]

    /// A REST request: the raw query string and form body as received.
    func verifyREST(apiKey: String?, rawQuery: String, body: String, nowMs: Int64) -> Result<
        (account: FakeVenueConfiguration.Account, params: [String: String]), FakeVenueError
    > {
        guard let apiKey, !apiKey.isEmpty else {
            return .failure(FakeVenueError(status: 401, code: -2014, msg: "API-key format invalid."))
        }
        guard let account = accounts.first(where: { $0.apiKey == apiKey }) else {
            return .failure(
                FakeVenueError(status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action."))
        }
        let params = Self.parameters(rawQuery: rawQuery, body: body)
        guard let signature = params["signature"], !signature.isEmpty else { return .failure(.mandatory("signature")) }
        // The payload: the query string as sent without its signature, then the body.
        let payload = Self.withoutSignature(rawQuery) + Self.withoutSignature(body)
        guard Self.verify(account: account, payload: payload, signature: signature)
        else { return .failure(FakeVenueError(code: -1022, msg: "Signature for this request is not valid.")) }
        if let failure = Self.checkTiming(params, nowMs: nowMs) { return .failure(failure) }
        return .success((account, params))
    }

    /// A WebSocket API request's parameters: sorted, unencoded `name=value` pairs (web-socket-api.md
    /// "SIGNED request example").
    func verifyWebSocket(params: [String: String], nowMs: Int64) -> Result<
        FakeVenueConfiguration.Account, FakeVenueError
    > {
        guard let apiKey = params["apiKey"], let account = accounts.first(where: { $0.apiKey == apiKey }) else {
            return .failure(
                FakeVenueError(status: 401, code: -2015, msg: "Invalid API-key, IP, or permissions for action."))
        }
        guard let signature = params["signature"] else { return .failure(.mandatory("signature")) }
        let payload = params.filter { $0.key != "signature" }.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            .joined(separator: "&")
        guard Self.verify(account: account, payload: payload, signature: signature)
        else { return .failure(FakeVenueError(code: -1022, msg: "Signature for this request is not valid.")) }
        if let failure = Self.checkTiming(params, nowMs: nowMs) { return .failure(failure) }
        return .success(account)
    }

    static func checkTiming(_ params: [String: String], nowMs: Int64) -> FakeVenueError? {
        guard let t = params["timestamp"], let timestamp = Int64(t) else { return .mandatory("timestamp") }
        var window: Int64 = 5_000
        if let w = params["recvWindow"] {
            guard let v = Double(w), v > 0 else { return .mandatory("recvWindow") }
            guard v <= 60_000 else { return FakeVenueError(code: -1131, msg: "recvWindow must be less than 60000") }
            window = Int64(v)
        }
        if timestamp >= nowMs + 1_000 {
            return FakeVenueError(code: -1021, msg: "Timestamp for this request was 1000ms ahead of the server's time.")
        }
        if nowMs - timestamp > window {
            return FakeVenueError(code: -1021, msg: "Timestamp for this request is outside of the recvWindow.")
        }
        return nil
    }

    private static func verify(
        account: FakeVenueConfiguration.Account, payload: String, signature: String
    ) -> Bool {
        if let secret = account.hmacSecret {
            let code = HMAC<SHA256>.authenticationCode(
                for: Data(payload.utf8), using: SymmetricKey(data: Data(secret.utf8)))
            let hex = code.map {
                String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16)
            }
            .joined()
            // HMAC signatures are not case-sensitive (rest-api.md "Signature Case Sensitivity").
            return hex == signature.lowercased()
        }
        if let publicKey = account.ed25519PublicKey, let raw = Data(base64Encoded: publicKey),
            let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw)
        {
            // A query string's signature arrives percent-encoded; `parameters` decoded it.
            guard let bytes = Data(base64Encoded: signature) else { return false }
            return key.isValidSignature(bytes, for: Data(payload.utf8))
        }
        return false
    }

    /// The query string's and the body's parameters, percent-decoded (`+` is a space in a form);
    /// a parameter in both is the query string's (rest-api.md "General Information on Endpoints").
    static func parameters(rawQuery: String, body: String) -> [String: String] {
        var out: [String: String] = [:]
        for part in [body, rawQuery] where !part.isEmpty {
            for pair in part.split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let name = decode(kv[0])
                out[name] = kv.count > 1 ? decode(kv[1]) : ""
            }
        }
        return out
    }

    private static func decode(_ s: Substring) -> String {
        (s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding) ?? String(s)
    }

    static func withoutSignature(_ s: String) -> String {
        s.split(separator: "&", omittingEmptySubsequences: false).filter { !$0.hasPrefix("signature=") }
            .joined(separator: "&")
    }
}
