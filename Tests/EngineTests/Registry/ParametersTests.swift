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
}
