import ATSShared
import Hummingbird

extension JobRecord: ResponseEncodable {}
extension DatasetRecord: ResponseEncodable {}
extension ModelRecord: ResponseEncodable {}
extension SweepRecord: ResponseEncodable {}
extension ResearchLedgerEntry: ResponseEncodable {}
extension SweepReport: ResponseEncodable {}
extension SweepTrial: ResponseEncodable {}
extension SweepTrialCurve: ResponseEncodable {}
extension SweepHeatmapReport: ResponseEncodable {}
extension WorkerRecord: ResponseEncodable {}
extension CheckpointRecord: ResponseEncodable {}
extension JobEvent: ResponseEncodable {}
extension FillRow: ResponseEncodable {}
extension CredentialRecord: ResponseEncodable {}
extension OrderRecord: ResponseEncodable {}
extension DivergenceReport: ResponseEncodable {}
extension KillSwitchState: ResponseEncodable {}
extension AccountLimits: ResponseEncodable {}
