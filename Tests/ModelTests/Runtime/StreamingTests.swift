import ATSModels
import Foundation
import Testing

/// A recurrent model run one step per bar with its state carried equals the whole model over
/// every prefix of the sequence (onnxruntime's and PyTorch's answers), and resumes bit for bit
/// from its saved state.
struct StreamingTests {
    @Test func oneStepAtATimeEqualsTheModelOverEveryPrefix() throws {
        let graph = try ModelFixtures.model("torch_lstm_stream")
        let fixture = try ModelFixtures.fixture("torch_lstm_stream")
        let xs = try #require(fixture.inputs["x"]).floats
        let program = try ModelProgram(graph: graph, inputShapes: ["x": [1, 1, 4]], streaming: true)
        #expect(program.streaming)
        let memory = ModelMemory(program)
        var got: [Float] = []
        for t in 0..<40 {
            let input = memory.input()
            for k in 0..<4 { input[k] = xs[t * 4 + k] }
            memory.run()
            got.append(memory.output()[0])
        }
        let ort = try #require(fixture.prefixes).map { Float($0) }
        let torch = try #require(fixture.torch_prefixes).map { Float($0) }
        let (e1, r1) = ModelFixtures.compare(got, ort)
        let (e2, r2) = ModelFixtures.compare(got, torch)
        #expect(e1 <= 0, "against onnxruntime: beyond by \(e1) (relative \(r1))")
        #expect(e2 <= 0, "against PyTorch: beyond by \(e2) (relative \(r2))")
    }

    @Test func savedStateResumesBitForBit() throws {
        let graph = try ModelFixtures.model("torch_lstm_stream")
        let xs = try #require(try ModelFixtures.fixture("torch_lstm_stream").inputs["x"]).floats
        let program = try ModelProgram(graph: graph, inputShapes: ["x": [1, 1, 4]], streaming: true)
        func step(_ m: ModelMemory, _ t: Int) -> Float {
            let input = m.input()
            for k in 0..<4 { input[k] = xs[t * 4 + k] }
            m.run()
            return m.output()[0]
        }
        let whole = ModelMemory(program)
        let straight = (0..<40).map { step(whole, $0) }
        let first = ModelMemory(program)
        for t in 0..<17 { _ = step(first, t) }
        let saved = first.carriedState
        #expect(saved.count == 2 * 32)
        let resumed = ModelMemory(program)
        #expect(resumed.restoreCarriedState(saved))
        #expect(!resumed.restoreCarriedState([1, 2, 3]))
        let rest = (17..<40).map { step(resumed, $0) }
        #expect(rest.map(\.bitPattern) == straight[17...].map(\.bitPattern))
    }

    @Test func aBidirectionalLayerCannotStream() throws {
        let graph = try ModelFixtures.model("op_lstm_bidirectional")
        #expect {
            try ModelProgram(graph: graph, inputShapes: ["x": [5, 2, 3]], streaming: true)
        } throws: { error in
            (error as? ModelError)?.message.contains("reads the sequence backwards and cannot carry its state") == true
        }
    }
}
