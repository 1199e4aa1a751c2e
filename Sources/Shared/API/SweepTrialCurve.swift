import ATSEngine
import Foundation

/// One trial's equity curve as `GET /api/sweeps/{sweep}/trials/{trial}/equity` gives it: the trial
/// run again on the coordinator from the sweep's data set, its equity beside buy and hold, and
/// whether its statistics are the ones the sweep stored (bit for bit).
public struct SweepTrialCurve: Sendable, Codable {
    public var sweep: String
    public var trial: Int
    public var parameters: [String: ParameterValue]
    public var curve: TrialCurve
    /// Whether the statistics equal the sweep's for this trial (nil: its chunk has not run).
    public var sameAsSweep: Bool?
    /// With walk-forward: each fold's test window, `[from, to)` in epoch ms.
    public var testWindows: [[Int64]]

    enum CodingKeys: String, CodingKey {
        case sweep, trial, parameters, curve
        case sameAsSweep = "same_as_sweep"
        case testWindows = "test_windows"
    }

    public init(
        sweep: String, trial: Int, parameters: [String: ParameterValue], curve: TrialCurve, sameAsSweep: Bool?,
        testWindows: [[Int64]]
    ) {
        self.sweep = sweep
        self.trial = trial
        self.parameters = parameters
        self.curve = curve
        self.sameAsSweep = sameAsSweep
        self.testWindows = testWindows
    }
}
