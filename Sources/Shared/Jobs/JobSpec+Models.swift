import ATSCommon
import ATSEngine
import ATSModels
import Foundation

extension Registry {
    /// Whether a strategy reference names a strategy that runs a trained model (its parameters
    /// are a model's: ``ModelSpec/runsModel(_:)``).
    public func runsModel(_ strategy: ComponentRef) -> Bool {
        guard let name = try? strategy.name(in: "strategies"), let entry = strategies[name] else { return false }
        return ModelSpec.runsModel(entry.descriptor)
    }
}

extension JobSpec {
    /// Whether the job's strategy runs a trained model.
    public func runsModel(registry: Registry) -> Bool { registry.runsModel(run.strategy) }

    /// The content hash of the model the job's strategy runs (`hash=`), when it runs one.
    public func modelHash(registry: Registry) -> String? {
        guard runsModel(registry: registry) else { return nil }
        return Self.modelHash(run.strategy.config)
    }

    /// The model hash a strategy configuration names (`hash=xxh3:…`), if any.
    public static func modelHash(_ config: [String: ParameterValue]) -> String? {
        guard case .string(let h) = config["hash"], h.hasPrefix("xxh3:") else { return nil }
        return h
    }

    /// The same, from a configuration as JSON (a revision's, on the wire).
    public static func modelHash(json: [UInt8]) -> String? {
        (try? JSONDecoder().decode([String: ParameterValue].self, from: Data(json))).flatMap(modelHash)
    }
}

extension AssignJob {
    /// Every trained model the assignment may run: the definition's, each revision's it replays,
    /// and those its checkpoint's model indicators hold (made under an earlier revision).
    public func modelHashes(registry: Registry) -> Set<String> {
        guard let spec = try? JobSpec.decode(json: Data(spec)), spec.runsModel(registry: registry) else { return [] }
        var out = ModelSpec.hashes(inCheckpoint: checkpoint)
        if let h = spec.modelHash(registry: registry) { out.insert(h) }
        for step in schedule {
            if let h = JobSpec.modelHash(json: step.strategyConfig) { out.insert(h) }
        }
        return out
    }
}
