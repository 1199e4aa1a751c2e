import ATSVenues
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Objects in one folder of an S3-compatible store (``S3Location``) over ``VenueHTTPClient``:
/// put whole, read by ranges, delete. Each request is signed with Signature Version 4 when the
/// location has keys; a body's SHA-256 is signed with it, so the store refuses bytes altered on
/// the way.
public final class S3Client: Sendable {
    public let location: S3Location
    private let http: VenueHTTPClient
    private let signer: S3Signer?

    /// The most one `PUT` may carry (S3's limit; larger objects go in parts).
    public static let largestPut: Int64 = 5 << 30
    /// The largest object (S3's limit: 5 TiB) and the most parts one may have.
    public static let largestObject: Int64 = 5 << 40
    public static let mostParts: Int64 = 10_000
    /// The smallest part but the last (S3's limit).
    public static let smallestPart: Int64 = 5 << 20

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

    /// Stores object `name` of `size` bytes as a multipart upload, in parts of `partSize` bytes
    /// (raised so that there are at most 10,000; each but the last at least 5 MiB), each read by
    /// `part` when its turn comes and signed with its SHA-256 (the store checks each): one part in
    /// memory at a time. Any failure aborts the upload, so no part is left behind. Returns the
    /// whole object's hex SHA-256, hashed part after part on the way.
    @discardableResult
    public func putInParts(
        _ name: String, size: Int64, partSize: Int64, part: (Range<Int64>) async throws -> ByteBuffer
    ) async throws -> String {
        precondition(size > 0 && size <= Self.largestObject, "an object of 1 byte to 5 TiB")
        let step = max(partSize, Self.smallestPart, (size + Self.mostParts - 1) / Self.mostParts)
        let started = try await send(
            .POST, name, query: [("uploads", "")], headers: [], body: ByteBuffer(),
            payloadHash: S3Signer.emptyPayloadHash, timeout: .seconds(60))
        guard started.status == 200, let uploadId = Self.element("UploadId", in: started.body) else {
            throw S3Error(status: started.status, body: started.body)
        }
        do {
            var etags: [String] = []
            var whole = RunningDigest()
            var offset: Int64 = 0
            while offset < size {
                let range = offset..<min(offset + step, size)
                let body = try await part(range)
                guard Int64(body.readableBytes) == range.count else {
                    throw S3Error(status: 0, body: Array("<Message>a part of the wrong size was read</Message>".utf8))
                }
                let sofar = whole
                let (sha256, next) = try await NIOThreadPool.singleton.runIfActive {
                    var hasher = sofar
                    body.withUnsafeReadableBytes { hasher.sha.update(bufferPointer: $0) }
                    return (Self.sha256(body), hasher)
                }
                whole = next
                let reply = try await send(
                    .PUT, name, query: [("partNumber", "\(etags.count + 1)"), ("uploadId", uploadId)], headers: [],
                    body: body, payloadHash: sha256, timeout: .seconds(60 + body.readableBytes >> 20))
                guard reply.status == 200, let etag = reply.header("ETag") else {
                    throw S3Error(status: reply.status, body: reply.body)
                }
                etags.append(etag)
                offset = range.upperBound
            }
            let list = etags.enumerated().map { n, etag in
                "<Part><PartNumber>\(n + 1)</PartNumber><ETag>\(Self.escaped(etag))</ETag></Part>"
            }
            let xml = ByteBuffer(string: "<CompleteMultipartUpload>" + list.joined() + "</CompleteMultipartUpload>")
            let done = try await send(
                .POST, name, query: [("uploadId", uploadId)], headers: [("Content-Type", "application/xml")],
                body: xml, payloadHash: Self.sha256(xml), timeout: .seconds(300))
            // A completion can fail after its 200 has started: the error is then in the body.
            guard done.status == 200,
                String(decoding: done.body, as: UTF8.self).contains("CompleteMultipartUploadResult")
            else { throw S3Error(status: done.status, body: done.body) }
            return S3Signer.hex(whole.sha.finalize())
        } catch {
            _ = try? await send(
                .DELETE, name, query: [("uploadId", uploadId)], headers: [], body: ByteBuffer(),
                payloadHash: S3Signer.emptyPayloadHash, timeout: .seconds(60))
            throw error
        }
    }

    /// The text of the first `<name>` element of an XML answer.
    static func element(_ name: String, in body: [UInt8]) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let open = text.range(of: "<\(name)>"),
            let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex)
        else { return nil }
        return String(text[open.upperBound..<close.lowerBound])
    }

    /// `text` escaped for an XML element.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
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
        _ method: HTTPMethod, _ name: String, query: [(String, String)] = [], headers: [(String, String)],
        body: ByteBuffer, payloadHash: String, timeout: Duration
    ) async throws -> VenueHTTPResponse {
        let path = location.path(name)
        var all = headers
        if let signer {
            all += signer.sign(
                method: method.rawValue, path: path, query: query, headers: [("host", http.hostHeader)] + headers,
                payloadHash: payloadHash, date: Date())
        } else {
            all.append(("x-amz-content-sha256", payloadHash))
        }
        let search =
            query.isEmpty
            ? ""
            : "?"
                + query.map {
                    "\(S3Signer.encoded($0.0, keepSlash: false))=\(S3Signer.encoded($0.1, keepSlash: false))"
                }
                .joined(separator: "&")
        return try await http.execute(
            method: method, target: S3Signer.encoded(path, keepSlash: true) + search, headers: all, buffer: body,
            timeout: timeout)
    }
}
