import Foundation

/// Combinatorially symmetric cross-validation (Bailey, Borwein, López de Prado and Zhu, "The
/// Probability of Backtest Overfitting", Journal of Computational Finance, 2017). The periods
/// (rows) of the trials' per-period returns are cut into S blocks; for each of the C(S, S/2)
/// choices of half the blocks as in-sample, the trial with the best in-sample Sharpe ratio is
/// ranked by its Sharpe ratio on the other half. PBO is the share of choices where it ranks no
/// better than the median.
public enum BacktestOverfitting {
    /// PBO of trials whose per-period returns on the same periods are `returns` (one array per
    /// trial, all of one length), over `blocks` blocks (even, at least 2; 16 gives 12,870 splits).
    /// Each block's sums are taken once, so a split costs a few additions per trial and block. The
    /// in-sample best is the first of equals; its out-of-sample rank r counts the trials below it
    /// plus half of those equal to it, plus one (the mean rank of ties), and ω = r / (N + 1).
    public static func probability(returns: [[Double]], blocks: Int = 16) -> OverfittingProbability {
        let trials = returns.count
        precondition(trials >= 2, "at least two trials to rank")
        precondition(blocks >= 2 && blocks % 2 == 0 && blocks <= 32, "an even number of blocks, 2 to 32")
        let periods = returns[0].count
        precondition(returns.allSatisfy { $0.count == periods }, "every trial over the same periods")
        precondition(periods >= blocks, "at least one period per block")
        // Per trial and block: count, sum and sum of squares.
        var sums = [Double](repeating: 0, count: trials * blocks)
        var squares = [Double](repeating: 0, count: trials * blocks)
        var counts = [Double](repeating: 0, count: blocks)
        for b in 0..<blocks {
            let range = (b * periods / blocks)..<((b + 1) * periods / blocks)
            counts[b] = Double(range.count)
            for t in 0..<trials {
                var (s, q) = (0.0, 0.0)
                returns[t].withUnsafeBufferPointer { r in
                    for i in range {
                        s += r[i]
                        q += r[i] * r[i]
                    }
                }
                sums[t * blocks + b] = s
                squares[t * blocks + b] = q
            }
        }
        return probability(blockCounts: counts, sums: sums, squares: squares)
    }

    /// PBO from each block's count (the same for every trial) and each trial's block sums and sums
    /// of squares, trial after trial (`sums[t * blocks + b]`): what a sweep keeps of each trial.
    public static func probability(blockCounts counts: [Double], sums: [Double], squares: [Double])
        -> OverfittingProbability
    {
        let blocks = counts.count
        precondition(blocks >= 2 && blocks % 2 == 0 && blocks <= 32, "an even number of blocks, 2 to 32")
        precondition(sums.count == squares.count && sums.count % blocks == 0, "sums for every trial and block")
        let trials = sums.count / blocks
        precondition(trials >= 2, "at least two trials to rank")
        var totalSum = [Double](repeating: 0, count: trials)
        var totalSquares = [Double](repeating: 0, count: trials)
        for t in 0..<trials {
            for b in 0..<blocks {
                totalSum[t] += sums[t * blocks + b]
                totalSquares[t] += squares[t * blocks + b]
            }
        }
        let allCount = counts.reduce(0, +)
        // Every mask of blocks/2 bits out of `blocks`, in increasing order (Gosper's hack), with
        // its in-sample blocks listed in ascending order (the sums' order, so the same bits).
        let half = blocks / 2
        var masks: [Int] = []
        var mask = (1 << half) - 1
        while mask < 1 << blocks {
            masks.append(mask)
            let lowest = mask & -mask
            let ripple = mask + lowest
            mask = (((ripple ^ mask) >> 2) / lowest) | ripple
        }
        var chosen = [Int](repeating: 0, count: masks.count * half)
        var inCounts = [Double](repeating: 0, count: masks.count)
        for (m, mask) in masks.enumerated() {
            var k = 0
            for b in 0..<blocks where mask & (1 << b) != 0 {
                chosen[m * half + k] = b
                inCounts[m] += counts[b]
                k += 1
            }
        }
        // The splits on every core, each worker with its own working arrays.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, masks.count * trials / 100_000))
        let (inBlocks, inSizes, sumAll, squaresAll) = (chosen, inCounts, totalSum, totalSquares)
        let logits = ParallelMap.map(
            masks.count, workers: workers,
            scratch: { ([Double](repeating: 0, count: trials), [Double](repeating: 0, count: trials)) }
        ) { m, space in
            let n = inSizes[m]
            for t in 0..<trials {
                var (s, q) = (0.0, 0.0)
                for k in 0..<half {
                    let b = inBlocks[m * half + k]
                    s += sums[t * blocks + b]
                    q += squares[t * blocks + b]
                }
                space.0[t] = sharpe(count: n, sum: s, squares: q)
                space.1[t] = sharpe(count: allCount - n, sum: sumAll[t] - s, squares: squaresAll[t] - q)
            }
            let (inSample, outOfSample) = space
            var best = 0
            for t in 1..<trials where inSample[t] > inSample[best] { best = t }
            var below = 0.0
            var equal = 0.0
            for t in 0..<trials where t != best {
                if outOfSample[t] < outOfSample[best] {
                    below += 1
                } else if outOfSample[t] == outOfSample[best] {
                    equal += 1
                }
            }
            let omega = (below + equal / 2 + 1) / Double(trials + 1)
            return log(omega / (1 - omega))
        }
        let overfit = logits.count { $0 <= 0 }
        return OverfittingProbability(
            probability: Double(overfit) / Double(logits.count), combinations: logits.count, blocks: blocks,
            trials: trials, logits: logits)
    }

    /// The per-period Sharpe ratio from a count, sum and sum of squares (sample deviation); 0
    /// without spread.
    @inline(__always)
    static func sharpe(count n: Double, sum: Double, squares: Double) -> Double {
        guard n > 1 else { return 0 }
        let mean = sum / n
        let variance = (squares - sum * mean) / (n - 1)
        return variance > 0 ? mean / variance.squareRoot() : 0
    }
}
