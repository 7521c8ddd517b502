import BrambleRootFiles
import BrambleRoots
import CRootShims
import Glibc
import Testing

/// The copier on real temporary trees: what a root needs survives the copy, and nothing
/// outside the source is read or written through a link.
@Suite struct TreeCopierTests {
    /// Copies `scratch/base` to `scratch/roots/copy` in `mode`.
    @discardableResult
    func copy(_ scratch: ScratchTree, mode: TreeCopier.DataMode = .copy) throws -> TreeCopyStatistics {
        if !scratch.exists("roots") { scratch.directory("roots") }
        let roots = scratch.open(directory: "roots")
        defer { close(roots) }
        let copier = TreeCopier(mode: mode)
        try copier.copy(source: scratch.at("base"), into: roots, name: "copy", destinationPath: scratch.at("roots/copy"))
        return copier.statistics
    }

    @Test func hardLinksStayOneFileWithSeveralNames() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.directory("base/bin")
        scratch.file("base/bin/gzip", "binary")
        #expect(Glibc.link(scratch.at("base/bin/gzip"), scratch.at("base/bin/gunzip")) == 0)
        scratch.directory("base/sbin")
        #expect(Glibc.link(scratch.at("base/bin/gzip"), scratch.at("base/sbin/zcat")) == 0)
        let statistics = try copy(scratch)
        let first = try #require(scratch.status("roots/copy/bin/gzip"))
        let second = try #require(scratch.status("roots/copy/bin/gunzip"))
        let third = try #require(scratch.status("roots/copy/sbin/zcat"))
        #expect(first.st_ino == second.st_ino && second.st_ino == third.st_ino)
        #expect(first.st_nlink == 3)
        #expect(first.st_ino != scratch.status("base/bin/gzip")!.st_ino)
        #expect(statistics.hardLinks == 2 && statistics.copiedFiles == 1)
        #expect(scratch.read("roots/copy/sbin/zcat") == "binary")
    }

    @Test func aSparseFileStaysSparse() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        let fd = open(scratch.at("base/disk.img"), O_WRONLY | O_CREAT, 0o644)
        #expect(ftruncate(fd, 64 << 20) == 0)
        let marker = Array("data in the middle".utf8)
        #expect(marker.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 32 << 20) } == marker.count)
        close(fd)
        try copy(scratch)
        let copied = try #require(scratch.status("roots/copy/disk.img"))
        #expect(copied.st_size == 64 << 20)
        #expect(copied.st_blocks * 512 < 1 << 20, "64 MiB with 18 bytes of data must not allocate the holes")
        let input = open(scratch.at("roots/copy/disk.img"), O_RDONLY)
        defer { close(input) }
        var buffer = [UInt8](repeating: 0, count: marker.count)
        #expect(buffer.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, 32 << 20) } == marker.count)
        #expect(buffer == marker)
        var zero = [UInt8](repeating: 1, count: 16)
        _ = zero.withUnsafeMutableBytes { pread(input, $0.baseAddress, $0.count, 1 << 20) }
        #expect(zero == [UInt8](repeating: 0, count: 16))
    }

    @Test func linksPointingOutsideAreCopiedAsLinksAndNeverFollowed() throws {
        let scratch = ScratchTree()
        scratch.directory("outside")
        scratch.file("outside/secret", "not part of the image")
        scratch.directory("base")
        scratch.directory("base/etc")
        scratch.link("base/escape", to: scratch.at("outside"))
        scratch.link("base/etc/up", to: "../../outside")
        scratch.link("base/etc/rootlink", to: "/")
        let statistics = try copy(scratch)
        for name in ["escape", "etc/up", "etc/rootlink"] {
            let info = try #require(scratch.status("roots/copy/" + name))
            #expect(info.st_mode & S_IFMT == S_IFLNK, "\(name) must be a link, not what it points to")
        }
        #expect(scratch.linkTarget("roots/copy/escape") == scratch.at("outside"))
        #expect(scratch.linkTarget("roots/copy/etc/up") == "../../outside")
        #expect(statistics.symbolicLinks == 3)
        #expect(statistics.copiedFiles == 0, "no file behind a link was read")
        #expect(scratch.names("outside") == ["secret"])
    }

    @Test func ownersModesTimesAndExtendedAttributesAreKept() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.directory("base/usr", mode: 0o750)
        scratch.file("base/usr/passwd", "suid", mode: 0o4755)
        #expect(chown(scratch.at("base/usr/passwd"), 0, 42) == 0)
        #expect(chmod(scratch.at("base/usr/passwd"), 0o4755) == 0, "after chown, which clears set-user-ID")
        scratch.file("base/usr/owned", "x", mode: 0o640)
        #expect(chown(scratch.at("base/usr/owned"), 1234, 5678) == 0)
        let value = Array("kept".utf8)
        let set = value.withUnsafeBytes { bytes in
            scratch.at("base/usr/owned").withCString { bramble_lsetxattr($0, "user.bramble", bytes.baseAddress, bytes.count) }
        }
        #expect(set == 0)
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 123_000), timespec(tv_sec: 1_200_000_000, tv_nsec: 456_000)]
        #expect(utimensat(AT_FDCWD, scratch.at("base/usr/owned"), &times, 0) == 0)
        #expect(utimensat(AT_FDCWD, scratch.at("base/usr"), &times, 0) == 0)
        try copy(scratch)
        let suid = try #require(scratch.status("roots/copy/usr/passwd"))
        #expect(suid.st_mode & 0o7777 == 0o4755 && suid.st_gid == 42, "chown before chmod, or the copy loses set-user-ID")
        let owned = try #require(scratch.status("roots/copy/usr/owned"))
        #expect(owned.st_uid == 1234 && owned.st_gid == 5678 && owned.st_mode & 0o7777 == 0o640)
        #expect(owned.st_mtim.tv_sec == 1_200_000_000 && owned.st_mtim.tv_nsec == 456_000)
        let directory = try #require(scratch.status("roots/copy/usr"))
        #expect(directory.st_mode & 0o7777 == 0o750 && directory.st_mtim.tv_sec == 1_200_000_000)
        var read = [UInt8](repeating: 0, count: 16)
        let length = read.withUnsafeMutableBytes { buffer in
            scratch.at("roots/copy/usr/owned").withCString { bramble_lgetxattr($0, "user.bramble", buffer.baseAddress, buffer.count) }
        }
        #expect(length == value.count && Array(read.prefix(max(length, 0))) == value)
    }

    @Test func fifosAndDeviceNodesAreMadeNotRead() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.directory("base/dev")
        #expect(mkfifo(scratch.at("base/dev/initctl"), 0o600) == 0)
        #expect(mknod(scratch.at("base/dev/null"), S_IFCHR | 0o666, nullDevice) == 0, "needs root (mknod)")
        chmod(scratch.at("base/dev/null"), 0o666)
        let statistics = try copy(scratch)
        let fifo = try #require(scratch.status("roots/copy/dev/initctl"))
        #expect(fifo.st_mode & S_IFMT == S_IFIFO)
        let null = try #require(scratch.status("roots/copy/dev/null"))
        #expect(null.st_mode & S_IFMT == S_IFCHR && null.st_rdev == nullDevice && null.st_mode & 0o777 == 0o666)
        #expect(statistics.specialFiles == 2)
    }

    @Test func reflinkModeFallsBackToCopyingWhereTheFileSystemCannotShare() throws {
        // /tmp here is ext4, which has no reflinks: every file must still arrive whole.
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.file("base/a", "alpha")
        let statistics = try copy(scratch, mode: .reflink)
        #expect(scratch.read("roots/copy/a") == "alpha")
        #expect(statistics.clonedFiles + statistics.copiedFiles == 1)
    }

    @Test func anExistingDestinationIsNeverWrittenInto() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.file("base/a", "new")
        scratch.directory("roots")
        scratch.directory("roots/copy")
        scratch.file("roots/copy/a", "old")
        #expect(throws: RootFileError.self) { try copy(scratch) }
        #expect(scratch.read("roots/copy/a") == "old")
    }
}

