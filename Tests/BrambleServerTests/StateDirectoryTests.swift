@testable import BrambleServer
import BrambleTestSupport
import Glibc
import Logging
import Testing

/// The state directory and the files bramble opens as root: links, hard links and strange
/// files planted where bramble's own should be are refused, naming the path, and whatever
/// they point at is left exactly as it was.
@Suite struct StateDirectoryTests {
    let root: String
    var state: String { root + "/state" }
    /// Outside the state directory: what a planted link would lead root to.
    var outside: String { root + "/outside" }

    init() throws { root = try TemporaryDirectory.make(prefix: "bramble-state") }

    static let nobody = PrivilegeDrop.account(preferring: ["nobody"])

    struct Snapshot: Equatable {
        var uid: uid_t
        var gid: gid_t
        var mode: mode_t
        var contents: String?
    }

    func snapshot(_ path: String) -> Snapshot {
        var status = stat()
        stat(path, &status)
        let isDirectory = status.st_mode & S_IFMT == S_IFDIR
        return Snapshot(uid: status.st_uid, gid: status.st_gid, mode: status.st_mode, contents: isDirectory ? nil : BootRecorderTests.contents(path))
    }

    /// A root-owned file outside, mode 0600, holding a secret.
    func plantTarget() -> String {
        BootFileCacheTests.write(outside, Array("secret\n".utf8))
        chmod(outside, 0o600)
        return outside
    }

    func expectRefusal(_ expected: UnsafeFileError, _ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            try body()
            Issue.record("not refused: \(expected)", sourceLocation: sourceLocation)
        } catch let error as UnsafeFileError {
            #expect(error == expected, sourceLocation: sourceLocation)
        } catch {
            Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test func aLogsLinkToARootOwnedDirectoryIsRefusedAndTheDirectoryKeepsItsOwner() throws {
        let account = try #require(Self.nobody)
        mkdir(state, 0o750)
        mkdir(outside, 0o700)
        BootFileCacheTests.write(outside + "/keep.log", Array("root's\n".utf8))
        symlink(outside, state + "/logs")
        let before = (snapshot(outside), snapshot(outside + "/keep.log"))
        expectRefusal(.symbolicLink(path: state + "/logs", place: .stateDirectory)) {
            _ = try DirectoryHandle.openState(state, owner: geteuid() == 0 ? account : nil).subdirectory("logs", owner: geteuid() == 0 ? account : nil)
        }
        #expect(snapshot(outside) == before.0 && snapshot(outside + "/keep.log") == before.1)
        #expect(UnsafeFileError.symbolicLink(path: "/var/lib/bramble/logs", place: .stateDirectory).description
            == "/var/lib/bramble/logs is a symbolic link; the state directory must hold only bramble's own files: remove it")
    }

