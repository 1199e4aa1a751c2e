import ATSEngine
import Foundation
import Testing

struct SharpeInferenceTests {
    let reference = OverfittingReference.shared

    @Test func theNormalDistributionMatchesScipy() {
        for (p, z) in reference.quantiles {
            #expect(close(NormalDistribution.quantile(Double(p)!), z, 1e-12), "Z⁻¹(\(p))")
        }
        for (x, phi) in reference.cdf {
            #expect(close(NormalDistribution.cdf(Double(x)!), phi, 1e-12), "Φ(\(x))")
        }
    }

    @Test func theExpectedMaximumOfUnskilledTrialsIsThePapers() {
        // The factor SR₀/√V as published: N = 10, 100, 1,000.
        #expect(abs(SharpeInference.expectedMaximumFactor(trials: 10) - 1.5746) < 5e-5)
        #expect(abs(SharpeInference.expectedMaximumFactor(trials: 100) - 2.5306) < 5e-5)
        #expect(abs(SharpeInference.expectedMaximumFactor(trials: 1000) - 3.2551) < 5e-5)
        #expect(SharpeInference.expectedMaximumFactor(trials: 1) == 0)
        for (n, factor) in reference.factors {
            #expect(close(SharpeInference.expectedMaximumFactor(trials: Int(n)!), factor, 1e-11), "N = \(n)")
        }
    }

    @Test func theDeflatedSharpeRatioOfThePapersExample() {
        // Bailey and López de Prado (2014): annual SR 2.5 over 1,250 daily returns (250 a year),
        // 100 trials whose annualised Sharpe ratios vary by 0.5, skewness −3, kurtosis 10.
        let dsr = SharpeInference.deflatedSharpe(
            sharpe: 2.5 / 250.0.squareRoot(), observations: 1250, skewness: -3, kurtosis: 10, trials: 100,
            sharpeVariance: 0.5 / 250)
        #expect(abs(dsr.benchmark - 0.11317) < 5e-6)
        #expect(abs(dsr.value - 0.9004) < 5e-5)
        #expect(dsr.isSuspect, "below 0.95: shown in red")
        #expect(dsr.trials == 100 && dsr.variance == 0.5 / 250 && dsr.observations == 1250)
    }

    @Test func momentsPSRAndDSRMatchAnIndependentComputation() {
        for s in reference.series {
            let m = ReturnMoments(returns: s.returns)
            #expect(m.count == s.moments.count)
            #expect(close(m.mean, s.moments.mean, 1e-12) && close(m.standardDeviation, s.moments.standard_deviation))
            #expect(close(m.skewness, s.moments.skewness) && close(m.kurtosis, s.moments.kurtosis))
            #expect(close(m.sharpe, s.sharpe))
            let psr = SharpeInference.probabilisticSharpe(
                m.sharpe, benchmark: 0, observations: m.count, skewness: m.skewness, kurtosis: m.kurtosis)
            #expect(close(psr, s.psr0, 1e-9))
            for search in s.searches {
                let dsr = SharpeInference.deflatedSharpe(
                    best: m, trials: search.trials, sharpeVariance: search.variance)
                #expect(close(dsr.benchmark, search.benchmark, 1e-11), "N = \(search.trials)")
                #expect(close(dsr.value, search.dsr, 1e-9), "N = \(search.trials)")
            }
        }
    }

    @Test func theMinimumBacktestLengthIsThePapers() {
        // "45 configurations in 5 years" for a target annualised Sharpe ratio of 1.
        #expect(abs(SharpeInference.minimumBacktestLength(trials: 45, targetSharpe: 1) - 5) < 0.01)
        for (n, byTarget) in reference.min_btl {
            for (e, years) in byTarget {
                let trials = Int(n)!
                let target = Double(e)!
                let length = SharpeInference.minimumBacktestLength(trials: trials, targetSharpe: target)
                #expect(close(length, years, 1e-10), "N = \(n), E = \(e)")
                #expect(length <= 2 * log(Double(trials)) / (target * target), "bounded by 2 ln N / E²")
            }
        }
    }

    @Test func degenerateSeriesChangeNothing() {
        let flat = ReturnMoments(returns: [Double](repeating: 0.25, count: 50))  // exact: no rounding spread
        #expect(flat.standardDeviation == 0 && flat.sharpe == 0 && flat.skewness == 0 && flat.kurtosis == 3)
        #expect(ReturnMoments(returns: [Double]()).count == 0)
        #expect(
            SharpeInference.probabilisticSharpe(0.1, benchmark: 0, observations: 1, skewness: 0, kurtosis: 3) == 0.5)
    }
}
