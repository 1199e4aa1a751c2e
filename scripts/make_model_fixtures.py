#!/usr/bin/env python3
"""Makes the ONNX runtime's reference fixtures (Tests/ModelTests/Fixtures/models).

Every case is an ONNX model and a JSON file with its inputs and the outputs onnxruntime computes
for them; the whole models (MLP, LSTM, GRU, 1-D convolution) are exported from PyTorch by both of
its exporters and carry PyTorch's own outputs too. Run with the venv that has torch, onnx and
onnxruntime (scripts/make_model_fixtures.sh makes it); the outputs are committed, so the tests
need none of them.
"""
import json
import os
import sys
import warnings

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

warnings.filterwarnings("ignore")
OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "ModelTests", "Fixtures", "models")
rng = np.random.default_rng(20261205)


def f32(*shape, low=-1.0, high=1.0):
    return rng.uniform(low, high, size=shape).astype(np.float32)


def tensor_json(a):
    a = np.asarray(a, dtype=np.float32)
    return {"shape": list(a.shape), "data": [float(v) for v in a.reshape(-1)]}


def save(name, model, inputs, extra=None, reference=False):
    """Writes the model and its fixture: onnxruntime's outputs, or (`reference`, for what
    onnxruntime does not run, such as batch-major recurrent layers) the ONNX reference
    implementation's."""
    onnx.checker.check_model(model) if all(o.type.tensor_type.HasField("shape") for o in model.graph.output) else None
    path = os.path.join(OUT, name + ".onnx")
    onnx.save(model, path)
    if reference:
        from onnx.reference import ReferenceEvaluator
        evaluator = ReferenceEvaluator(model)
        outs = evaluator.run(None, inputs)
        names = list(evaluator.output_names)
    else:
        sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
        outs = sess.run(None, inputs)
        names = [o.name for o in sess.get_outputs()]
    doc = {
        "reference": "onnx.reference" if reference else "onnxruntime",
        "inputs": {k: tensor_json(v) for k, v in inputs.items()},
        "outputs": {n: tensor_json(o) for n, o in zip(names, outs)},
    }
    if extra:
        doc.update(extra)
    with open(os.path.join(OUT, name + ".json"), "w") as fh:
        json.dump(doc, fh)


