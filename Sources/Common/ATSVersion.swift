/// The software version, reported by workers and printed by `--version`.
public enum ATSVersion {
    public static let current = "0.1.0"
}
