import ATSShared
import ATSVenues
import Foundation
import Hummingbird

/// `/api/credentials`: venue API keys, added once and never shown again (the list gives the name,
/// venue, key type and the API key's last 4 characters). Adding and removing need an admin;
/// listing, a viewer (a trader names a credential in a live job).
extension AdminAPI {
    func addCredentialRoutes(to api: RouterGroup<APIContext>) {
        api.get("/credentials") { _, _ in try await store.credentials() }
        api.post("/credentials") { request, context -> EditedResponse<CredentialRecord> in
            guard let vault else {
                throw APIError(
                    .conflict, code: "no_master_key",
                    "this coordinator has no master key (ATS_MASTER_KEY or ATS_MASTER_KEY_FILE): it stores no credentials"
                )
            }
            let new: NewCredential
            do {
                new = try await request.decode(as: NewCredential.self, context: context)
            } catch {
                throw APIError(
                    .badRequest, code: "invalid_request",
                    "expected {\"name\", \"venue\", \"key_type\", \"api_key\", \"secret\"}")
            }
            try Self.validate(new)
            let sealed = try vault.seal(.init(apiKey: new.apiKey, secret: new.secret), name: new.name)
            let record = try await mapped {
                try await store.putCredential(
                    name: new.name, venue: new.venue, keyType: new.keyType, apiKeyLast4: String(new.apiKey.suffix(4)),
                    sealed: sealed, actor: actor(request, context))
            }
            try? await store.event(
                job: nil, name: "", actor: actor(request, context), kind: "credential_added",
                detail: "\(record.name) (\(record.venue) \(record.keyType) …\(record.apiKeyLast4))")
            return EditedResponse(status: .created, response: record)
        }
        // The account's risk budget, shared by every live job trading with the credential.
        api.get("/credentials/:credential/limits") { _, context in
            let name = try context.parameters.require("credential")
            return try await store.accountLimits()[name] ?? AccountLimits()
        }
        api.put("/credentials/:credential/limits") { request, context in
            let name = try context.parameters.require("credential")
            let limits: AccountLimits
            do {
                limits = try await request.decode(as: AccountLimits.self, context: context)
            } catch {
                throw APIError(
                    .badRequest, code: "invalid_request", "expected {\"max_gross_exposure\", \"max_daily_loss\"}")
            }
            if let (field, reason) = limits.problem() {
                throw APIError(.badRequest, code: "invalid_request", reason, field: field)
            }
            try await mapped {
                try await store.setAccountLimits(
                    AccountLimits(maxGrossExposure: limits.maxGrossExposure, maxDailyLoss: limits.maxDailyLoss),
                    credential: name, actor: actor(request, context))
            }
            return try await store.accountLimits()[name] ?? AccountLimits()
        }
        api.delete("/credentials/:credential") { request, context -> Response in
            let name = try context.parameters.require("credential")
            try await mapped { try await store.deleteCredential(name) }
            try? await store.event(
                job: nil, name: "", actor: actor(request, context), kind: "credential_removed", detail: name)
            return Response(status: .noContent)
        }
    }

    /// Which field is wrong and why; the secret itself never appears in an error.
    static func validate(_ new: NewCredential) throws {
        guard JobStore.validCredentialName(new.name) else {
            throw APIError(
                .badRequest, code: "invalid_request", "1 to 64 letters, digits, '.', '_' or '-'", field: "name")
        }
        guard MarketSource.venues.contains(new.venue) else {
            throw APIError(
                .badRequest, code: "invalid_request",
                "must be one of \(MarketSource.venues.joined(separator: ", "))", field: "venue")
        }
        guard NewCredential.keyTypes.contains(new.keyType) else {
            throw APIError(.badRequest, code: "invalid_request", "must be hmac or ed25519", field: "key_type")
        }
        guard (8...256).contains(new.apiKey.count), new.apiKey.allSatisfy({ $0.isASCII && !$0.isWhitespace }) else {
            throw APIError(
                .badRequest, code: "invalid_request", "8 to 256 printable characters without spaces", field: "api_key")
        }
        switch new.keyType {
        case "ed25519":
            guard BinanceSigner.ed25519RawKey(from: new.secret) != nil else {
                throw APIError(
                    .badRequest, code: "invalid_request",
                    "must be an Ed25519 private key: PKCS#8 PEM (-----BEGIN PRIVATE KEY-----) or 32 bytes in base64",
                    field: "secret")
            }
        default:
            guard (8...256).contains(new.secret.count), new.secret.allSatisfy({ $0.isASCII && !$0.isWhitespace })
            else {
                throw APIError(
                    .badRequest, code: "invalid_request", "8 to 256 printable characters without spaces",
                    field: "secret")
            }
        }
    }
}
