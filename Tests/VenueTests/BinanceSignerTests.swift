import ATSVenues
import Crypto
import Foundation
import Testing

/// The spot API documentation's published signature examples, byte for byte (rest-api.md "SIGNED
/// Endpoint Examples for POST /api/v3/order", web-socket-api.md "SIGNED request example (HMAC)"),
/// and Ed25519 signatures checked by verifying them (they are not reproducible bytes).
struct BinanceSignerTests {
    static let secret = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
    static let apiKey = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"

    static func order(symbol: String) -> [(String, String)] {
        [
            ("symbol", symbol), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"), ("quantity", "1"),
            ("price", "0.1"), ("recvWindow", "5000"), ("timestamp", "1499827319559"),
        ]
    }

    @Test func theRESTExampleWithAnASCIISymbol() throws {
        let query = BinanceSigner.query(Self.order(symbol: "LTCBTC"))
        #expect(
            query
                == "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559"
        )
        let signer = BinanceSigner(.hmac(secret: Self.secret))
        #expect(try signer.signature(of: query) == "c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
        #expect(
            try signer.signedQuery(Self.order(symbol: "LTCBTC"))
                == query + "&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71")
    }

    @Test func theRESTExampleWithANonASCIISymbolIsPercentEncodedBeforeSigning() throws {
        let query = BinanceSigner.query(Self.order(symbol: "１２３４５６"))
        #expect(query.hasPrefix("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY"))
        #expect(
            try BinanceSigner(.hmac(secret: Self.secret)).signature(of: query)
                == "e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3")
    }

    @Test func theWebSocketExamplesSignSortedUnencodedParameters() throws {
        let signer = BinanceSigner(.hmac(secret: Self.secret))
        let ascii: [(String, String)] = [
            ("symbol", "BTCUSDT"), ("side", "SELL"), ("type", "LIMIT"), ("timeInForce", "GTC"),
            ("quantity", "0.01000000"), ("price", "52000.00"), ("recvWindow", "100"), ("timestamp", "1645423376532"),
            ("apiKey", Self.apiKey),
        ]
        #expect(
            try signer.webSocketSignature(of: ascii)
                == "aa1b5712c094bc4e57c05a1a5c1fd8d88dcd628338ea863fec7b88e59fe2db24")
        let unicode: [(String, String)] = [
            ("symbol", "１２３４５６"), ("side", "BUY"), ("type", "LIMIT"), ("timeInForce", "GTC"),
            ("quantity", "1.00000000"), ("price", "0.10000000"), ("recvWindow", "5000"),
            ("timestamp", "1645423376532"), ("apiKey", Self.apiKey), ("signature", "ignored"),
        ]
        #expect(
            try signer.webSocketSignature(of: unicode)
                == "b33892ae8e687c939f4468c6268ddd4c40ac1af18ad19a064864c47bae0752cd")
    }

    @Test func ed25519SignaturesVerifyAndArePercentEncoded() throws {
        let key = Curve25519.Signing.PrivateKey()
        let signer = BinanceSigner(.ed25519(rawPrivateKey: key.rawRepresentation))
        let payload =
            "symbol=BTCUSDT&side=SELL&type=LIMIT&timeInForce=GTC&quantity=1&price=0.2&timestamp=1668481559918&recvWindow=5000"
        let sent = try signer.signature(of: payload)
        #expect(!sent.contains("+") && !sent.contains("/") && !sent.contains("="), "base64 is percent-encoded: \(sent)")
        let base64 = try #require(sent.removingPercentEncoding)
        let bytes = try #require(Data(base64Encoded: base64))
        #expect(bytes.count == 64)
        #expect(key.publicKey.isValidSignature(bytes, for: Data(payload.utf8)))
        #expect(!key.publicKey.isValidSignature(bytes, for: Data((payload + "0").utf8)), "bound to the exact bytes")
    }

    @Test func percentEncodingKeepsOnlyUnreservedCharacters() {
        #expect(BinanceSigner.percentEncoded("a-Z_0.9~") == "a-Z_0.9~")
        #expect(BinanceSigner.percentEncoded("a b&c=d/e+f") == "a%20b%26c%3Dd%2Fe%2Bf")
        #expect(BinanceSigner.percentEncoded("é") == "%C3%A9")
    }
}
