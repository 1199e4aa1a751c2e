extension Duration {
    /// The duration in seconds, as a Double (SQL intervals, JSON figures, timings).
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }

    /// The duration in whole milliseconds (wire fields, NIO time amounts).
    public var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
