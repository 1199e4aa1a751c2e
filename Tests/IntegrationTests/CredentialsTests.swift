import ATSShared
import ATSTestSupport
import Crypto
import Foundation
import Testing

/// Venue credentials through the admin API and the CLI: stored sealed, listed by name, type and
/// last 4 only, refused with the field that is wrong; the key and the secret appear in no answer,
/// event or log line.
@Suite(.serialized) struct CredentialsTests {
    static let masterKey = Data((0..<32).map { _ in UInt8.random(in: 0...255) }).base64EncodedString()

    func post(_ cluster: TestCluster, _ fields: [String: String]) async throws -> TestCluster.Reply {
        try await cluster.request("POST", "api/credentials", body: try JSONSerialization.data(withJSONObject: fields))
    }

    @Test func credentialsAreSealedListedByTheirLast4AndNeverShown() async throws {
        try await TestCluster.with(environment: ["ATS_MASTER_KEY": Self.masterKey]) { cluster in
            let apiKey = "k" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let secret = "s" + UUID().uuidString.replacingOccurrences(of: "-", with: "")
            let created = try await post(
                cluster, ["name": "alice-testnet", "key_type": "hmac", "api_key": apiKey, "secret": secret])
            #expect(created.status == 201)
            let record = try JSONCoding.decoder().decode(CredentialRecord.self, from: created.body)
            #expect(record.apiKeyLast4 == String(apiKey.suffix(4)) && record.keyType == "hmac")

            // An Ed25519 key as Binance's generator writes it (PKCS#8 PEM).
            let ed = Curve25519.Signing.PrivateKey()
            let der =
                Data([0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20])
                + ed.rawRepresentation
            let pem = "-----BEGIN PRIVATE KEY-----\n\(der.base64EncodedString())\n-----END PRIVATE KEY-----"
            #expect(
                try await post(cluster, ["name": "bob", "key_type": "ed25519", "api_key": apiKey + "2", "secret": pem])
                    .status == 201)

            // Refusals name the field.
            for (fields, field) in [
                (["name": "bad name", "key_type": "hmac", "api_key": apiKey, "secret": secret], "name"),
                (["name": "c", "key_type": "rsa", "api_key": apiKey, "secret": secret], "key_type"),
                (["name": "c", "key_type": "ed25519", "api_key": apiKey, "secret": "not a key"], "secret"),
                (["name": "c", "venue": "kraken", "key_type": "hmac", "api_key": apiKey, "secret": secret], "venue"),
            ] {
                let r = try await post(cluster, fields)
                #expect(r.status == 400, "\(field)")
                let error = try JSONSerialization.jsonObject(with: r.body) as? [String: Any]
                #expect(error?["field"] as? String == field)
            }
            #expect(
                try await post(
                    cluster, ["name": "alice-testnet", "key_type": "hmac", "api_key": apiKey, "secret": secret]
                )
                .status == 409)

            let listed = try await cluster.request("GET", "api/credentials")
            let names = try JSONCoding.decoder().decode([CredentialRecord].self, from: listed.body).map(\.name)
            #expect(names == ["alice-testnet", "bob"])
            let cli = try await cluster.ats(["credentials", "list"])
            #expect(
                cli.status == 0 && cli.output.contains("alice-testnet") && cli.output.contains("…" + apiKey.suffix(4)))
            #expect(try await cluster.ats(["credentials", "rm", "bob"]).status == 0)
            #expect(try await cluster.request("DELETE", "api/credentials/bob").status == 404)

            // Nowhere in what the cluster says or writes down.
            let events = try await cluster.request("GET", "api/events")
            for text in [
                String(decoding: listed.body, as: UTF8.self), String(decoding: created.body, as: UTF8.self), cli.output,
                String(decoding: events.body, as: UTF8.self), cluster.coordinators.map(\.log).joined(),
            ] {
                #expect(!text.contains(secret) && !text.contains(apiKey) && !text.contains(der.base64EncodedString()))
            }
        }
    }

    @Test func withoutAMasterKeyNoCredentialIsStored() async throws {
        try await TestCluster.with { cluster in
            let r = try await post(
                cluster, ["name": "x", "key_type": "hmac", "api_key": "abcdefgh1", "secret": "abcdefgh2"])
            #expect(r.status == 409)
            #expect(String(decoding: r.body, as: UTF8.self).contains("no_master_key"))
        }
    }
}
