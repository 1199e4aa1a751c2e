import ATSVenues
import Testing

/// Exact decimals: parsed and written as venues write them, never through a binary double's
/// rendering; steps and ticks without drift.
struct VenueDecimalTests {
    @Test func parsesAndWritesPlainDecimals() throws {
        for text in ["0.00100000", "52000.00", "-12.5", "0", "100000.00000000", "0.00000001"] {
            #expect(try #require(VenueDecimal(text)).description == text)
        }
        #expect(VenueDecimal(".5")?.description == "0.5")
        for bad in ["", "-", "1e-8", "1.2.3", " 1", "12a", "0.0000000000000000001"] {
            #expect(VenueDecimal(bad) == nil, "\(bad) was accepted")
        }
        #expect(VenueDecimal("1.50") == VenueDecimal("1.5"), "equal whatever the scale")
        #expect(Set([VenueDecimal("1.50")!, VenueDecimal("1.5")!]).count == 1)
    }

    @Test func aDoubleBecomesTheDecimalItStandsFor() {
        #expect(VenueDecimal(0.1 + 0.2)?.description == "0.3")
        #expect(VenueDecimal(1e-8)?.description == "0.00000001")
        #expect(VenueDecimal(52_000.25)?.description == "52000.25")
        #expect(VenueDecimal(-3.0)?.description == "-3")
        #expect(VenueDecimal(.nan) == nil && VenueDecimal(.infinity) == nil)
    }

    @Test func stepsAndTicksAreExact() throws {
        let step = try #require(VenueDecimal("0.00100000"))
        #expect(VenueDecimal("1.23456")!.roundedDown(toMultipleOf: step).description == "1.23400000")
        #expect(VenueDecimal("1.234")!.isMultiple(of: step))
        #expect(!VenueDecimal("1.2345")!.isMultiple(of: step))
        let tick = try #require(VenueDecimal("0.01"))
        #expect(VenueDecimal("100.019")!.rounded(toMultipleOf: tick, up: false).description == "100.01")
        #expect(VenueDecimal("100.011")!.rounded(toMultipleOf: tick, up: true).description == "100.02")
        #expect(VenueDecimal("100.010")!.rounded(toMultipleOf: tick, up: true).description == "100.01")
        #expect(VenueDecimal("-1.234")!.roundedDown(toMultipleOf: step).description == "-1.23400000", "toward zero")
        // A double's 0.3 floored to 0.1 steps stays 0.3 (through the decimal it stands for).
        #expect(VenueDecimal(0.1 + 0.2)!.roundedDown(toMultipleOf: VenueDecimal("0.1")!).description == "0.3")
    }

    @Test func aNotionalIsAnExactProduct() throws {
        let n = try #require(VenueDecimal("52000.00")) * (try #require(VenueDecimal("0.01000000")))
        #expect(n == VenueDecimal("520"))
        #expect((VenueDecimal("0.00000001")! * VenueDecimal("0.00000001")!).description == "0.0000000000000001")
    }
}
