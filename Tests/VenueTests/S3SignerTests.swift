import ATSVenues
import Crypto
import Foundation
import Testing

/// The S3 API reference's published Signature Version 4 examples ("Signature Calculations for the
/// Authorization Header: Transferring Payload in a Single Chunk": GET Object with a range, PUT
/// Object, GET Bucket lifecycle, GET Bucket list objects), byte for byte. scripts/fake_s3.py, which
/// the data set tests run against, reproduces the same four values from its own implementation.
struct S3SignerTests {
    static let signer = S3Signer(
        credentials: S3Credentials(
            accessKeyId: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    /// 2013-05-24T00:00:00Z.
    static let date = Date(timeIntervalSince1970: 1_369_353_600)
    static let host = ("Host", "examplebucket.s3.amazonaws.com")

    static func authorization(_ headers: [(String, String)]) -> String? {
        headers.first { $0.0 == "Authorization" }?.1
    }

    @Test func getObjectWithARange() {
        let headers = Self.signer.sign(
            method: "GET", path: "/test.txt", headers: [Self.host, ("Range", "bytes=0-9")],
            payloadHash: S3Signer.emptyPayloadHash, date: Self.date)
        #expect(
            Self.authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
        #expect(headers.contains { $0 == ("x-amz-date", "20130524T000000Z") })
        #expect(headers.contains { $0 == ("x-amz-content-sha256", S3Signer.emptyPayloadHash) })
    }

    @Test func putObjectWithAnEncodedKey() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = S3Signer.hex(SHA256.hash(data: body))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        // The key `test$file.text`: its `$` is signed (and sent) as %24.
        #expect(S3Signer.encoded("/test$file.text", keepSlash: true) == "/test%24file.text")
        let headers = Self.signer.sign(
            method: "PUT", path: "/test$file.text",
            headers: [
                Self.host, ("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
            ], payloadHash: hash, date: Self.date)
        #expect(
            Self.authorization(headers)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
        )
    }

    @Test func queriesAreSortedAndEncoded() {
        let lifecycle = Self.signer.sign(
            method: "GET", path: "/", query: [("lifecycle", "")], headers: [Self.host],
            payloadHash: S3Signer.emptyPayloadHash, date: Self.date)
        #expect(
            Self.authorization(lifecycle)?.hasSuffix(
                "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543") == true)
        // Given out of order: signed sorted.
        let list = Self.signer.sign(
            method: "GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")], headers: [Self.host],
            payloadHash: S3Signer.emptyPayloadHash, date: Self.date)
        #expect(
            Self.authorization(list)?.hasSuffix(
                "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7") == true)
    }

    @Test func everySignedPartChangesTheSignature() {
        func signature(
            _ signer: S3Signer = Self.signer, method: String = "GET", path: String = "/test.txt",
            headers: [(String, String)] = [Self.host, ("Range", "bytes=0-9")],
            payload: String = S3Signer.emptyPayloadHash, date: Date = Self.date
        ) -> String? {
            Self.authorization(
                signer.sign(method: method, path: path, headers: headers, payloadHash: payload, date: date))
        }
        let base = signature()
        var otherRegion = Self.signer
        otherRegion.region = "eu-west-1"
        var otherSecret = Self.signer
        otherSecret.credentials.secretAccessKey += "x"
        for changed in [
            signature(method: "PUT"), signature(path: "/test.txv"),
            signature(headers: [Self.host, ("Range", "bytes=0-8")]),
            signature(payload: String(repeating: "0", count: 64)), signature(date: Self.date + 1),
            signature(otherRegion), signature(otherSecret),
        ] {
            #expect(changed != base)
        }
        // Spaces around and inside a value are not signed (SigV4 trims them).
        #expect(signature(headers: [Self.host, ("Range", "  bytes=0-9 ")]) == base)
        // A session token is signed and sent.
        var temporary = Self.signer
        temporary.credentials.sessionToken = "token-1"
        let signed = temporary.sign(
            method: "GET", path: "/test.txt", headers: [Self.host], payloadHash: S3Signer.emptyPayloadHash,
            date: Self.date)
        #expect(signed.contains { $0 == ("x-amz-security-token", "token-1") })
        #expect(Self.authorization(signed)?.contains("x-amz-security-token") == true)
        // The secret never shows.
        #expect(!"\(Self.signer.credentials)".contains("EXAMPLEKEY"))
    }
}
