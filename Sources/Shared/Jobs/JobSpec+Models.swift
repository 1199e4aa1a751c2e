import ATSCommon
import ATSEngine
import ATSModels
import Foundation

extension JobSpec {
    /// The strategy's name in the registry (`strategies:lstm` → `lstm`).
    public var strategyName: String {
        let ns = run.strategy.namespace
        return ns.hasPrefix("strategies:") ? String(ns.dropFirst("strategies:".count)) : ns
    }

    /// Whether the job's strategy runs a trained model (its parameters are a model's).
    public func runsModel(registry: Registry) -> Bool {
        registry.strategies[strategyName].map { ModelSpec.runsModel($0.descriptor) } ?? false
    }

    /// The content hash of the model the job's strategy runs (`hash=`), when it runs one.
    public func modelHash(registry: Registry) -> String? {
        guard runsModel(registry: registry), case .string(let h) = run.strategy.config["hash"] else { return nil }
        return h
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
            if let config = try? JSONDecoder().decode([String: ParameterValue].self, from: Data(step.strategyConfig)),
                case .string(let h) = config["hash"]
            {
                out.insert(h)
            }
        }
        return out
    }
}
