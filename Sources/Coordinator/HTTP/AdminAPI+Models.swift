import ATSEngine
import ATSModels
import ATSShared
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Trained models (docs/MODELS.md): `POST /api/models?name=N` registers the ONNX file in the body
/// (read and checked first: an unsupported operator is refused by name), `GET /api/models[/{m}]`
/// lists and shows, `DELETE /api/models/{m}` removes one no job runs. A job's strategy that runs a
/// model names it by name; the job is stored with the model's hash (``pinModel(_:)``). Workers
/// fetch a model whole from `GET /worker/models/{hash}`, signed like data sets.
extension AdminAPI {
    /// The largest model file accepted.
    static let modelMaxBytes = 64 << 20

    func addModelRoutes(to api: RouterGroup<APIContext>) {
        api.get("/models") { _, _ in try await store.models() }
        api.get("/models/:model") { _, context in
            try await mapped { try await store.model(context.parameters.require("model")) }
        }
        // The file itself (viewers and up): `ats backtest --from-trial` runs a model sweep's
        // trial on the operator's machine with it, checked against its hash.
        api.get("/models/:model/file") { _, context -> Response in
            let ref = try context.parameters.require("model")
            let record = try await mapped { try await store.model(ref) }
            guard let content = try await store.modelContent(record.hash) else {
                throw APIError(.notFound, code: "not_found", "no model \"\(ref)\"")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            headers[.contentDisposition] = "attachment; filename=\"\(Self.fileName(record.name)).onnx\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: content)))
        }
        api.post("/models") { request, context -> EditedResponse<ModelRecord> in
            guard let name = request.uri.queryParameters.get("name"), !name.isEmpty else {
                throw APIError(.badRequest, code: "invalid_request", "name is required (?name=btc-lstm)", field: "name")
            }
            guard name.count <= 100, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
                !name.hasPrefix("xxh3:")
            else {
                throw APIError(
                    .badRequest, code: "invalid_request", "name is letters, digits, '-', '_' and '.' (at most 100)",
                    field: "name")
            }
            let body: ByteBuffer
            do {
                body = try await request.body.collect(upTo: Self.modelMaxBytes)
            } catch {
                throw APIError(
                    .contentTooLarge, code: "too_large", "a model file is at most \(Self.modelMaxBytes >> 20) MB")
            }
            guard body.readableBytes > 0 else {
                throw APIError(.badRequest, code: "invalid_request", "the request carries no file")
            }
            let bytes = Data(buffer: body)
            let graph: ONNXGraph
            do { graph = try ModelLibrary.shared.add(bytes).graph } catch let error as ModelError {
                throw APIError(.badRequest, code: "invalid_model", error.message, field: "file")
            }
            let summary = ModelSummary(graph)
            let (record, created) = try await mapped {
                try await store.addModel(
                    Array(bytes), hash: ModelLibrary.hash(bytes), name: name, summary: summary,
                    actor: actor(request, context))
            }
            return EditedResponse(status: created ? .created : .ok, response: record)
        }
        api.delete("/models/:model") { request, context in
            try await mapped {
                try await store.deleteModel(context.parameters.require("model"), actor: actor(request, context))
            }
        }
    }

    /// A model's file for workers, whole, under a MAC of its bytes with the worker's secret.
    func addWorkerModelRoutes(to router: Router<APIContext>) {
        router.get("/worker/models/:hash") { request, context -> Response in
            let hash = try context.parameters.require("hash")
            let path = "/worker/models/\(hash)"
            let secret = try authenticateWorker(request, path: path)
            guard let content = try await store.modelContent(hash) else {
                throw APIError(.notFound, code: "not_found", "no model \(hash)")
            }
            var headers = HTTPFields()
            headers[.contentType] = "application/octet-stream"
            return Self.signed(
                ByteBuffer(bytes: content), status: .ok, headers: headers, secret: secret, path: path, range: "")
        }
    }

    /// A new job's model pinned: a strategy that runs a model names it by name (or hash) among
    /// the cluster's models; the job is stored with the hash, so it runs those weights wherever
    /// and whenever it runs, and this process reads the model so the definition can be checked.
    /// A path is refused: it names a file on one machine.
    func pinModel(_ spec: JobSpec) async throws -> JobSpec {
        var pinned = spec
        pinned.run = try await pinModel(spec.run, what: "a job")
        return pinned
    }

    /// A run's model pinned (``pinModel(_:)``): a job's, or a sweep's every trial starts from.
    func pinModel(_ run: RunSpec, what: String) async throws -> RunSpec {
        guard registry.runsModel(run.strategy) else { return run }
        var config = run.strategy.config
        if config["path"] != nil {
            throw APIError(
                .badRequest, code: "invalid_spec",
                "\(what) runs a model registered with the cluster (ats model add FILE --name N --cluster), not a path",
                field: "strategy.config.path")
        }
        let ref: String
        if case .string(let h) = config["hash"] {
            ref = h
        } else if case .string(let n) = config["name"] {
            ref = n
        } else {
            throw APIError(
                .badRequest, code: "invalid_spec",
                "name the model the strategy runs (name=, as ats model list --cluster shows)",
                field: "strategy.config.name")
        }
        guard let record = try await store.modelRow(ref) else {
            throw APIError(
                .badRequest, code: "invalid_spec",
                "no model \"\(ref)\" on the cluster (ats model add FILE --name N --cluster)",
                field: config["hash"] != nil ? "strategy.config.hash" : "strategy.config.name")
        }
        do { try await loadModels([record.hash]) } catch let e as APIError {
            throw APIError(
                .badRequest, code: e.code == "invalid_model" ? "invalid_model" : "invalid_spec",
                "model \"\(ref)\": \(e.message)", field: "strategy.config.name")
        }
        // Both given and naming different models (a definition copied and its name edited): say so
        // rather than run either.
        if case .string(let h) = config["hash"], case .string(let n) = config["name"],
            n != record.name || h != record.hash
        {
            throw APIError(
                .badRequest, code: "invalid_spec",
                "name=\(n) and hash=\(h) are different models: give one of them", field: "strategy.config.name")
        }
        config["hash"] = .string(record.hash)
        config["name"] = .string(record.name)
        var pinned = run
        pinned.strategy.config = config
        return pinned
    }

    /// Makes the cluster's models with these hashes runnable in this process (read from the
    /// database once, then kept by ``ModelLibrary``): before this coordinator checks or replays a
    /// definition that names them — a job created, a sweep's trial drawn, a live job's
    /// divergence replayed after a restart.
    func loadModels(_ hashes: some Sequence<String>) async throws {
        for hash in hashes where ModelLibrary.shared.graph(hash: hash) == nil {
            guard let content = try await store.modelContent(hash) else {
                throw APIError(.conflict, code: "conflict", "no model \(hash) on the cluster (it was removed)")
            }
            do { try ModelLibrary.shared.add(Data(content)) } catch {
                throw APIError(.conflict, code: "invalid_model", error.message)
            }
        }
    }
}
