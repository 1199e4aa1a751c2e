import ATSVenues
import Crypto
import Foundation
import NIOCore
import NIOHTTP1

/// Objects in one folder of an S3-compatible store (``S3Location``) over ``VenueHTTPClient``:
/// put whole, read by ranges, delete. Each request is signed with Signature Version 4 when the
/// location has keys; a body's SHA-256 is signed with it, so the store refuses bytes altered on
/// the way.
public final class S3Client: Sendable {
    public let location: S3Location
    private let http: VenueHTTPClient
    private let signer: S3Signer?

    /// The most one `PUT` may carry (S3's limit; a multipart upload would lift it).
    public static let largestPut: Int64 = 5 << 30

    public init(location: S3Location) throws {
        self.location = location
        http = try VenueHTTPClient(baseURL: location.origin)
        signer = location.credentials.map { S3Signer(credentials: $0, region: location.region) }
    }

    /// Stores `body` as object `name`; `sha256` is its hex SHA-256 (the store checks it). Given a
    /// minute, and a second more per MiB.
    public func put(_ name: String, body: ByteBuffer, sha256: String) async throws {
        let reply = try await send(
            .PUT, name, headers: [], body: body, payloadHash: sha256, timeout: .seconds(60 + body.readableBytes >> 20))
        guard reply.status == 200 else { throw S3Error(status: reply.status, body: reply.body) }
    }

    /// Bytes from `range.lowerBound` of object `name`, up to `range.upperBound` (the store may send
    /// fewer at its end, or more when it ignores ranges), and the object's size.
    public func get(_ name: String, range: Range<Int64>, timeout: Duration = .seconds(60)) async throws -> (
        bytes: [UInt8], size: Int64
    ) {
        let reply = try await send(
            .GET, name, headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")], body: ByteBuffer(),
            payloadHash: S3Signer.emptyPayloadHash, timeout: timeout)
        switch reply.status {
        case 206:
            guard let contentRange = reply.header("Content-Range"),
                contentRange.hasPrefix("bytes \(range.lowerBound)-"),
                let size = contentRange.split(separator: "/").last.flatMap({ Int64($0) })
            else {
                throw S3Error(
                    status: reply.status, body: Array("<Message>a range that was not asked for</Message>".utf8))
            }
            return (reply.body, size)
        case 200:
            // The whole object (a store that ignores ranges): all of it from the offset asked, so
            // the caller needs no second request.
            let size = Int64(reply.body.count)
            return (Array(reply.body[Int(min(range.lowerBound, size))...]), size)
        default:
            throw S3Error(status: reply.status, body: reply.body)
        }
    }

    /// The size of object `name`, nil when there is none (its first byte is asked for).
    public func size(_ name: String) async throws -> Int64? {
        do {
            return try await get(name, range: 0..<1).size
        } catch let e as S3Error where e.status == 404 {
            return nil
        }
    }

    /// Removes object `name` (removing one that is not there is not an error).
    public func delete(_ name: String, timeout: Duration = .seconds(60)) async throws {
        let reply = try await send(
            .DELETE, name, headers: [], body: ByteBuffer(), payloadHash: S3Signer.emptyPayloadHash, timeout: timeout)
        guard reply.status == 204 || reply.status == 200 || reply.status == 404 else {
            throw S3Error(status: reply.status, body: reply.body)
        }
    }

    public func shutdown() { http.shutdown() }

    /// The hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: some DataProtocol) -> String { S3Signer.hex(SHA256.hash(data: bytes)) }

    /// The hex SHA-256 of a buffer's readable bytes.
    public static func sha256(_ buffer: ByteBuffer) -> String {
        buffer.withUnsafeReadableBytes { S3Signer.hex(SHA256.hash(data: $0)) }
    }

    private func send(
        _ method: HTTPMethod, _ name: String, headers: [(String, String)], body: ByteBuffer, payloadHash: String,
        timeout: Duration
    ) async throws -> VenueHTTPResponse {
        let path = location.path(name)
        var all = headers
        if let signer {
            all += signer.sign(
                method: method.rawValue, path: path, headers: [("host", http.hostHeader)] + headers,
                payloadHash: payloadHash, date: Date())
        } else {
            all.append(("x-amz-content-sha256", payloadHash))
        }
        return try await http.execute(
            method: method, target: S3Signer.encoded(path, keepSlash: true), headers: all, buffer: body,
            timeout: timeout)
    }
}
