import ATSEngine
import Testing

struct ParametersTests {
    static let specs: [ParameterSpec] = [
        .int("fast", default: 10, range: 1...500, "fast period"), .int("slow", default: nil, "slow period"),
        .double("fraction", default: 1, range: 0...1, "share of equity"),
    ]

    func error(_ raw: [String: ParameterValue]) -> SpecError? {
        do {
            _ = try Parameters(validating: raw, against: Self.specs)
            return nil
        } catch { return error }
    }

    @Test func unknownNamesAreRefusedTheFirstInNameOrderNamedWithTheKnownOnes() {
        let e = error(["zeta": .int(1), "beta": .int(2), "slow": .int(30), "alpha9": .int(3)])
        #expect(e?.field == "alpha9", "\(String(describing: e))")
        #expect(e?.reason == "unknown parameter (known: fast, slow, fraction)")
        // Unknown names come before any other fault of the known ones.
        #expect(error(["fast": .int(0), "typo": .int(1)])?.field == "typo")
    }

    @Test func knownNamesAreCoercedDefaultedAndRequired() throws {
        let p = try Parameters(validating: ["slow": .int(30), "fraction": .double(0.5)], against: Self.specs)
        #expect(p.int("fast") == 10 && p.int("slow") == 30 && p.double("fraction") == 0.5)
        #expect(p.values.count == 3)
        #expect(error(["fast": .int(5)])?.field == "slow")
        #expect(error(["slow": .int(30), "fast": .int(0)])?.field == "fast")
    }

    /// A sweep's trial changes a few parameters of one validated configuration: the values, and
    /// the first error, are those of validating the whole again.
    @Test func replacingSomeGivesWhatValidatingTheWholeGives() throws {
        let base: [String: ParameterValue] = ["slow": .int(30), "fraction": .double(0.5)]
        let validated = try Parameters(validating: base, against: Self.specs)
        let choices: [(String, [ParameterValue])] = [
            ("fast", [.int(5), .int(0), .int(501), .double(7), .double(7.5), .string("x")]),
            ("slow", [.int(40), .bool(true)]), ("fraction", [.double(0.25), .int(1), .double(2)]),
            ("typo", [.int(1)]), ("alpha", [.int(1)]),
        ]
        var rng = SeededRandom(seed: 3)
        var (compared, failed) = (0, 0)
        for _ in 0..<500 {
            var changes: [String: ParameterValue] = [:]
            for (name, values) in choices where rng.uniform() < 0.45 {
                changes[name] = values[Int(rng.next() % UInt64(values.count))]
            }
            var whole = base
            for (name, value) in changes { whole[name] = value }
            let expected: Result<Parameters, SpecError> = Result { () throws(SpecError) in
                try Parameters(validating: whole, against: Self.specs)
            }
            let got: Result<Parameters, SpecError> = Result { () throws(SpecError) in
                try validated.replacing(changes, against: Self.specs)
            }
            switch (expected, got) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(changes)")
            case (.failure(let a), .failure(let b)):
                #expect(a.field == b.field && a.reason == b.reason, "\(changes)")
                failed += 1
            default: Issue.record("\(changes): \(expected) against \(got)")
            }
            compared += 1
        }
        #expect(compared == 500 && failed > 50 && failed < 450)
    }

    /// A name declared twice is coerced by each declaration (the last one's value kept, the first
    /// failure in declaration order), by both.
    @Test func replacingANameDeclaredTwiceGivesWhatValidatingTheWholeGives() throws {
        let specs: [ParameterSpec] = [
            .int("fast", default: 10, range: 1...50, "fast period"), .int("slow", default: 30, "slow period"),
            .double("fast", default: 10, range: 5...500, "fast period, again"),
        ]
        let validated = try Parameters(validating: [:], against: specs)
        for value: ParameterValue in [.int(7), .int(3), .int(60), .int(600), .double(7.5), .string("x")] {
            let expected: Result<Parameters, SpecError> = Result { () throws(SpecError) in
                try Parameters(validating: ["fast": value], against: specs)
            }
            let got: Result<Parameters, SpecError> = Result { () throws(SpecError) in
                try validated.replacing(["fast": value], against: specs)
            }
            switch (expected, got) {
            case (.success(let a), .success(let b)): #expect(a == b, "\(value)")
            case (.failure(let a), .failure(let b)): #expect(a.field == b.field && a.reason == b.reason, "\(value)")
            default: Issue.record("\(value): \(expected) against \(got)")
            }
        }
    }
}
