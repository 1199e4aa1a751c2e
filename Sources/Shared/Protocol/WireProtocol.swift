/// Constants of the worker ↔ coordinator protocol (docs/PROTOCOL.md).
public enum WireProtocol {
    /// The version this build speaks. A peer speaking another is refused with `Refuse`.
    public static let version: UInt32 = 1
    /// Frames above this are refused before anything is allocated for them.
    public static let defaultMaximumFrameSize = 16 * 1024 * 1024
}
