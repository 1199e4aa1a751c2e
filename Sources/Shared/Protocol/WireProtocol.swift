/// Constants of the worker ↔ coordinator protocol (docs/PROTOCOL.md).
public enum WireProtocol {
    /// The version this build speaks. A peer speaking another is refused with `Refuse`.
    public static let version: UInt32 = 3
    /// Versions a coordinator of this build accepts. Version 1 sent the secret itself in the hello
    /// and is refused: accepting it would let an attacker downgrade the handshake. Version 2
    /// workers neither replay a job's reloads nor check a checkpoint's provenance: resuming a job
    /// on one could trade on the wrong parameters.
    public static let supportedVersions: [UInt32] = [3]
    /// Frames above this are refused before anything is allocated for them.
    public static let defaultMaximumFrameSize = 16 * 1024 * 1024
}