/// /dev/null's device number, character device 1:3, in glibc's dev_t encoding.
let nullDevice: dev_t = (1 << 8) | 3

/// POSIX ACLs travel as the system.posix_acl_access and system.posix_acl_default extended
/// attributes (acl(5)); the copier keeps them as it keeps any attribute.
@Suite struct AccessControlListTests {
    /// An access ACL in the kernel's xattr format: version 2, then (tag, permissions, id)
    /// entries in tag order: owner rw-, user 1234 r--, group r--, mask r--, other ---.
    static let acl: [UInt8] = {
        func entry(_ tag: UInt16, _ permissions: UInt16, _ id: UInt32) -> [UInt8] {
            withUnsafeBytes(of: tag.littleEndian, Array.init) + withUnsafeBytes(of: permissions.littleEndian, Array.init)
                + withUnsafeBytes(of: id.littleEndian, Array.init)
        }
        return withUnsafeBytes(of: UInt32(2).littleEndian, Array.init) + entry(0x01, 6, .max) + entry(0x02, 4, 1234) + entry(0x04, 4, .max)
            + entry(0x10, 4, .max) + entry(0x20, 0, .max)
    }()

    func attribute(_ name: String, of path: String) -> [UInt8]? {
        var value = [UInt8](repeating: 0, count: 256)
        let length = value.withUnsafeMutableBytes { buffer in path.withCString { bramble_lgetxattr($0, name, buffer.baseAddress, buffer.count) } }
        return length < 0 ? nil : Array(value.prefix(length))
    }

    @Test func accessAndDefaultACLsAreKept() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.directory("base/shared")
        scratch.file("base/shared/report", "x", mode: 0o640)
        for (name, path) in [("system.posix_acl_access", "base/shared/report"), ("system.posix_acl_default", "base/shared")] {
            let set = Self.acl.withUnsafeBytes { bytes in scratch.at(path).withCString { bramble_lsetxattr($0, name, bytes.baseAddress, bytes.count) } }
            #expect(set == 0, "setting \(name) on \(path)")
        }
        let original = try #require(attribute("system.posix_acl_access", of: scratch.at("base/shared/report")))
        scratch.directory("roots")
        let roots = scratch.open(directory: "roots")
        defer { close(roots) }
        try TreeCopier(mode: .copy).copy(source: scratch.at("base"), into: roots, name: "copy", destinationPath: scratch.at("roots/copy"))
        #expect(attribute("system.posix_acl_access", of: scratch.at("roots/copy/shared/report")) == original)
        #expect(attribute("system.posix_acl_default", of: scratch.at("roots/copy/shared")) == attribute("system.posix_acl_default", of: scratch.at("base/shared")))
        #expect(scratch.status("roots/copy/shared/report")!.st_mode & 0o777 == scratch.status("base/shared/report")!.st_mode & 0o777)
    }
}
