@testable import BrambleServer
import Glibc
import Testing

/// The per-node logs are written after the drop by the account that owns `logs/`: a link
/// it leaves there is refused, at start-up and on every write, never written through.
@Suite struct NodeLogDirectoryTests {
    let fixture: StateDirectoryTests

    init() throws { fixture = try StateDirectoryTests() }

    @Test func nodeLogLinksAreRefusedAtHandOverAndNeverWrittenThrough() throws {
        let target = fixture.plantTarget()
        let directory = try DirectoryHandle.openState(fixture.state, owner: nil)
        let logs = NodeLogDirectory(directory: try directory.subdirectory("logs", owner: nil))
        symlink(target, fixture.state + "/logs/node05.log")
        let before = fixture.snapshot(target)
        fixture.expectRefusal(.symbolicLink(path: fixture.state + "/logs/node05.log", place: .stateDirectory)) {
            try logs.append("a line", toNode: "node05")
        }
        if let account = StateDirectoryTests.nobody, geteuid() == 0 {
            fixture.expectRefusal(.symbolicLink(path: fixture.state + "/logs/node05.log", place: .stateDirectory)) { try logs.handOver(to: account) }
        }
        #expect(fixture.snapshot(target) == before)
        unlink(fixture.state + "/logs/node05.log")
        symlink(target, fixture.state + "/logs/node05.log.1")
        BootFileCacheTests.write(fixture.state + "/logs/node05.log", [UInt8](repeating: 0x78, count: NodeLogDirectory.defaultLimit))
        try logs.append("rotated over the link, not through it", toNode: "node05")
        #expect(fixture.snapshot(target) == before)
    }
}
