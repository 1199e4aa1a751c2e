import ATSEngine

/// Two parameters' heatmap of a sweep as the API gives it (`GET /api/sweeps/{sweep}/heatmap`).
public struct SweepHeatmapReport: Sendable, Codable {
    public var x: String
    public var y: String
    public var objective: String
    public var xs: [ParameterValue]
    public var ys: [ParameterValue]
    /// `[y][x]`: the best objective among the cell's trials (null: none ran), over the whole span.
    public var in_sample: [[Double?]]
    /// With walk-forward: over the test windows joined, each trial's own.
    public var out_of_sample: [[Double?]]?

    public init(_ map: SweepHeatmap, x: String, y: String, objective: String) {
        self.x = x
        self.y = y
        self.objective = objective
        xs = map.xs
        ys = map.ys
        in_sample = map.inSample
        out_of_sample = map.outOfSample
    }
}
