import ATSEngine
import Foundation

/// A sweep's walk-forward test as reports show it (`SweepReport.walk_forward`).
public struct WalkForwardReport: Sendable, Codable {
    public struct Fold: Sendable, Codable {
        /// The windows, epoch milliseconds, each from its start (included) to its end (not).
        public var train_from: Int64
        public var train_to: Int64
        public var test_from: Int64
        public var test_to: Int64
        public var trial: Int?
        public var parameters: [String: ParameterValue]
        /// The objective over the train window, of the trial chosen.
        public var in_sample: Double
        public var out_of_sample_return: Double
        public var out_of_sample_sharpe: Double
    }

    public struct Point: Sendable, Codable {
        public var time_ms: Int64
        public var equity: Double
    }

    public var folds: [Fold]
    public var out_of_sample_return: Double
    public var out_of_sample_sharpe: Double
    public var out_of_sample_annual: Double
    public var in_sample_annual: Double
    /// Out-of-sample return a year over in-sample return a year (absent when the latter is not above zero).
    public var efficiency: Double?
    /// Equity through the joined test windows, at each fold's test end.
    public var curve: [Point]

    public init(_ s: WalkForwardSummary) {
        folds = s.folds.map {
            Fold(
                train_from: $0.window.trainFrom, train_to: $0.window.trainTo, test_from: $0.window.testFrom,
                test_to: $0.window.testTo, trial: $0.trial, parameters: $0.parameters, in_sample: $0.inSample,
                out_of_sample_return: $0.outOfSampleReturn, out_of_sample_sharpe: $0.outOfSampleSharpe)
        }
        out_of_sample_return = s.outOfSampleReturn
        out_of_sample_sharpe = s.outOfSampleSharpe
        out_of_sample_annual = s.outOfSampleAnnual
        in_sample_annual = s.inSampleAnnual
        efficiency = s.efficiency
        curve = s.curve.map { Point(time_ms: $0.timeMs, equity: $0.equity) }
    }
}
