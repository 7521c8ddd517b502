import CBuildInfo

/// What `bramble --version` prints: the release and the git revision the binary was built
/// from, so an operator's bug report names the exact code running on the hub.
public enum BuildInfo {
    /// The release; scripts/package names the Debian package after it.
    public static let version = "0.1.0"

    /// `git HASH` when scripts/package built it (BRAMBLE_GIT_REVISION, see Package.swift),
    /// "unknown revision" for a plain `swift build`.
    public static let revision = String(cString: bramble_git_revision())

    /// `bramble 0.1.0 (git 1a2b3c4d5e6f)`.
    public static let versionLine = "bramble \(version) (\(revision))"
}
