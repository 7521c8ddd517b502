@testable import BrambleServer
import BrambleTestSupport
import BrambleWire
import Glibc
import Testing

/// A node's log descriptor is reused for ``NodeLogDirectory/descriptorLifetime`` (one
/// `write` per line instead of four system calls), then the file is opened by name again,
/// so an operator's rotation or deletion is followed; the lines are the same either way.
@Suite struct NodeLogDescriptorReuseTests {
    final class ManualClock: @unchecked Sendable {
        var now = MonotonicInstant(nanoseconds: 1_000_000_000)
        func advance(milliseconds: Int) { now = now.adding(milliseconds: milliseconds) }
    }

    let directory: String
    let clock = ManualClock()
    let logs: NodeLogDirectory

    init() throws {
        directory = try TemporaryDirectory.make(prefix: "bramble-node-logs")
        let clock = clock
        logs = NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil), clock: { clock.now })
    }

    @Test func linesAreTheSameWithTheDescriptorKept() throws {
        var expected = ""
        for index in 0..<50 {
            let line = "2026-12-02T04:19:43.478Z +0.\(index)s node37 addressed   DHCPDISCOVER (Pi 3B ROM) -> OFFER 10.42.0.37"
            try logs.append(line, toNode: "node37")
            expected += line + "\n"
            if index % 10 == 9 { clock.advance(milliseconds: 300) }
        }
        #expect(BootRecorderTests.contents("\(directory)/node37.log") == expected)
        #expect(logs.openFileCount == 1)
    }

    @Test func aRotatedLogIsFollowedOnceTheDescriptorExpires() throws {
        try logs.append("first", toNode: "node05")
        // An operator's rotation within the lifetime: the kept descriptor still writes to
        // the renamed file (the line is not lost, it is in the rotated file).
        #expect(rename("\(directory)/node05.log", "\(directory)/node05.log.old") == 0)
        try logs.append("second", toNode: "node05")
        #expect(BootRecorderTests.contents("\(directory)/node05.log.old") == "first\nsecond\n")
        #expect(BootRecorderTests.contents("\(directory)/node05.log") == nil)
        clock.advance(milliseconds: 1001)
        try logs.append("third", toNode: "node05")
        #expect(BootRecorderTests.contents("\(directory)/node05.log") == "third\n")
        #expect(BootRecorderTests.contents("\(directory)/node05.log.old") == "first\nsecond\n")
    }

    /// Past its lifetime a descriptor is kept while the node's name still leads to the file
    /// it has open, and dropped for the new file once an operator renamed the log away.
    /// (node06 only runs the sweep of expired descriptors, once a second at an append.)
    @Test func anExpiredDescriptorIsKeptWhileItsNameLeadsToItsFile() throws {
        clock.advance(milliseconds: 500)
        try logs.append("first", toNode: "node05")
        clock.advance(milliseconds: 600)
        try logs.append("x", toNode: "node06")
        clock.advance(milliseconds: 500)
        try logs.append("second", toNode: "node05")
        #expect(logs.filesOpened == 3, "node05 twice (the file was new the first time), node06 once")
        clock.advance(milliseconds: 600)
        try logs.append("y", toNode: "node06")
        clock.advance(milliseconds: 500)
        try logs.append("third", toNode: "node05")
        #expect(logs.filesOpened == 4, "node06 again (its file was new when opened), not node05")
        clock.advance(milliseconds: 600)
        try logs.append("z", toNode: "node06")
        #expect(rename("\(directory)/node05.log", "\(directory)/node05.log.old") == 0)
        clock.advance(milliseconds: 500)
        try logs.append("fourth", toNode: "node05")
        #expect(BootRecorderTests.contents("\(directory)/node05.log.old") == "first\nsecond\nthird\n")
        #expect(BootRecorderTests.contents("\(directory)/node05.log") == "fourth\n")
    }

    @Test func aDeletedLogIsCreatedAgainOnceTheDescriptorExpires() throws {
        try logs.append("first", toNode: "node05")
        #expect(unlink("\(directory)/node05.log") == 0)
        clock.advance(milliseconds: 1001)
        try logs.append("second", toNode: "node05")
        #expect(BootRecorderTests.contents("\(directory)/node05.log") == "second\n")
    }

    @Test func expiredDescriptorsAreClosedAtTheNextAppend() throws {
        for id in 0..<10 { try logs.append("line", toNode: "node\(id)") }
        #expect(logs.openFileCount == 10)
        clock.advance(milliseconds: 1500)
        try logs.append("line", toNode: "node0")
        #expect(logs.openFileCount == 1)
    }

    @Test func openDescriptorsAreBounded() throws {
        for id in 0..<(NodeLogDirectory.maximumOpenFiles + 20) { try logs.append("line \(id)", toNode: "node\(id)") }
        #expect(logs.openFileCount <= NodeLogDirectory.maximumOpenFiles)
        for id in [0, NodeLogDirectory.maximumOpenFiles + 19] {
            #expect(BootRecorderTests.contents("\(directory)/node\(id).log") == "line \(id)\n")
        }
    }

    /// The size is tracked across kept-descriptor writes, so rotation happens at the limit
    /// exactly as when every line opened the file.
    @Test func rotationAtTheLimitWithTheDescriptorKept() throws {
        let logs = NodeLogDirectory(directory: try DirectoryHandle.openState(directory, owner: nil), limit: 100, clock: { [clock] in clock.now })
        let line = String(repeating: "x", count: 39)
        for _ in 0..<3 { try logs.append(line, toNode: "node05") }
        #expect(BootRecorderTests.contents("\(directory)/node05.log") == line + "\n")
        #expect(BootRecorderTests.contents("\(directory)/node05.log.1") == line + "\n" + line + "\n")
        #expect(logs.openFileCount == 1)
    }
}
