import ArgumentParser
@testable import BrambleCommands
import BrambleBoot
import BrambleControl
import BrambleNodeMap
import BrambleTestSupport
import Glibc
import Testing

/// Runs `bramble ARGS...` in-process; throws what the command throws.
func runBramble(_ arguments: [String]) throws {
    var command = try BrambleCommand.parseAsRoot(arguments)
    try command.run()
}

@Suite struct NodesCommandTests {
    let directory: TemporaryDirectory

    init() throws { directory = try TemporaryDirectory() }
    let map = """
        # rack A
        1   b8:27:eb:10:00:01           # top
        2   b8:27:eb:10:00:02  web02
        250 b8:27:eb:fa:00:fa  hub
        """ + "\n"

    var nodes: String { directory.file("nodes") }

    @Test func addSetRemoveRoundTripKeepsUntouchedLines() throws {
        directory.write("nodes", map)
        try runBramble(["nodes", "add", "--nodes", nodes, "3", "b8:27:eb:10:00:03", "db03", "disabled"])
        try runBramble(["nodes", "set", "--nodes", nodes, "web02", "root=10.42.0.250:/pxe/root/web02"])
        try runBramble(["nodes", "set", "--nodes", nodes, "3", "--unset", "disabled", "--default-name"])
        #expect(directory.read("nodes") == """
            # rack A
            1   b8:27:eb:10:00:01           # top
            2   b8:27:eb:10:00:02  web02 root=10.42.0.250:/pxe/root/web02
            3   b8:27:eb:10:00:03
            250 b8:27:eb:fa:00:fa  hub
            """ + "\n")
        try runBramble(["nodes", "rm", "--nodes", nodes, "3", "b8:27:eb:10:00:02"])
        #expect(directory.read("nodes") == "# rack A\n1   b8:27:eb:10:00:01           # top\n250 b8:27:eb:fa:00:fa  hub\n")
        #expect(directory.entries() == ["nodes"], "no temporary files are left behind")
    }

    @Test(arguments: [
        ["nodes", "add", "4", "b8:27:eb:10:00:01"],  // duplicate MAC
        ["nodes", "add", "2", "b8:27:eb:10:00:09"],  // existing ID
        ["nodes", "add", "4", "b8:27:eb:10:00:04", "web02"],  // duplicate name
        ["nodes", "add", "300", "b8:27:eb:10:00:04"],  // outside the subnet
        ["nodes", "set", "1", "--name", "hub"],
        ["nodes", "set", "1", "--mac", "b8:27:eb:fa:00:fa"],
        ["nodes", "set", "7", "disabled"],  // no such node
        ["nodes", "rm", "1", "nosuch"],  // second one missing: nothing removed
    ])
    func refusedEditsLeaveTheFileExactlyAsItWas(arguments: [String]) throws {
        directory.write("nodes", map, mode: 0o640)
        var before = stat()
        stat(nodes, &before)
        #expect(throws: (any Error).self) { try runBramble(arguments + ["--nodes", nodes]) }
        #expect(directory.read("nodes") == map)
        var after = stat()
        stat(nodes, &after)
        #expect(after.st_ino == before.st_ino, "the file was not replaced")
        #expect(directory.entries() == ["nodes"])
    }

    @Test func refusalNamesFileLineAndReason() throws {
        directory.write("nodes", map)
        do {
            try runBramble(["nodes", "add", "--nodes", nodes, "4", "b8:27:eb:10:00:01"])
            Issue.record("the duplicate MAC was accepted")
        } catch let error as EditRefused {
            #expect(error.message == """
                \(nodes): not changed: the result would be invalid:
                  \(nodes):4: MAC b8:27:eb:10:00:01 is already node 1's (line 2); each Pi appears once
                """)
        }
    }

    @Test func editsKeepTheFileModeAndFollowSymlinks() throws {
        directory.write("real-nodes", map, mode: 0o640)
        symlink(directory.file("real-nodes"), nodes)
        try runBramble(["nodes", "add", "--nodes", nodes, "3", "b8:27:eb:10:00:03"])
        var info = stat()
        lstat(nodes, &info)
        #expect(info.st_mode & S_IFMT == S_IFLNK, "the symlink is still a symlink")
        stat(directory.file("real-nodes"), &info)
        #expect(info.st_mode & 0o777 == 0o640)
        #expect(directory.read("real-nodes")?.contains("3   b8:27:eb:10:00:03") == true)
    }

    @Test func firstAddCreatesTheFile() throws {
        try runBramble(["nodes", "add", "--nodes", nodes, "1", "b8:27:eb:10:00:01"])
        #expect(directory.read("nodes") == "1 b8:27:eb:10:00:01\n")
    }

    @Test func badArgumentsAreUsageErrors() {
        directory.write("nodes", map)
        #expect(throws: ValidationError.self) { try runBramble(["nodes", "add", "--nodes", nodes, "4", "zz:zz"]) }
        #expect(throws: (any Error).self) { try runBramble(["nodes", "set", "--nodes", nodes, "1"]) }
        #expect(throws: (any Error).self) { try runBramble(["nodes", "list", "--nodes", nodes, "--address", "10.42.0.250"]) }
    }

    @Test func tableShowsEveryColumn() throws {
        let parsed = try NodeMap(parsing: map + "5 dc:a6:32:XX:XX:XX\n6 f0:9f:c2:00:00:06 sw2 disabled\n", fileName: "nodes", subnet: clusterSubnet)
        #expect(NodeTable.render(parsed) == """
            ID   MAC                IP           NAME    VENDOR              MODEL  SETTINGS
            1    b8:27:eb:10:00:01  10.42.0.1    node01  Raspberry Pi (1-3)  -
            2    b8:27:eb:10:00:02  10.42.0.2    web02   Raspberry Pi (1-3)  -
            250  b8:27:eb:fa:00:fa  10.42.0.250  hub     Raspberry Pi (1-3)  -
            5    dc:a6:32:xx:xx:xx  10.42.0.5    node05  Raspberry Pi (4)    -      (not enrolled)
            6    f0:9f:c2:00:00:06  10.42.0.6    sw2     -                   -      disabled
            5 nodes in nodes: 4 with a MAC, 1 awaiting enrollment, 1 disabled

            """)
    }

    /// The models come from the running daemon's status, matched by ID and MAC: a status
    /// row whose MAC is not the map's (another map, a node re-enrolled) lends no model.
    @Test func theModelIsTheOneTheDaemonHeardFromThatMAC() throws {
        let parsed = try NodeMap(parsing: map, fileName: "nodes", subnet: clusterSubnet)
        let report = StatusReport(now: 0, nodes: [
            NodeStatus(id: 1, name: "node01", ip: "10.42.0.1", mac: "b8:27:eb:10:00:01", stage: .up, stageSince: 0, bootStarted: 0,
                       bootMilliseconds: 1, reboots: 0, lastError: nil, model: "CM4 4GB rev 1.1"),
            NodeStatus(id: 2, name: "web02", ip: "10.42.0.2", mac: "b8:27:eb:99:00:02", stage: .up, stageSince: 0, bootStarted: 0,
                       bootMilliseconds: 1, reboots: 0, lastError: nil, model: "Pi 400 4GB rev 1.0"),
        ])
        let models = ReportedModels(report)
        #expect(NodeTable.render(parsed, models: models).split(separator: "\n").dropFirst().prefix(2) == [
            "1    b8:27:eb:10:00:01  10.42.0.1    node01  Raspberry Pi (1-3)  CM4 4GB rev 1.1",
            "2    b8:27:eb:10:00:02  10.42.0.2    web02   Raspberry Pi (1-3)  -",
        ])
        #expect(NodeListing(node: parsed.node(id: 1)!, in: parsed, models: models).model == "CM4 4GB rev 1.1")
        #expect(NodeListing(node: parsed.node(id: 2)!, in: parsed, models: models).model == nil)
    }

    /// No daemon on the socket: the map is listed from its file, every model unknown.
    @Test func withoutADaemonTheModelsAreUnknown() throws {
        let parsed = try NodeMap(parsing: map, fileName: "nodes", subnet: clusterSubnet)
        let models = NodesListCommand.reportedModels(socketPath: directory.file("control.sock"))
        #expect(NodeListing(node: parsed.node(id: 1)!, in: parsed, models: models).model == nil)
        directory.write("nodes", map)
        try runBramble(["nodes", "list", "--nodes", nodes, "--address", "10.42.0.250/24"])
    }

    @Test func jsonListingHasOneObjectPerNode() throws {
        let parsed = try NodeMap(parsing: map, fileName: "nodes", subnet: clusterSubnet)
        let listing = parsed.nodes.map { NodeListing(node: $0, in: parsed) }
        #expect(listing[1] == NodeListing(node: parsed.node(id: 2)!, in: parsed))
        #expect(listing.map(\.ip) == ["10.42.0.1", "10.42.0.2", "10.42.0.250"])
        #expect(listing[2].vendor == "Raspberry Pi (1-3)" && listing[2].name == "hub" && listing[2].line == 4)
    }
}
