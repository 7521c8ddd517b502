import BrambleRootFiles
import BrambleRoots
import Glibc
import Testing

/// The cheap modes on real file systems: a reflink copy on xfs shares the base's blocks, a
/// btrfs subvolume base is snapshotted, and each mode is chosen without being asked.
@Suite(.serialized, .enabled(if: LoopFileSystem.shouldRun, LoopFileSystem.skipReason))
struct CopyModeTests {
    /// A base at `root` in `filesystem` holding a 4 MiB file and an identity to rewrite.
    func base(in filesystem: LoopFileSystem, subvolume: Bool) throws {
        if subvolume {
            try LoopFileSystem.run("btrfs", "-q", "subvolume", "create", filesystem.at("root"))
        } else {
            #expect(mkdir(filesystem.at("root"), 0o755) == 0)
        }
        #expect(mkdir(filesystem.at("root/etc"), 0o755) == 0)
        #expect(mkdir(filesystem.at("roots"), 0o755) == 0)
        let fd = open(filesystem.at("root/etc/big"), O_WRONLY | O_CREAT, 0o644)
        let block = [UInt8](repeating: 0x5a, count: 1 << 20)
        for _ in 0..<4 { _ = block.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } }
        fsync(fd)
        close(fd)
        let host = open(filesystem.at("root/etc/hostname"), O_WRONLY | O_CREAT, 0o644)
        _ = Array("raspberrypi\n".utf8).withUnsafeBytes { write(host, $0.baseAddress, $0.count) }
        close(host)
    }

    func cheapest(_ filesystem: LoopFileSystem) throws -> RootCopyMode {
        let roots = open(filesystem.at("roots"), O_RDONLY | O_DIRECTORY)
        defer { close(roots) }
        let survey = try BaseImageSurvey(base: filesystem.at("root"))
        return try CopyModeProbe.cheapest(base: filesystem.at("root"), rootsDirectory: roots, sampleFile: survey.sampleFile)
    }

    @Test func onXfsEachFileIsAReflinkSharingTheBasesBlocks() throws {
        let xfs = try LoopFileSystem(.xfs)
        try base(in: xfs, subvolume: false)
        #expect(try cheapest(xfs) == .reflink)
        let maker = RootMaker(base: xfs.at("root"), rootsDirectory: xfs.at("roots"), mode: .reflink)
        let statistics = try #require(try maker.make(nodeName: "node05") { _, _ in })
        #expect(statistics.clonedFiles == 2 && statistics.copiedFiles == 0)
        let usage = try RootUsage.measure(xfs.at("roots/node05"))
        #expect(usage.sharedBytes >= 4 << 20, "the 4 MiB file shares its extents with the base")
    }

    @Test func onBtrfsASubvolumeBaseIsSnapshottedAndAPlainOneReflinked() throws {
        let btrfs = try LoopFileSystem(.btrfs)
        try base(in: btrfs, subvolume: true)
        #expect(try cheapest(btrfs) == .snapshot)
        let maker = RootMaker(base: btrfs.at("root"), rootsDirectory: btrfs.at("roots"), mode: .snapshot)
        var identityRan = false
        let statistics = try maker.make(nodeName: "node05") { root, _ in
            identityRan = true
            #expect(CopyModeProbe.isSubvolume(root), "the partial is itself a subvolume (the snapshot)")
        }
        #expect(statistics == nil && identityRan)
        let root = open(btrfs.at("roots/node05"), O_RDONLY | O_DIRECTORY)
        defer { close(root) }
        #expect(CopyModeProbe.isSubvolume(root))
        #expect(RootRecordFile.read(nodeName: "node05", rootsDirectory: btrfs.at("roots"))?.mode == .snapshot)

        // An update swaps a new snapshot in and moves the old one aside; removing a snapshot
        // root (rm --delete) empties it and removes the subvolume with rmdir.
        try maker.replace(nodeName: "node05", asidePath: btrfs.at("previous")) { _, _ in }
        var info = stat()
        #expect(lstat(btrfs.at("previous/etc/hostname"), &info) == 0)
        let top = open(btrfs.mountPoint, O_RDONLY | O_DIRECTORY)
        defer { close(top) }
        try TreeRemover.remove("previous", in: top, path: btrfs.at("previous"))
        #expect(lstat(btrfs.at("previous"), &info) != 0)

        #expect(mkdir(btrfs.at("plain"), 0o755) == 0)
        #expect(mkdir(btrfs.at("plain/etc"), 0o755) == 0)
        try LoopFileSystem.run("cp", "-a", btrfs.at("root/etc/big"), btrfs.at("plain/etc/big"))
        let roots = open(btrfs.at("roots"), O_RDONLY | O_DIRECTORY)
        defer { close(roots) }
        #expect(try CopyModeProbe.cheapest(base: btrfs.at("plain"), rootsDirectory: roots, sampleFile: "/etc/big") == .reflink)
    }
}

/// A base with a file system mounted in it (a chroot's /proc) copies as an image.
@Suite(.enabled(if: LoopFileSystem.shouldRun, LoopFileSystem.skipReason))
struct MountPointTests {
    @Test func aFileSystemMountedInTheBaseIsNotDescendedInto() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.directory("base/proc")
        scratch.file("base/keep", "image")
        try LoopFileSystem.run("mount", "-t", "tmpfs", "tmpfs", scratch.at("base/proc"))
        defer { try? LoopFileSystem.run("umount", scratch.at("base/proc")) }
        scratch.file("base/proc/hub-only", "not the image's")
        scratch.directory("roots")
        let roots = scratch.open(directory: "roots")
        defer { close(roots) }
        let copier = TreeCopier(mode: .copy)
        try copier.copy(source: scratch.at("base"), into: roots, name: "copy", destinationPath: scratch.at("roots/copy"))
        #expect(copier.statistics.otherFileSystems == ["proc"])
        #expect(scratch.names("roots/copy") == ["keep", "proc"])
        #expect(scratch.names("roots/copy/proc").isEmpty)
        #expect(try BaseImageSurvey(base: scratch.at("base")).size.entries == 3)
        #expect(try TreeListing.walk(scratch.at("base")).map(\.path).sorted() == ["keep", "proc"])
    }
}
