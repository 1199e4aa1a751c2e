import ATSModels
import Foundation
import Testing

struct ONNXGraphTests {
    @Test func unsupportedOperatorsAreRefusedByNameWhenRead() throws {
        let bytes = try Data(contentsOf: ModelFixtures.directory.appendingPathComponent("bad_unsupported.onnx"))
        #expect {
            try ONNXGraph(serialized: bytes)
        } throws: { error in
            let message = (error as? ModelError)?.message ?? ""
            return message.hasPrefix("unsupported operators: NonZero (×2), TopK (supported: ")
        }
    }

    @Test func bytesThatAreNoModelAreRefused() {
        #expect(throws: ModelError("not an ONNX model (9 bytes that do not parse as a ModelProto)")) {
            try ONNXGraph(serialized: Data("not onnx!".utf8))
        }
    }

    @Test func anExportedModelDescribesItself() throws {
        let graph = try ModelFixtures.model("torch_lstm_dynamo")
        #expect(graph.inputs.map(\.name) == ["x"])
        #expect(graph.inputs[0].typeName == "float")
        #expect(graph.inputs[0].shapeText == "[1, 60, 4]")
        #expect(graph.outputs.map(\.name) == ["y"])
        // LSTM(4→32) and Linear(32→1): 4·32·(4+32) + 8·32 + 32 + 1 weights, and the exporter's
        // zero initial state (32, shared by h and c).
        #expect(graph.parameterCount == 4 * 32 * (4 + 32) + 8 * 32 + 32 + 1 + 32)
        #expect(graph.operatorCounts["LSTM"] == 1)
        #expect(graph.producer.hasPrefix("pytorch"))
    }

    @Test func aShapeThatDoesNotFitTheDeclaredInputIsRefused() throws {
        let graph = try ModelFixtures.model("torch_lstm_dynamo")
        #expect(throws: ModelError("input \"x\" is [1, 60, 4], which does not fit [1, 60, 5]")) {
            try ModelProgram(graph: graph, inputShapes: ["x": [1, 60, 5]])
        }
        #expect(throws: ModelError("input \"x\" [1, 60, 4] needs a shape to compile for")) {
            try ModelProgram(graph: graph, inputShapes: [:])
        }
    }
}
