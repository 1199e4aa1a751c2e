import ATSModels
import Foundation
import Testing

/// Every operator and every exported model against onnxruntime's outputs (and PyTorch's, for the
/// models PyTorch exported) on the committed fixtures: numpy's `assert_allclose(rtol=1e-5,
/// atol=1e-6)`.
struct ConformanceTests {
    static let cases = ModelFixtures.names.filter { $0 != "torch_lstm_stream" && !$0.hasPrefix("bad_") }

    @Test func theFixturesAreThere() {
        #expect(Self.cases.count >= 70, "\(Self.cases.count) fixtures")
        for name in ["torch_mlp_dynamo", "torch_lstm_legacy", "torch_gru_dynamo", "torch_conv_legacy"] {
            #expect(Self.cases.contains(name), "\(name)")
        }
    }

    @Test("same outputs as the reference", arguments: cases)
    func sameOutputs(_ name: String) throws {
        let graph = try ModelFixtures.model(name)
        let fixture = try ModelFixtures.fixture(name)
        let program = try ModelProgram(graph: graph, inputShapes: fixture.inputs.mapValues(\.shape))
        let memory = ModelMemory(program)
        for (i, slot) in program.inputs.enumerated() {
            let data = try #require(fixture.inputs[slot.name]).floats
            let input = memory.input(i)
            for k in 0..<data.count { input[k] = data[k] }
        }
        memory.run()
        // Twice: a second run over the same inputs gives the same bits (nothing left over).
        let first = (0..<program.outputs.count).map { Array(memory.output($0)) }
        memory.run()
        for (i, slot) in program.outputs.enumerated() {
            let got = Array(memory.output(i))
            #expect(got.map(\.bitPattern) == first[i].map(\.bitPattern), "\(name): a second run differs")
            let want = try #require(fixture.outputs?[slot.name], "\(name): no reference for \(slot.name)")
            #expect(slot.shape == want.shape, "\(name) \(slot.name): shape \(slot.shape), reference \(want.shape)")
            let (excess, relative) = ModelFixtures.compare(got, want.floats)
            #expect(excess <= 0, "\(name) \(slot.name): beyond tolerance by \(excess) (relative \(relative))")
            if let torch = fixture.torch?[slot.name] {
                let (excess, relative) = ModelFixtures.compare(got, torch.floats)
                #expect(excess <= 0, "\(name) \(slot.name) against PyTorch: beyond by \(excess) (relative \(relative))")
            }
        }
    }
}
