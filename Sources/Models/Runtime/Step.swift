/// Where a compiled step reads or writes: `>= 0` is an offset into an instance's memory (inputs,
/// scratch, recurrent state), `< 0` is `-(offset + 1)` into the program's shared weights.
typealias Ref = Int

/// One operation of a compiled program, over fixed shapes and fixed places in memory.
enum Step: Sendable {
    case dense(Dense)
    case unary(UnaryOp, x: Ref, out: Ref, count: Int, alpha: Float, beta: Float)
    /// `out[i] = a[aMap[i]] op b[bMap[i]]`; a nil map reads element `i` (same shape), an empty map
    /// element 0 (a scalar).
    case binary(BinaryOp, a: Ref, aMap: [Int32]?, b: Ref, bMap: [Int32]?, out: Ref, count: Int)
    /// `out[i] = memory[sources[i]]` (transpose, slice, gather, concat, expand, split).
    case copy(out: Ref, sources: [Int32])
    case softmax(x: Ref, out: Ref, outer: Int, length: Int, inner: Int, log: Bool)
    /// `out[g] = reduce(memory[sources[g * group ..< (g + 1) * group]])`.
    case reduce(ReduceOp, out: Ref, count: Int, group: Int, sources: [Int32])
    case recurrent(Recurrent)
    case conv1d(Conv1d)
    case layerNorm(x: Ref, scale: Ref, bias: Ref?, out: Ref, outer: Int, inner: Int, epsilon: Float)
    /// Per channel `c`: `out = x * a[c] + b[c]` over `outer × channels × inner`.
    case channelAffine(x: Ref, a: Ref, b: Ref, out: Ref, outer: Int, channels: Int, inner: Int)
}

enum UnaryOp: Sendable {
    case relu, leakyRelu, sigmoid, hardSigmoid, tanh, elu, selu, softplus, softsign, gelu, geluTanh, clip
    case neg, abs, sqrt, reciprocal, exp, log, erf
}

enum BinaryOp: Sendable {
    case add, sub, mul, div, pow, max, min
}

enum ReduceOp: Sendable {
    case mean, sum, max, min
}

/// `out[b][m][n] = alpha · Σₖ a[b][m][k] · bt[b][n][k] + beta · c[m][n]` (`c` already spread to
/// M × N). Every operand row-major; `b` of the batch steps by the strides (0 repeats).
struct Dense: Sendable {
    var a: Ref
    var bt: Ref
    var c: Ref?
    var out: Ref
    var m: Int
    var n: Int
    var k: Int
    var alpha: Float
    var beta: Float
    var batch: Int = 1
    var aStride: Int = 0
    var btStride: Int = 0
    var outStride: Int = 0
}

/// An LSTM or GRU node (ONNX's gate orders: i, o, f, c and z, r, h).
struct Recurrent: Sendable {
    enum Kind: Sendable { case lstm, gru(linearBeforeReset: Bool) }
    var kind: Kind
    var x: Ref
    var sequence: Int
    var batch: Int
    var inputSize: Int
    var hidden: Int
    /// 1 (forward or reverse) or 2 (bidirectional).
    var directions: Int
    var reverse: Bool
    /// ONNX `layout`: 0 is [seq, batch, …], 1 is [batch, seq, …].
    var batchMajor: Bool
    /// Input weights transposed: [directions, inputSize, gates · hidden].
    var w: Ref
    /// Recurrent weights transposed: [directions, hidden, gates · hidden].
    var r: Ref
    /// [directions, 2 · gates · hidden]: the input's biases then the recurrence's.
    var bias: Ref?
    var initialH: Ref?
    var initialC: Ref?
    var peepholes: Ref?
    var y: Ref?
    var yH: Ref?
    var yC: Ref?
    /// Scratch: the gates, the recurrent products, the previous state (h, c) and one more
    /// hidden vector.
    var scratch: Ref
    /// Streaming: the state carried from the last run ([directions, batch, hidden] h, then c);
    /// read as the initial state and written back at the end.
    var carried: Ref?

    var gates: Int {
        if case .lstm = kind { return 4 }
        return 3
    }
}

struct Conv1d: Sendable {
    var x: Ref
    var w: Ref
    var bias: Ref?
    var out: Ref
    var batch: Int
    var channels: Int
    var length: Int
    var filters: Int
    var kernel: Int
    var group: Int
    var stride: Int
    var dilation: Int
    var padBegin: Int
    var outLength: Int
}
