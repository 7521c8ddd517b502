import BrambleRoots
import CRootShims
import Glibc

/// Making one node's root so that it appears complete or not at all: built aside as
/// `<roots>/.<name>.partial`, given its identity there, flushed to disk (syncfs), and only
/// then renamed to `<roots>/<name>` (renameat2 RENAME_NOREPLACE, so an existing root is
/// never replaced). A crash or Ctrl-C at any point before the rename leaves only the
/// `.partial`, which no export, `list` or boot treats as a root.
public struct RootMaker {
    public let base: String
    public let rootsDirectory: String
    public let mode: RootCopyMode
    /// Progress of the copy (not called for snapshots, which are one call).
    public var progress: ((TreeCopyStatistics) -> Void)?

    public init(base: String, rootsDirectory: String, mode: RootCopyMode) {
        self.base = base
        self.rootsDirectory = rootsDirectory
        self.mode = mode
    }

    /// Makes the root of `nodeName`, calling `customize` with the new tree's descriptor and
    /// path before it is renamed into place. Returns what the copy did (nil for a snapshot).
    @discardableResult
    public func make(
        nodeName: String,
        customize: (_ root: Int32, _ path: String) throws -> Void
    ) throws -> TreeCopyStatistics? {
        try install(nodeName: nodeName, customize: customize) { roots, partialName, finalPath in
            let renamed = partialName.withCString { old in nodeName.withCString { new in bramble_rename_noreplace(roots, old, roots, new) } }
            guard renamed == 0 else { throw RootFileError(path: finalPath, operation: "rename \(rootsDirectory)/\(partialName) into place", errno: errno) }
        }
    }

    /// Replaces the existing root of `nodeName` with a new one built aside the same way: the
    /// two are swapped in one step (RENAME_EXCHANGE), so the path always names a complete
    /// root, and the old root is then moved to `asidePath` (in the same file system), never
    /// deleted. `customize` gets the new tree and may read the old one, still in place.
    @discardableResult
    public func replace(
        nodeName: String,
        asidePath: String,
        customize: (_ root: Int32, _ path: String) throws -> Void
    ) throws -> TreeCopyStatistics? {
        try install(nodeName: nodeName, customize: customize) { roots, partialName, finalPath in
            let swapped = partialName.withCString { old in nodeName.withCString { new in bramble_rename_exchange(roots, old, roots, new) } }
            guard swapped == 0 else { throw RootFileError(path: finalPath, operation: "swap in the updated root", errno: errno) }
            // The old root now has the partial name: move it aside before anything can take it
            // for an interrupted create.
            let partialPath = rootsDirectory + "/" + partialName
            guard rename(partialPath, asidePath) == 0 else {
                throw RootFileError(path: partialPath, operation: "move the previous root to \(asidePath)", errno: errno)
            }
        }
    }

    /// What ``make`` and ``replace`` share: the root built aside under its partial name, put
    /// in place by `placing` (given the roots directory's descriptor, the partial name and
    /// the final path), then its record written.
    private func install(
        nodeName: String,
        customize: (_ root: Int32, _ path: String) throws -> Void,
        placing: (_ roots: Int32, _ partialName: String, _ finalPath: String) throws -> Void
    ) throws -> TreeCopyStatistics? {
        let roots = try Directory.open(path: rootsDirectory)
        let statistics = try build(nodeName: nodeName, in: roots.fd, customize: customize)
        try placing(roots.fd, NodeRootLayout.partialName(forNodeNamed: nodeName), rootsDirectory + "/" + nodeName)
        try RootRecordFile.write(RootRecord(mode: mode, base: base), nodeName: nodeName, in: roots.fd, rootsDirectory: rootsDirectory)
        return statistics
    }

    /// Builds `<roots>/.<name>.partial` from the base, customizes it and flushes it to disk.
    private func build(nodeName: String, in roots: Int32, customize: (_ root: Int32, _ path: String) throws -> Void) throws -> TreeCopyStatistics? {
        let layout = NodeRootLayout(baseImage: base, rootsDirectory: rootsDirectory)
        let partialName = NodeRootLayout.partialName(forNodeNamed: nodeName)
        let partialPath = layout.partialPath(forNodeNamed: nodeName)
        var statistics: TreeCopyStatistics?
        switch mode {
        case .snapshot:
            let baseDirectory = try Directory.open(path: base)
            guard partialName.withCString({ bramble_btrfs_snapshot(baseDirectory.fd, roots, $0) }) == 0 else {
                throw RootFileError(path: partialPath, operation: "snapshot \(base) (BTRFS_IOC_SNAP_CREATE_V2)", errno: errno)
            }
        case .reflink, .copy:
            let copier = TreeCopier(mode: mode == .reflink ? .reflink : .copy)
            copier.progress = progress
            try copier.copy(source: base, into: roots, name: partialName, destinationPath: partialPath)
            statistics = copier.statistics
        }
        let partial = try Directory.open(FileName(partialName), in: roots, path: partialPath)
        try customize(partial.fd, partialPath)
        guard bramble_syncfs(partial.fd) == 0 else { throw RootFileError(path: partialPath, operation: "flush to disk (syncfs)", errno: errno) }
        return statistics
    }
}

/// Reading and writing `<roots>/.<name>.made`.
public enum RootRecordFile {
    public static func write(_ record: RootRecord, nodeName: String, in roots: Int32, rootsDirectory: String) throws(RootFileError) {
        let name = NodeRootLayout.recordName(forNodeNamed: nodeName)
        let path = rootsDirectory + "/" + name
        try SmallFile.replace(name, in: roots, with: Array(record.text.utf8), mode: 0o644, path: path)
        fsync(roots)
    }

    public static func read(nodeName: String, rootsDirectory: String) -> RootRecord? {
        let path = NodeRootLayout(baseImage: "", rootsDirectory: rootsDirectory).recordPath(forNodeNamed: nodeName)
        guard let roots = try? Directory.open(path: rootsDirectory),
              let bytes = try? SmallFile.read(FileName(NodeRootLayout.recordName(forNodeNamed: nodeName)), in: roots.fd, path: path)
        else { return nil }
        return RootRecord(parsing: String(decoding: bytes, as: UTF8.self))
    }
}
