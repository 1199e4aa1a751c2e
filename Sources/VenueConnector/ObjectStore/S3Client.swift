import ATSVenues
import Crypto
import Foundation
import NIOHTTP1

/// Objects in one folder of an S3-compatible store (``S3Location``) over ``VenueHTTPClient``:
/// put whole, read by ranges, delete. Each request is signed with Signature Version 4 when the
/// location has keys; a body's SHA-256 is signed with it, so the store refuses bytes altered on
/// the way.
public final class S3Client: Sendable {
    public let location: S3Location
    private let http: VenueHTTPClient
    private let signer: S3Signer?

    public init(location: S3Location) throws {
        self.location = location
        http = try VenueHTTPClient(baseURL: location.origin)
        signer = location.credentials.map { S3Signer(credentials: $0, region: location.region) }
    }

    /// Stores `body` as object `name`; `sha256` is its hex SHA-256 (the store checks it).
    public func put(_ name: String, body: [UInt8], sha256: String, timeout: Duration = .seconds(600)) async throws {
        let reply = try await send(.PUT, name, headers: [], body: body, payloadHash: sha256, timeout: timeout)
        guard reply.status == 200 else { throw S3Error(status: reply.status, body: reply.body) }
    }

    /// Bytes `range` of object `name` (the store may send fewer at its end) and the object's size.
    public func get(_ name: String, range: Range<Int64>, timeout: Duration = .seconds(60)) async throws -> (
        bytes: [UInt8], size: Int64
    ) {
        let reply = try await send(
            .GET, name, headers: [("Range", "bytes=\(range.lowerBound)-\(range.upperBound - 1)")], body: [],
            payloadHash: S3Signer.emptyPayloadHash, timeout: timeout)
        guard reply.status == 206 || reply.status == 200 else { throw S3Error(status: reply.status, body: reply.body) }
        if reply.status == 200 {
            // The whole object (a store that ignores ranges): this range of it.
            let size = Int64(reply.body.count)
            let lower = Int(min(range.lowerBound, size))
            let upper = Int(min(range.upperBound, size))
            return (Array(reply.body[lower..<upper]), size)
        }
        guard let contentRange = reply.header("Content-Range"), contentRange.hasPrefix("bytes \(range.lowerBound)-"),
            let size = contentRange.split(separator: "/").last.flatMap({ Int64($0) })
        else {
            throw S3Error(status: reply.status, body: Array("<Message>a range that was not asked for</Message>".utf8))
        }
        return (reply.body, size)
    }

    /// Removes object `name` (removing one that is not there is not an error).
    public func delete(_ name: String, timeout: Duration = .seconds(60)) async throws {
        let reply = try await send(
            .DELETE, name, headers: [], body: [], payloadHash: S3Signer.emptyPayloadHash, timeout: timeout)
        guard reply.status == 204 || reply.status == 200 || reply.status == 404 else {
            throw S3Error(status: reply.status, body: reply.body)
        }
    }

    public func shutdown() { http.shutdown() }

    /// The hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: some DataProtocol) -> String { S3Signer.hex(SHA256.hash(data: bytes)) }

    private func send(
        _ method: HTTPMethod, _ name: String, headers: [(String, String)], body: [UInt8], payloadHash: String,
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
            method: method, target: S3Signer.encoded(path, keepSlash: true), headers: all, body: body, timeout: timeout)
    }
}
