/// What is under `<pxe>/boot`, as the TFTP server would see it: regular files with their sizes
/// and directories, by path relative to the boot directory (`overlays/vc4-kms-v3d.dtbo`).
/// Produced by `BootTreeScanner`, or written out directly in tests.
public struct BootTreeListing: Hashable, Sendable {
    /// Relative path → size in bytes.
    public var files: [String: UInt64]
    /// Relative paths of directories, without a trailing slash.
    public var directories: Set<String>
    /// What the scan could not look at; the report shows these, because a file behind one of
    /// them may be the one a Pi needs.
    public var problems: [BootTreeScanProblem]

    public init(files: [String: UInt64] = [:], directories: Set<String> = [], problems: [BootTreeScanProblem] = []) {
        self.files = files
        self.directories = directories
        self.problems = problems
    }
}

/// Something under the boot directory that the scan skipped or could not read.
public enum BootTreeScanProblem: Hashable, Sendable {
    /// `<pxe>/boot` itself does not exist.
    case bootDirectoryMissing(path: String)
    /// `<pxe>/boot` exists but is not a directory.
    case bootDirectoryNotADirectory(path: String)
    /// A directory or file that could not be read (`reason` is strerror's text).
    case unreadable(path: String, reason: String)
    /// A symbolic link leading out of the boot tree: bramble serves only what is inside it.
    case linkOutsideTree(path: String, target: String)
    /// A symbolic link whose target does not exist.
    case brokenLink(path: String)
    /// A directory deeper than the scan goes (or a link loop); nothing below it was listed.
    case tooDeep(path: String)
}
