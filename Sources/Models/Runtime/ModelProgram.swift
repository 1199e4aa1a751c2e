/// A model compiled for fixed input shapes: its steps in order over fixed places in memory, its
/// weights (shared, read-only), and the layout of one instance's memory (inputs, scratch,
/// outputs, recurrent state). Running it allocates nothing.
///
/// Compile with ``init(graph:inputShapes:streaming:)``; run through a ``ModelMemory``.
public final class ModelProgram: @unchecked Sendable {
    /// A graph input or output's place in an instance's memory.
    public struct Slot: Sendable {
        public var name: String
        public var offset: Int
        public var shape: [Int]
        public var count: Int { shape.reduce(1, *) }
    }

    let steps: [Step]
    /// Weights, written once while compiling and read-only after (shared by every instance).
    let weights: UnsafeMutablePointer<Float>
    let weightCount: Int
    /// An instance's memory before its first run: zeros, the constants copy steps read, and the
    /// recurrent layers' initial state.
    let template: [Float]
    public let inputs: [Slot]
    public let outputs: [Slot]
    /// Where a streaming program keeps the recurrent state it carries from run to run.
    let carried: [Range<Int>]
    /// Whether recurrent layers carry their state from one run to the next (one step per run).
    public let streaming: Bool

    init(
        steps: [Step], weights: [Float], template: [Float], inputs: [Slot], outputs: [Slot], carried: [Range<Int>],
        streaming: Bool
    ) {
        self.steps = steps
        weightCount = weights.count
        self.weights = .allocate(capacity: max(weights.count, 1))
        self.weights.initialize(from: weights, count: weights.count)
        self.template = template
        self.inputs = inputs
        self.outputs = outputs
        self.carried = carried
        self.streaming = streaming
    }

    deinit { weights.deallocate() }

    /// Floats in one instance's memory.
    public var memorySize: Int { template.count }

    /// Runs every step over `memory` (an instance's, ``memorySize`` floats, inputs written).
    func run(_ memory: UnsafeMutablePointer<Float>) {
        let weights = UnsafeMutablePointer(mutating: self.weights)
        @inline(__always) func p(_ r: Ref) -> UnsafeMutablePointer<Float> { r >= 0 ? memory + r : weights + (-r - 1) }
        for step in steps {
            switch step {
            case .dense(let d):
                Kernels.dense(d, a: p(d.a), bt: p(d.bt), c: d.c.map(p), out: p(d.out))
            case .unary(let op, let x, let out, let count, let alpha, let beta):
                Kernels.unary(op, p(x), p(out), count, alpha, beta)
            case .binary(let op, let a, let aMap, let b, let bMap, let out, let count):
                Kernels.binary(op, p(a), aMap, p(b), bMap, p(out), count)
            case .copy(let out, let sources):
                let o = p(out)
                sources.withUnsafeBufferPointer { s in
                    for i in 0..<s.count { o[i] = memory[Int(s[i])] }
                }
            case .softmax(let x, let out, let outer, let length, let inner, let log):
                Kernels.softmax(p(x), p(out), outer, length, inner, log)
            case .reduce(let op, let out, let count, let group, let sources):
                Kernels.reduce(op, memory, p(out), count, group, sources)
            case .recurrent(let r):
                Kernels.recurrent(r, p)
            case .conv1d(let c):
                Kernels.conv1d(c, x: p(c.x), w: p(c.w), bias: c.bias.map(p), out: p(c.out))
            case .layerNorm(let x, let scale, let bias, let out, let outer, let inner, let epsilon):
                Kernels.layerNorm(p(x), p(scale), bias.map(p), p(out), outer, inner, epsilon)
            case .channelAffine(let x, let a, let b, let out, let outer, let channels, let inner):
                Kernels.channelAffine(p(x), p(a), p(b), p(out), outer, channels, inner)
            }
        }
    }
}
