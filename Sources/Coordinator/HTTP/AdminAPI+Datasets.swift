import ATSEngine
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Data sets (docs/DATASETS.md): `POST /api/datasets?name=N[&format=F][&symbol=S][&source=FILE]`
/// registers the bar file in the body, `GET /api/datasets[/{dataset}]` lists and shows,
/// `DELETE /api/datasets/{dataset}` removes one no job uses. Workers fetch a set's bytes in ranges
/// from `GET /worker/datasets/{hash}` (any coordinator, leader or not), signing with their secret.
extension AdminAPI {
    /// The most bytes of one range a worker may ask for.
    static let datasetRangeLimit: Int64 = 16 << 20

    func addDatasetRoutes(to api: RouterGroup<APIContext>) {
        api.get("/datasets") { _, _ in try await store.datasets() }
        api.get("/datasets/:dataset") { _, context in
            try await mapped { try await store.dataset(context.parameters.require("dataset")) }
        }
        // The set's catalog, whole (what `ats backtest --from-trial` runs on), 8 MiB read at a time.
        api.get("/datasets/:dataset/catalog") { _, context -> Response in
            let store = self.store
            let record = try await mapped { try await store.dataset(context.parameters.require("dataset")) }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = "attachment; filename=\"\(record.name).bars\""
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody(contentLength: Int(record.bytes)) { writer in
                    var at: Int64 = 0
                    while at < record.bytes {
                        let end = min(record.bytes, at + 8 << 20)
                        try await writer.write(try await store.datasetContent(record, range: at..<end))
                        at = end
                    }
                    try await writer.finish(nil)
                })
        }
        api.post("/datasets") { request, context -> EditedResponse<DatasetRecord> in
            let q = request.uri.queryParameters
            guard let name = q.get("name"), !name.isEmpty else {
                throw APIError(.badRequest, code: "invalid_request", "name is required (?name=btc-1m)", field: "name")
            }
            if let problem = DataSource.setNameProblem(name) {
                throw APIError(.badRequest, code: "invalid_request", "name \(problem)", field: "name")
            }
            var format: BarFormat?
            if let f = q.get("format"), !f.isEmpty {
                guard let parsed = BarFormat(rawValue: f) else {
                    throw APIError(
                        .badRequest, code: "invalid_request",
                        "format must be one of \(BarFormat.allCases.map(\.rawValue).joined(separator: ", "))",
                        field: "format")
                }
                format = parsed
            }
            let source = String(
                (q.get("source").map { $0.split(separator: "/").last.map(String.init) ?? $0 } ?? name).prefix(200))
            let symbol = q.get("symbol").flatMap { $0.isEmpty ? nil : String($0.prefix(40)) }
            // One upload at a time: each holds its bars in memory while they are parsed (the file
            // itself goes to a temporary file as it arrives, and is mapped to be parsed; the
            // catalog goes to another and is stored from its mapping).
            guard uploads.enter() else {
                throw APIError(
                    .tooManyRequests, code: "busy", "another data set is being registered; try again when it is done")
            }
            defer { uploads.leave() }
            let upload: (path: String, bytes: Int)
            do {
                upload = try await DatasetUpload.receive(request.body, limit: datasetMaxBytes)
            } catch is DatasetUpload.TooLarge {
                throw APIError(
                    .contentTooLarge, code: "too_large",
                    "the file is over the coordinator's limit of \(datasetMaxBytes >> 20) MB (ATS_DATASET_MAX_MB)")
            }
            defer { try? FileManager.default.removeItem(atPath: upload.path) }
            guard upload.bytes > 0 else {
                throw APIError(.badRequest, code: "invalid_request", "the request carries no file")
            }
            let ingest: DatasetIngest
            do {
                ingest = try await DatasetIngest.make(path: upload.path, file: source, format: format)
            } catch let e as DataError {
                throw APIError(.badRequest, code: "invalid_data", e.description, field: "file")
            }
            let (record, created) = try await mapped {
                try await store.addDataset(
                    ingest, name: name, symbol: symbol, source: source, actor: actor(request, context))
            }
            if created { mirror?.added() }
            return EditedResponse(status: created ? .created : .ok, response: record)
        }
        api.delete("/datasets/:dataset") { request, context in
            let removed = try await mapped {
                try await store.deleteDataset(context.parameters.require("dataset"), actor: actor(request, context))
            }
            // The object goes in the background: a slow store does not hold the answer.
            if let mirror { Task { await mirror.removed(removed.hash) } }
            return removed
        }
    }

    /// The bytes of a set for workers, one `Range: bytes=a-b` (at most ``datasetRangeLimit``) at a
    /// time, each with its content MAC under the worker's secret (`ATS-Content-MAC`); and the set's
    /// digest (``DatasetDigest``: what a worker checks a copy from the object store against).
    func addWorkerDatasetRoutes(to router: Router<APIContext>) {
        router.get("/worker/datasets/:hash") { request, context -> Response in
            let (record, path, secret) = try await workerDataset(request, context, suffix: "")
            let asked = request.headers[.range] ?? ""
            guard let range = Self.byteRange(asked, size: record.bytes), range.count <= Self.datasetRangeLimit else {
                throw APIError(
                    .rangeNotSatisfiable, code: "bad_range",
                    "expected one Range of at most \(Self.datasetRangeLimit >> 20) MiB within \(record.bytes) bytes, got \"\(asked)\""
                )
            }
            let bytes = try await store.datasetContent(record, range: range)
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound - 1)/\(record.bytes)"
            return Self.signed(
                bytes, status: .partialContent, headers: headers, secret: secret, path: path, range: asked)
        }
        router.get("/worker/datasets/:hash/digest") { request, context -> Response in
            let (record, path, secret) = try await workerDataset(request, context, suffix: "/digest")
            let digest = DatasetDigest(bytes: record.bytes, sha256: record.sha256, objectStore: record.objectStore)
            var headers = HTTPFields()
            headers[.contentType] = "application/json"
            return Self.signed(
                ByteBuffer(bytes: try JSONEncoder().encode(digest)), status: .ok, headers: headers, secret: secret,
                path: path, range: "")
        }
    }

    /// The set a worker's request names, once its signature is checked: its record, the path
    /// signed and the worker's secret. Only a set that is not there is a 404 (the worker gives up
    /// on it); the database being away for a moment is a 503, and the worker asks another
    /// coordinator.
    private func workerDataset(_ request: Request, _ context: APIContext, suffix: String) async throws -> (
        DatasetRecord, String, String
    ) {
        let hash = try context.parameters.require("hash")
        let path = "/worker/datasets/\(hash)\(suffix)"
        let secret = try authenticateWorker(request, path: path)
        guard let record = try await store.datasetRow(hash), record.hash == hash else {
            throw APIError(.notFound, code: "not_found", "no data set \(hash)")
        }
        return (record, path, secret)
    }

    /// An answer to a worker with the MAC of its bytes under the worker's secret.
    static func signed(
        _ body: ByteBuffer, status: HTTPResponse.Status, headers: HTTPFields, secret: String, path: String,
        range: String
    ) -> Response {
        var headers = headers
        headers[HTTPField.Name(WorkerRequestSignature.contentHeader)!] = body.withUnsafeReadableBytes {
            WorkerRequestSignature.contentMAC(secret: secret, path: path, range: range, bytes: $0)
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: body))
    }

    /// `bytes=a-b` or `bytes=a-` (one range) within `size` bytes, as a half-open range.
    static func byteRange(_ header: String, size: Int64) -> Range<Int64>? {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return nil }
        let parts = header.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let start = Int64(parts[0]), start >= 0, start < size else { return nil }
        let end = parts[1].isEmpty ? size - 1 : Int64(parts[1])
        guard let end, end >= start else { return nil }
        return start..<(min(end, size - 1) + 1)
    }

    /// Checks a worker's signature (``WorkerRequestSignature``) against its secret; throws 401.
    /// Returns the secret (the answer's content MAC is made with it).
    func authenticateWorker(_ request: Request, path: String) throws -> String {
        let refused = APIError(.unauthorized, code: "unauthorized", "a worker's signature is required")
        guard let header = request.headers[.authorization],
            let (workerId, time, signature) = WorkerRequestSignature.parse(header),
            let secret = workerSecrets.secret(for: workerId)
        else { throw refused }
        let now = Int64(Date().timeIntervalSince1970)
        guard
            WorkerRequestSignature.isValid(
                signature, secret: secret, method: "GET", path: path, range: request.headers[.range] ?? "",
                workerId: workerId, time: time, now: now)
        else { throw refused }
        return secret
    }
}