    @Test func aLeasesLinkOrHardLinkIsRefusedAndItsTargetUntouched() throws {
        let target = plantTarget()
        let directory = try DirectoryHandle.openState(state, owner: Self.nobody.flatMap { geteuid() == 0 ? $0 : nil })
        symlink(target, state + "/leases")
        let before = snapshot(target)
        expectRefusal(.symbolicLink(path: state + "/leases", place: .stateDirectory)) {
            _ = try LeaseJournalFile.open(in: directory, name: "leases", owner: Self.nobody)
        }
        unlink(state + "/leases")
        link(target, state + "/leases")
        expectRefusal(.hardLink(path: state + "/leases", links: 2, place: .stateDirectory)) {
            _ = try LeaseJournalFile.open(in: directory, name: "leases", owner: Self.nobody)
        }
        #expect(snapshot(target) == before)
        #expect(UnsafeFileError.hardLink(path: "/var/lib/bramble/leases", links: 2, place: .stateDirectory).description
            == "/var/lib/bramble/leases has 2 hard links; the state directory must hold only bramble's own files: remove it")
    }

    @Test func aNamedPipeWhereTheJournalGoesIsRefused() throws {
        let directory = try DirectoryHandle.openState(state, owner: nil)
        mkfifo(state + "/leases", 0o600)
        expectRefusal(.wrongType(path: state + "/leases", expected: "a regular file", found: "a named pipe", place: .stateDirectory)) {
            _ = try LeaseJournalFile.open(in: directory, name: "leases")
        }
    }

    @Test func aControlSocketLinkOrFileIsRefusedAndAStaleSocketReplaced() throws {
        let target = plantTarget()
        let directory = try DirectoryHandle.openState(state, owner: nil)
        let loop = try EventLoop()
        symlink(target, state + "/control.sock")
        let before = snapshot(target)
        expectRefusal(.symbolicLink(path: state + "/control.sock", place: .stateDirectory)) {
            _ = try ControlServer(directory: directory, name: "control.sock", owner: Self.nobody.map { ($0.uid, $0.gid) }, loop: loop, logger: Logger(label: "test")) { _, _ in }
        }
        #expect(snapshot(target) == before)
        unlink(state + "/control.sock")
        BootFileCacheTests.write(state + "/control.sock", [1])
        expectRefusal(.wrongType(path: state + "/control.sock", expected: "a socket", found: "a regular file", place: .stateDirectory)) {
            _ = try ControlServer(directory: directory, name: "control.sock", owner: nil, loop: loop, logger: Logger(label: "test")) { _, _ in }
        }
        unlink(state + "/control.sock")
        do { _ = try ControlServer(directory: directory, name: "control.sock", owner: nil, loop: loop, logger: Logger(label: "test")) { _, _ in } }
        var status = stat()
        #expect(lstat(state + "/control.sock", &status) != 0, "removed when the server goes")
        let stale = try UnixListener(directory: directory, name: "control.sock", mode: 0o660, owner: nil)
        let server = try ControlServer(directory: directory, name: "control.sock", owner: nil, loop: loop, logger: Logger(label: "test")) { _, _ in }
        #expect(server.path == state + "/control.sock")
        _ = stale
    }

    @Test func aStateDirectoryThatIsALinkOrAStrangersIsRefused() throws {
        mkdir(outside, 0o755)
        symlink(outside, state)
        expectRefusal(.linkedStateDirectory(path: state)) { _ = try DirectoryHandle.openState(state, owner: nil) }
        #expect(UnsafeFileError.linkedStateDirectory(path: "/var/lib/bramble").description
            == "/var/lib/bramble is a symbolic link; bramble opens the state directory without following links: set state-dir to the directory it points to")
        guard geteuid() == 0 else { return }
        let stranger = root + "/strangers"
        mkdir(stranger, 0o755)
        chown(stranger, 4242, 4242)
        do {
            _ = try DirectoryHandle.openState(stranger, owner: nil)
            Issue.record("a stranger's directory was accepted")
        } catch {
            #expect(error == .foreignOwner(path: stranger, uid: 4242, allowed: "root"))
            #expect(error.description == "\(stranger) belongs to uid 4242; it must belong to root: chown it or remove it")
        }
    }

    @Test func aCaptureOrLogFileLinkIsRefusedAndItsTargetNotTruncated() throws {
        let target = plantTarget()
        let before = snapshot(target)
        symlink(target, root + "/capture.pcap")
        expectRefusal(.symbolicLink(path: root + "/capture.pcap", place: .namedFile)) {
            _ = try CaptureFile(path: root + "/capture.pcap", maximumBytes: 1 << 20, owner: Self.nobody)
        }
        symlink(target, root + "/bramble.log")
        expectRefusal(.symbolicLink(path: root + "/bramble.log", place: .namedFile)) { _ = try LogSink.file(root + "/bramble.log") }
        link(target, root + "/hard.pcap")
        expectRefusal(.hardLink(path: root + "/hard.pcap", links: 2, place: .namedFile)) {
            _ = try CaptureFile(path: root + "/hard.pcap", maximumBytes: 1 << 20)
        }
        #expect(snapshot(target).contents == before.contents && snapshot(target).uid == before.uid && snapshot(target).mode == before.mode)
        #expect(UnsafeFileError.symbolicLink(path: "/tmp/x.pcap", place: .namedFile).description
            == "/tmp/x.pcap is a symbolic link; bramble never follows a link when it opens a file as root: give the real path")
    }

    @Test func asRootEverythingIsHandedToTheAccountOnItsDescriptor() throws {
        guard geteuid() == 0, let account = Self.nobody else {
            print("skipped: handing files to nobody needs root and a nobody account")
            return
        }
        mkdir(state, 0o700)
        mkdir(state + "/logs", 0o700)
        BootFileCacheTests.write(state + "/logs/node05.log", Array("old\n".utf8))
        let directory = try DirectoryHandle.openState(state, owner: account)
        let logs = NodeLogDirectory(directory: try directory.subdirectory("logs", owner: account))
        try logs.handOver(to: account)
        let journal = try LeaseJournalFile.open(in: directory, name: "leases", owner: account)
        let loop = try EventLoop()
        let server = try ControlServer(directory: directory, name: "control.sock", owner: (account.uid, account.gid), loop: loop, logger: Logger(label: "test")) { _, _ in }
        let capture = try CaptureFile(path: root + "/capture.pcap", maximumBytes: 1 << 20, owner: account)
        for (path, mode) in [(state, 0o750), (state + "/logs", 0o750), (state + "/logs/node05.log", 0o640), (state + "/leases", 0o640), (state + "/control.sock", 0o660), (root + "/capture.pcap", 0o640)] {
            var status = stat()
            #expect(lstat(path, &status) == 0)
            #expect(status.st_uid == account.uid && status.st_gid == account.gid, "\(path)")
            #expect(status.st_mode & 0o7777 == mode_t(mode), "\(path): \(String(status.st_mode & 0o7777, radix: 8))")
        }
        _ = (journal, server, capture)
        // The next run opens the capture the previous one handed over.
        let again = try CaptureFile(path: root + "/capture.pcap", maximumBytes: 1 << 20, owner: account)
        #expect(again.bytesInFile > 0)
    }
}
