extension ONNXGraph {
    /// The operators the executor runs (ai.onnx domain): what PyTorch's exporters write for
    /// multilayer perceptrons, LSTM and GRU networks and 1-D convolutions, and the shape arithmetic
    /// around them (folded when the model is compiled for its input's shape).
    public static let supportedOperators: Set<String> = [
        // Element-wise arithmetic.
        "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Neg", "Abs", "Sqrt", "Reciprocal", "Exp", "Log", "Erf",
        // Activations.
        "Relu", "LeakyRelu", "Sigmoid", "HardSigmoid", "Tanh", "Elu", "Selu", "Softplus", "Softsign", "Gelu", "Clip",
        "Softmax", "LogSoftmax",
        // Linear algebra, recurrence, convolution, normalisation, reductions.
        "Gemm", "MatMul", "LSTM", "GRU", "Conv", "LayerNormalization", "BatchNormalization",
        "ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin",
        // Shapes and data movement.
        "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Slice", "Gather", "Concat", "Expand", "Split",
        "Shape", "Constant", "ConstantOfShape", "Cast", "Identity", "Dropout",
    ]
}
