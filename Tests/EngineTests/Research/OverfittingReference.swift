import Foundation

/// The reference numbers of `scripts/make_overfitting_fixtures.py` (scipy and an independent
/// numpy CSCV), read once.
struct OverfittingReference: Decodable {
    struct Moments: Decodable {
        var count: Int
        var mean: Double
        var standard_deviation: Double
        var skewness: Double
        var kurtosis: Double
    }
    struct Search: Decodable {
        var trials: Int
        var variance: Double
        var benchmark: Double
        var dsr: Double
    }
    struct Series: Decodable {
        var returns: [Double]
        var moments: Moments
        var sharpe: Double
        var psr0: Double
        var searches: [Search]
    }
    struct Overfitting: Decodable {
        var blocks: Int
        var returns: [[Double]]
        var probability: Double
        var logits: [Double]
    }
    var factors: [String: Double]
    var quantiles: [String: Double]
    var cdf: [String: Double]
    var series: [Series]
    var min_btl: [String: [String: Double]]
    var pbo: [Overfitting]

    static let shared: OverfittingReference = {
        let data = try! Data(contentsOf: URL(fileURLWithPath: Fixtures.path("overfitting/reference.json")))
        return try! JSONDecoder().decode(OverfittingReference.self, from: data)
    }()
}

/// |a − b| within `relative` of b (or of 1 near zero).
func close(_ a: Double, _ b: Double, _ relative: Double = 1e-9) -> Bool {
    abs(a - b) <= relative * max(abs(b), 1)
}
