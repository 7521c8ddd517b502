@testable import BrambleServer
import BrambleTFTP
import BrambleTestSupport
import Glibc
import Testing

@Suite struct BootFileCacheTests {
    static func write(_ path: String, _ bytes: [UInt8]) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
    }

    static func bytes(of file: any TFTPFileContents) -> [UInt8] {
        (try? file.bytes(in: 0..<file.count)) ?? []
    }

    @Test func aFileIsOpenedOnceAndARenameGivesANewVersionWhileTheOldStaysReadable() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-cache")
        defer { for name in ["kernel.img", "kernel.new", "empty"] { unlink(directory + "/" + name) }; rmdir(directory) }
        let path = directory + "/kernel.img"
        Self.write(path, [1, 2, 3, 4, 5])
        let cache = BootFileCache()
        let first = try cache.file(at: path)
        #expect(try cache.file(at: path) === first, "the same version is opened once")
        #expect(try first.bytes(in: 1..<4) == [2, 3, 4])

        Self.write(directory + "/kernel.new", [9, 8, 7])
        #expect(rename(directory + "/kernel.new", path) == 0)
        let second = try cache.file(at: path)
        #expect(second !== first)
        #expect(Self.bytes(of: second) == [9, 8, 7])
        #expect(Self.bytes(of: first) == [1, 2, 3, 4, 5], "a running transfer keeps the bytes it started with")

        Self.write(directory + "/empty", [])
        #expect(try cache.file(at: directory + "/empty").count == 0)
        unlink(path)
        #expect(throws: SystemCallError.self) { try cache.file(at: path) }
        #expect(cache.count == 1, "a vanished file leaves the cache")
    }

    @Test func theTreeRefusesLinksLeadingOutsideAndServesLinksInside() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-cache")
        defer {
            for name in ["boot/a.bin", "boot/in.bin", "boot/out", "boot/etc", "boot/sub", "secret"] { unlink(directory + "/" + name) }
            rmdir(directory + "/boot/sub"); rmdir(directory + "/boot"); rmdir(directory)
        }
        mkdir(directory + "/boot", 0o755)
        mkdir(directory + "/boot/sub", 0o755)
        Self.write(directory + "/boot/a.bin", [1])
        Self.write(directory + "/secret", [2])
        symlink("a.bin", directory + "/boot/in.bin")
        symlink("../secret", directory + "/boot/out")
        symlink("/etc", directory + "/boot/etc")
        let tree = FileSystemBootTree(root: directory + "/boot")
        #expect(tree.entry(at: "a.bin") == .file)
        #expect(tree.entry(at: "in.bin") == .file)
        #expect(tree.entry(at: "sub") == .directory)
        #expect(tree.entry(at: "missing") == .missing)
        #expect(tree.entry(at: "out") == .outsideRoot)
        #expect(tree.entry(at: "etc/passwd") == .outsideRoot)
        #expect(tree.realPathInsideRoot("in.bin")?.hasSuffix("/boot/a.bin") == true)
        #expect(tree.realPathInsideRoot("out") == nil)
    }

    /// `cat new > file` while a transfer reads it: the truncation shows as a short read,
    /// a rewrite to a larger size as a change; neither traps (a mapping would raise SIGBUS),
    /// and the cache hands the next request the new version.
    @Test func aFileRewrittenInPlaceFailsItsReadersAndTheNextRequestGetsTheNewVersion() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-cache")
        defer { unlink(directory + "/start4.elf"); rmdir(directory) }
        let path = directory + "/start4.elf"
        let old = (0..<100_000).map { UInt8(truncatingIfNeeded: $0) }
        Self.write(path, old)
        let cache = BootFileCache()
        let running = try cache.file(at: path)
        #expect(try running.bytes(in: 90_000..<91_000) == Array(old[90_000..<91_000]))

        #expect(truncate(path, 0) == 0)
        #expect(throws: TFTPReadError.shortRead(offset: 90_000, expected: 1000, read: 0)) { try running.bytes(in: 90_000..<91_000) }
        #expect(throws: TFTPReadError.self) { try NetasciiContents(source: running) }

        let new = [UInt8](repeating: 0x5a, count: 200_000)
        let fd = open(path, O_WRONLY)
        _ = new.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
        close(fd)
        #expect(throws: TFTPReadError.changed) { try running.bytes(in: 99_000..<100_000) }
        #expect(throws: TFTPReadError.changed) { try NetasciiContents(source: running) }

        let next = try cache.file(at: path)
        #expect(next !== running)
        #expect(next.count == 200_000)
        #expect(Self.bytes(of: next) == new)
    }

    /// Same inode, size and modification time; only the change time moves (a chmod, or a
    /// tool that restores mtime after writing): the cache opens it again, while a running
    /// transfer, whose bytes did not change, goes on.
    @Test func theIdentityCoversTheChangeTime() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-cache")
        defer { unlink(directory + "/config.txt"); rmdir(directory) }
        let path = directory + "/config.txt"
        Self.write(path, [1, 2, 3])
        let cache = BootFileCache()
        let first = try cache.file(at: path)
        usleep(20_000)
        #expect(chmod(path, 0o600) == 0)
        #expect(try first.bytes(in: 0..<3) == [1, 2, 3])
        #expect(try cache.file(at: path) !== first)
    }
}