def single(name, op, inputs, attrs=None, initializers=None, opset=17, outputs=1, out_names=None):
    """One node over float inputs (and constant initializers)."""
    initializers = initializers or {}
    graph_inputs = [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape)) for k, v in inputs.items()]
    out_names = out_names or (["y"] if outputs == 1 else [f"y{i}" for i in range(outputs)])
    node_inputs = list(inputs.keys()) + list(initializers.keys())
    node = helper.make_node(op, node_inputs, out_names, **(attrs or {}))
    graph = helper.make_graph(
        [node], name, graph_inputs,
        [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in out_names],
        [numpy_helper.from_array(v, k) for k, v in initializers.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    model.ir_version = 8
    save(name, model, inputs)


def operators():
    x = f32(2, 3, 4)
    single("op_add_broadcast", "Add", {"a": x}, initializers={"b": f32(4)})
    single("op_sub", "Sub", {"a": x, "b": f32(2, 3, 4)})
    single("op_mul_broadcast", "Mul", {"a": x}, initializers={"b": f32(3, 1)})
    single("op_div", "Div", {"a": x}, initializers={"b": f32(2, 1, 4, low=0.5, high=2)})
    single("op_pow", "Pow", {"a": f32(2, 3, 4, low=0.1, high=2)}, initializers={"b": np.array(1.7, np.float32)})
    single("op_max", "Max", {"a": x, "b": f32(2, 3, 4)})
    single("op_min", "Min", {"a": x, "b": f32(2, 3, 4)})
    for op, attrs, low in [("Relu", {}, -1), ("LeakyRelu", {"alpha": 0.1}, -1), ("Sigmoid", {}, -6),
                           ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, -4), ("Tanh", {}, -4), ("Elu", {"alpha": 0.7}, -3),
                           ("Selu", {}, -3), ("Softplus", {}, -5), ("Softsign", {}, -3), ("Neg", {}, -1), ("Abs", {}, -1),
                           ("Sqrt", {}, 0.01), ("Reciprocal", {}, 0.2), ("Exp", {}, -5), ("Log", {}, 0.01), ("Erf", {}, -2)]:
        single("op_" + op.lower(), op, {"x": f32(3, 17, low=low, high=abs(low) + 1)}, attrs)
    single("op_gelu", "Gelu", {"x": f32(3, 17, low=-4, high=4)}, opset=20)
    single("op_gelu_tanh", "Gelu", {"x": f32(3, 17, low=-4, high=4)}, {"approximate": "tanh"}, opset=20)
    single("op_clip", "Clip", {"x": f32(3, 17, low=-2, high=2)},
           initializers={"min": np.array(-0.5, np.float32), "max": np.array(0.7, np.float32)})
    single("op_softmax", "Softmax", {"x": f32(2, 3, 5, low=-3, high=3)}, {"axis": 1})
    single("op_softmax_last", "Softmax", {"x": f32(2, 3, 5, low=-3, high=3)})
    single("op_logsoftmax", "LogSoftmax", {"x": f32(2, 3, 5, low=-3, high=3)}, {"axis": -1})
    single("op_softmax_opset11", "Softmax", {"x": f32(2, 3, 5, low=-3, high=3)}, {"axis": 1}, opset=11)
    single("op_gemm", "Gemm", {"a": f32(3, 5)}, {"alpha": 0.5, "beta": 2.0, "transB": 1},
           initializers={"b": f32(4, 5), "c": f32(4)})
    single("op_gemm_transa", "Gemm", {"a": f32(5, 3), "b": f32(5, 4)}, {"transA": 1}, initializers={"c": f32(3, 1)})
    single("op_matmul", "MatMul", {"a": f32(2, 3, 5)}, initializers={"b": f32(5, 4)})
    single("op_matmul_batched", "MatMul", {"a": f32(2, 3, 5), "b": f32(2, 5, 4)})
    single("op_matmul_broadcast", "MatMul", {"a": f32(3, 5)}, initializers={"b": f32(2, 5, 4)})
    single("op_matmul_vector", "MatMul", {"a": f32(5)}, initializers={"b": f32(5, 4)})
    single("op_layernorm", "LayerNormalization", {"x": f32(2, 3, 8, low=-2, high=3)}, {"epsilon": 1e-5},
           initializers={"scale": f32(8), "bias": f32(8)})
    single("op_layernorm_axis", "LayerNormalization", {"x": f32(2, 3, 8)}, {"axis": 1},
           initializers={"scale": f32(3, 8)})
    single("op_batchnorm", "BatchNormalization", {"x": f32(2, 3, 7)}, {"epsilon": 1e-3},
           initializers={"scale": f32(3), "b": f32(3), "mean": f32(3), "var": f32(3, low=0.2, high=2)})
    for op in ["ReduceMean", "ReduceSum", "ReduceMax", "ReduceMin"]:
        single("op_" + op.lower(), op, {"x": f32(2, 3, 4)}, {"keepdims": 0},
               initializers={"axes": np.array([0, 2], np.int64)}, opset=18)
    single("op_reducemean_opset13", "ReduceMean", {"x": f32(2, 3, 4)}, {"axes": [-1]}, opset=13)
    single("op_transpose", "Transpose", {"x": f32(2, 3, 4)}, {"perm": [2, 0, 1]})
    single("op_slice", "Slice", {"x": f32(4, 6)}, initializers={
        "starts": np.array([1, -1], np.int64), "ends": np.array([100, -7], np.int64),
        "axes": np.array([0, 1], np.int64), "steps": np.array([2, -2], np.int64)})
    single("op_gather", "Gather", {"x": f32(3, 4, 2)}, {"axis": 1}, initializers={"i": np.array([[3, 0], [-1, 1]], np.int64)})
    single("op_concat", "Concat", {"a": f32(2, 3), "b": f32(2, 2)}, {"axis": 1}, initializers={"c": f32(2, 1)})
    single("op_expand", "Expand", {"x": f32(3, 1)}, initializers={"s": np.array([2, 3, 4], np.int64)})
    single("op_split", "Split", {"x": f32(2, 7)}, {"axis": 1}, initializers={"s": np.array([3, 4], np.int64)},
           outputs=2, opset=13)
    single("op_flatten", "Flatten", {"x": f32(2, 3, 4)}, {"axis": 2})
    single("op_flatten_negative", "Flatten", {"x": f32(2, 3, 4)}, {"axis": -1})
    single("op_squeeze_empty_axes", "Squeeze", {"x": f32(1, 3, 1)}, initializers={"a": np.array([], np.int64)})
    single("op_reshape", "Reshape", {"x": f32(2, 3, 4)}, initializers={"s": np.array([0, -1, 2], np.int64)})
    single("op_unsqueeze_squeeze", "Unsqueeze", {"x": f32(3, 4)}, initializers={"a": np.array([0, -1], np.int64)})
    single("op_squeeze", "Squeeze", {"x": f32(1, 3, 1, 4)}, initializers={"a": np.array([2], np.int64)})
    single("op_conv", "Conv", {"x": f32(2, 3, 11)}, {"pads": [2, 1], "strides": [2], "dilations": [2]},
           initializers={"w": f32(4, 3, 3), "b": f32(4)})
    single("op_conv_group_same", "Conv", {"x": f32(1, 4, 9)}, {"group": 2, "auto_pad": "SAME_UPPER"},
           initializers={"w": f32(6, 2, 4)})
    # A shape computation the exporters write: reshape to [batch, -1] from the input's own shape.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "zero"], ["b"], axis=0),
        helper.make_node("Unsqueeze", ["b", "axes0"], ["b1"]),
        helper.make_node("Concat", ["b1", "minus1"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["r"]),
        helper.make_node("ConstantOfShape", ["target2"], ["ones"], value=numpy_helper.from_array(np.array([1.5], np.float32))),
        helper.make_node("Cast", ["r"], ["rc"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["rc", "ones"], ["m"]),
        helper.make_node("Identity", ["m"], ["i"]),
        helper.make_node("Dropout", ["i"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "shape_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.array(0, np.int64), "zero"), numpy_helper.from_array(np.array([0], np.int64), "axes0"),
         numpy_helper.from_array(np.array([-1], np.int64), "minus1"), numpy_helper.from_array(np.array([12], np.int64), "target2")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    save("op_shape_chain", model, {"x": f32(2, 3, 4)})
    # Integer shape arithmetic that only integer division gets right: 10 // 4 * 4 = 8 elements.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("ReduceSum", ["s"], ["n"], keepdims=1),
        helper.make_node("Div", ["n", "four"], ["q"]),
        helper.make_node("Mul", ["q", "four"], ["m"]),
        helper.make_node("Reshape", ["x", "minus1"], ["flat"]),
        helper.make_node("Slice", ["flat", "zero1", "m"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "int_chain", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 4])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.array([4], np.int64), "four"), numpy_helper.from_array(np.array([-1], np.int64), "minus1"),
         numpy_helper.from_array(np.array([0], np.int64), "zero1")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    save("op_integer_shape_arithmetic", model, {"x": f32(6, 4)})
    # Cast to bool and back: 0.5 is true.
    nodes = [
        helper.make_node("Cast", ["c"], ["b"], to=TensorProto.BOOL),
        helper.make_node("Cast", ["b"], ["f"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["x", "f"], ["y"]),
    ]
    graph = helper.make_graph(
        nodes, "cast_bool", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.array([0.5, 0.0, -2.0], np.float32), "c")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    save("op_cast_bool", model, {"x": f32(3)})


def recurrent_ops():
    seq, batch, inp, hid = 5, 2, 3, 4
    def lstm(name, direction="forward", layout=0, peepholes=False, states=False, outputs=("y", "yh", "yc")):
        d = 2 if direction == "bidirectional" else 1
        inits = {"W": f32(d, 4 * hid, inp), "R": f32(d, 4 * hid, hid), "B": f32(d, 8 * hid)}
        names = ["x", "W", "R", "B", "", "", ""]
        ins = {"x": f32(batch, seq, inp) if layout else f32(seq, batch, inp)}
        if states:
            shape = (batch, d, hid) if layout else (d, batch, hid)
            ins["h0"], ins["c0"] = f32(*shape), f32(*shape)
            names[5], names[6] = "h0", "c0"
        if peepholes:
            inits["P"] = f32(d, 3 * hid)
            names.append("P")
        while names and names[-1] == "":
            names.pop()
        node = helper.make_node("LSTM", names, list(outputs), hidden_size=hid, direction=direction, layout=layout)
        graph = helper.make_graph(
            [node], name, [helper.make_tensor_value_info(k, TensorProto.FLOAT, list(v.shape)) for k, v in ins.items()],
            [helper.make_tensor_value_info(n, TensorProto.FLOAT, None) for n in outputs if n],
            [numpy_helper.from_array(v, k) for k, v in inits.items()])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        model.ir_version = 8
        save(name, model, ins, reference=layout == 1)
    lstm("op_lstm")
    lstm("op_lstm_bidirectional", direction="bidirectional")
    lstm("op_lstm_reverse_states", direction="reverse", states=True)
    lstm("op_lstm_peepholes", peepholes=True)
    lstm("op_lstm_layout1", layout=1, states=True)
    for lbr in (0, 1):
        for direction in ("forward", "bidirectional"):
            d = 2 if direction == "bidirectional" else 1
            single(f"op_gru_lbr{lbr}_{direction}", "GRU", {"x": f32(seq, batch, inp)},
                   {"hidden_size": hid, "direction": direction, "linear_before_reset": lbr},
                   initializers={"W": f32(d, 3 * hid, inp), "R": f32(d, 3 * hid, hid), "B": f32(d, 6 * hid)},
                   outputs=2)


def exported():
    import torch

    torch.manual_seed(20261205)

    class LSTMNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.LSTM(4, 32, batch_first=True)
            self.head = torch.nn.Linear(32, 1)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.head(y[:, -1, :])

    class GRUNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = torch.nn.GRU(4, 16, num_layers=2, batch_first=True)
            self.head = torch.nn.Linear(16, 2)

        def forward(self, x):
            y, _ = self.rnn(x)
            return self.head(y[:, -1, :])

    class ConvNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv1d(4, 8, 5, padding=2)
            self.norm = torch.nn.BatchNorm1d(8)
            self.head = torch.nn.Linear(8 * 60, 3)

        def forward(self, x):
            z = torch.relu(self.norm(self.conv(x.transpose(1, 2))))
            return torch.softmax(self.head(z.flatten(1)), -1)

    class MLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = torch.nn.Sequential(
                torch.nn.Flatten(), torch.nn.Linear(240, 64), torch.nn.LayerNorm(64), torch.nn.GELU(),
                torch.nn.Linear(64, 16), torch.nn.Sigmoid(), torch.nn.Linear(16, 1), torch.nn.Tanh())

        def forward(self, x):
            return self.net(x)

    for name, model in [("mlp", MLP()), ("lstm", LSTMNet()), ("gru", GRUNet()), ("conv", ConvNet())]:
        # Trained-looking statistics for the batch norm (eval mode uses the running ones).
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm1d):
                m.running_mean.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 2.0)
        model.eval()
        x = torch.from_numpy(f32(1, 60, 4, low=-2, high=2))
        with torch.no_grad():
            expected = model(x).numpy()
        for exporter in ("legacy", "dynamo"):
            path = os.path.join(OUT, f"torch_{name}_{exporter}.onnx")
            kwargs = {"dynamo": exporter == "dynamo", "input_names": ["x"], "output_names": ["y"]}
            if exporter == "legacy":
                kwargs["opset_version"] = 17
            torch.onnx.export(model, (x,), path, **kwargs)
            onnx.save(onnx.load(path), path)  # weights inside the file
            for leftover in [path + ".data"]:
                if os.path.exists(leftover):
                    os.remove(leftover)
            save(f"torch_{name}_{exporter}", onnx.load(path), {"x": x.numpy()}, {"torch": {"y": tensor_json(expected)}})

    # Streaming: the LSTM over a sequence with a free length, and its answer over every prefix.
    model = LSTMNet().eval()
    xs = f32(1, 40, 4, low=-2, high=2)
    path = os.path.join(OUT, "torch_lstm_stream.onnx")
    torch.onnx.export(model, (torch.from_numpy(xs[:, :8]),), path, dynamo=False, opset_version=17,
                      input_names=["x"], output_names=["y"], dynamic_axes={"x": {1: "seq"}})
    sess = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    prefixes = [sess.run(None, {"x": xs[:, :t]})[0].reshape(-1)[0] for t in range(1, 41)]
    with torch.no_grad():
        torch_prefixes = [model(torch.from_numpy(xs[:, :t])).numpy().reshape(-1)[0] for t in range(1, 41)]
    with open(os.path.join(OUT, "torch_lstm_stream.json"), "w") as fh:
        json.dump({"inputs": {"x": tensor_json(xs)}, "prefixes": [float(v) for v in prefixes],
                   "torch_prefixes": [float(v) for v in torch_prefixes]}, fh)


def refused():
    """A model the executor must refuse when it is registered, naming the operators."""
    nodes = [helper.make_node("TopK", ["x", "k"], ["v", "i"]), helper.make_node("Relu", ["v"], ["r"]),
             helper.make_node("NonZero", ["r"], ["y"]), helper.make_node("NonZero", ["x"], ["z"])]
    graph = helper.make_graph(
        nodes, "refused", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 5])],
        [helper.make_tensor_value_info("y", TensorProto.INT64, None), helper.make_tensor_value_info("z", TensorProto.INT64, None)],
        [numpy_helper.from_array(np.array([3], np.int64), "k")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    onnx.save(model, os.path.join(OUT, "bad_unsupported.onnx"))


def indicator_cases():
    """Bars, and what the `model` indicator must give over them: features computed here with
    numpy, normalised, windowed, and run by onnxruntime (window mode), or run over every prefix
    since the first defined row (stream mode)."""
    n, window = 260, 60
    r = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(r.normal(0, 0.01, n)))
    open_ = np.concatenate([[100.0], close[:-1]])
    high = np.maximum(open_, close) * (1 + np.abs(r.normal(0, 0.003, n)))
    low = np.minimum(open_, close) * (1 - np.abs(r.normal(0, 0.003, n)))
    volume = np.exp(r.normal(3, 0.5, n))
    # Values as the CSV holds them (the engine reads the decimal text back).
    rows = [[1_700_000_000_000 + 60_000 * i, round(open_[i], 6), round(high[i], 6), round(low[i], 6), round(close[i], 6),
             round(volume[i], 6)] for i in range(n)]
    with open(os.path.join(OUT, "indicator_bars.csv"), "w") as fh:
        fh.write("timestamp,open,high,low,close,volume\n")
        for row in rows:
            fh.write(",".join(str(v) for v in row) + "\n")
    arr = np.array(rows, dtype=np.float64)
    o, h, l, c, v = arr[:, 1], arr[:, 2], arr[:, 3], arr[:, 4], arr[:, 5]
    feats = np.full((n, 4), np.nan)
    feats[1:, 0] = c[1:] / c[:-1] - 1
    feats[1:, 1] = np.log(h[1:] / h[:-1])
    for t in range(window - 1, n):
        w = v[t - window + 1:t + 1]
        sd = w.std()
        feats[t, 2] = (v[t] - w.mean()) / sd if sd > 0 else 0
    feats[1:, 3] = c[1:] - c[:-1]
    mean = np.array([0.0, 0.0, 0.0, 0.1])
    std = np.array([0.01, 0.01, 1.0, 2.0])
    norm = ((feats - mean) / std).astype(np.float32)
    first = int(np.argmax(~np.isnan(norm).any(axis=1)))
    cases = {"features": "close_return|high_logret|volume_z|close_diff", "mean": "0|0|0|0.1", "std": "0.01|0.01|1|2",
             "window": window, "first_row": first}
    sess = ort.InferenceSession(os.path.join(OUT, "torch_lstm_dynamo.onnx"), providers=["CPUExecutionProvider"])
    windowed = [float("nan")] * n
    for t in range(first + window - 1, n):
        windowed[t] = float(sess.run(None, {"x": norm[None, t - window + 1:t + 1]})[0].reshape(-1)[0])
    stream = ort.InferenceSession(os.path.join(OUT, "torch_lstm_stream.onnx"), providers=["CPUExecutionProvider"])
    streamed = [float("nan")] * n
    for t in range(first + window - 1, n):
        streamed[t] = float(stream.run(None, {"x": norm[None, first:t + 1]})[0].reshape(-1)[0])
    cases["window_model"] = "torch_lstm_dynamo"
    cases["window_expected"] = windowed
    cases["stream_model"] = "torch_lstm_stream"
    cases["stream_expected"] = streamed
    with open(os.path.join(OUT, "indicator_expected.json"), "w") as fh:
        json.dump(cases, fh)


def main():
    os.makedirs(OUT, exist_ok=True)
    refused()
    operators()
    recurrent_ops()
    exported()
    indicator_cases()
    print("onnx", onnx.__version__, "onnxruntime", ort.__version__, file=sys.stderr)


if __name__ == "__main__":
    main()
