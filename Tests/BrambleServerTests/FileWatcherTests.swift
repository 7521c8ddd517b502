@testable import BrambleServer
import BrambleTestSupport
import Glibc
import Testing

@Suite struct FileWatcherTests {
    @Test func aRenameOverTheFileAndAnInPlaceWriteAreEachSeenOnce() throws {
        let directory = try TemporaryDirectory.make(prefix: "bramble-watch")
        let watched = directory + "/nodes"
        defer {
            for name in ["nodes", "nodes.tmp", "other"] { unlink(directory + "/" + name) }
            rmdir(directory)
        }
        func write(_ path: String, _ text: String) {
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            _ = Array(text.utf8).withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            close(fd)
        }
        write(watched, "1 b8:27:eb:00:00:01\n")
        let loop = try EventLoop()
        var batches: [Set<String>] = []
        let watcher = try FileWatcher(paths: [watched], loop: loop, settleMilliseconds: 50) { changed in
            batches.append(changed)
        }
        loop.schedule(afterMilliseconds: 10) {
            write(directory + "/other", "unrelated")
            write(directory + "/nodes.tmp", "2 b8:27:eb:00:00:02\n")
            rename(directory + "/nodes.tmp", watched)
        }
        loop.schedule(afterMilliseconds: 200) { write(watched, "3 b8:27:eb:00:00:03\n") }
        loop.schedule(afterMilliseconds: 500) { loop.stop() }
        try loop.run()
        #expect(batches == [[watched], [watched]])
        withExtendedLifetime(watcher) {}
    }
}
