/// One instance's memory for a ``ModelProgram``: its inputs, scratch, outputs and the recurrent
/// state a streaming program carries. A class for its fixed address; whoever holds it as part
/// of a value type copies it before writing when it is shared (``isKnownUniquelyReferenced``).
public final class ModelMemory: @unchecked Sendable {
    public let program: ModelProgram
    let base: UnsafeMutablePointer<Float>

    public init(_ program: ModelProgram) {
        self.program = program
        base = .allocate(capacity: max(program.template.count, 1))
        base.initialize(from: program.template, count: program.template.count)
    }

    deinit { base.deallocate() }

    /// A copy with the same contents (the recurrent state included).
    public func copy() -> ModelMemory {
        let m = ModelMemory(program)
        m.base.update(from: base, count: program.template.count)
        return m
    }

    /// The `i`-th input's floats, to write before ``run()``.
    public func input(_ i: Int = 0) -> UnsafeMutableBufferPointer<Float> {
        let s = program.inputs[i]
        return UnsafeMutableBufferPointer(start: base + s.offset, count: s.count)
    }

    /// The `i`-th output's floats after ``run()``.
    public func output(_ i: Int = 0) -> UnsafeBufferPointer<Float> {
        let s = program.outputs[i]
        return UnsafeBufferPointer(start: base + s.offset, count: s.count)
    }

    public func run() { program.run(base) }

    /// The recurrent state a streaming program carries (empty otherwise), for checkpoints.
    public var carriedState: [Float] {
        program.carried.flatMap { r in (r.lowerBound..<r.upperBound).map { base[$0] } }
    }

    /// Restores state saved by ``carriedState``; false when its size does not fit this program.
    public func restoreCarriedState(_ state: [Float]) -> Bool {
        guard state.count == program.carried.reduce(0, { $0 + $1.count }) else { return false }
        var k = 0
        for r in program.carried {
            for i in r {
                base[i] = state[k]
                k += 1
            }
        }
        return true
    }

    /// Back to the program's initial state (zero recurrent state).
    public func reset() { base.update(from: program.template, count: program.template.count) }
}
