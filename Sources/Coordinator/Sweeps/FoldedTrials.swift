import ATSEngine

/// What a sweep's stored trials folded into so far (a report's summary, a heatmap), with the
/// chunks it holds and the span they ran on: a later fold reads only the chunks stored since
/// (the fold does not depend on the order trials come in).
struct FoldedTrials<Value: Sendable>: Sendable {
    var value: Value
    var chunks: Set<Int32>
    var span: TrialRecords.Span
}
