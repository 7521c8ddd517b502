@testable import BrambleCommands
import BrambleNodeMap
import BrambleRoots
import BrambleTestSupport
import Glibc
import Testing

@Suite struct RootsRemoveTests {
    func made() throws -> (TemporaryDirectory, BrambleConfig) {
        let (directory, configuration) = try RootsCreateTests().cluster()
        var creation = RootsCreation(configuration: configuration, references: ["5", "6"], forcedMode: nil, base: nil)
        creation.say = { _ in }
        try creation.run()
        return (directory, configuration)
    }

    @Test func rmMovesTheRootAsideAndTheNodeBacksOntoTheSharedBase() throws {
        let (directory, configuration) = try made()
        var removal = RootsRemoval(configuration: configuration, references: ["node05"], delete: false)
        var said: [String] = []
        removal.say = { said.append($0) }
        removal.now = { 1_796_655_845 }
        try removal.run()
        #expect(directory.read("pxe/roots/.removed/node05-20261207T150405Z/etc/hostname") == "node05\n")
        #expect(TextFile.directoryNames(directory.file("pxe/roots"))?.sorted() == [".removed", ".web06.made", "web06"])
        #expect(directory.read("nodes")?.hasPrefix("5 b8:27:eb:00:00:05\n6 b8:27:eb:00:00:06 web06 root=") == true)
        #expect(said.first == "node05: moving \(directory.path)/pxe/roots/node05 to \(directory.path)/pxe/roots/.removed/node05-20261207T150405Z")
    }

    @Test func deleteRemovesTheRootForGood() throws {
        let (directory, configuration) = try made()
        try RootsRemoval(configuration: configuration, references: ["web06"], delete: true).run()
        #expect(TextFile.directoryNames(directory.file("pxe/roots"))?.sorted() == [".node05.made", "node05"])
    }

    @Test func aRootSetByHandIsNotTouchedInTheMap() throws {
        let (directory, configuration) = try made()
        try directory.file("nodes", text: "5 b8:27:eb:00:00:05 root=10.42.0.9:/elsewhere\n6 b8:27:eb:00:00:06 web06\n")
        try RootsRemoval(configuration: configuration, references: ["5"], delete: false).run()
        #expect(directory.read("nodes") == "5 b8:27:eb:00:00:05 root=10.42.0.9:/elsewhere\n6 b8:27:eb:00:00:06 web06\n")
    }
}

@Suite struct RootsListTests {
    @Test func listNamesModeSizeAndStateAndStrayRoots() throws {
        let (directory, configuration) = try RootsRemoveTests().made()
        try directory.directory("pxe/roots/.node07.partial")
        try directory.directory("pxe/roots/retired")
        let map = try NodeMapFile(path: configuration.nodesPath, subnet: configuration.subnet).load()
        let lines = RootsListing(layout: NodeRootLayout(configuration), sizes: true).render(map: map, nodesPath: configuration.nodesPath)
            .split(separator: "\n").map { $0.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ") }
        #expect(lines[0] == "NODE PATH MODE SIZE SHARED STATE")
        #expect(lines[1].hasPrefix("node05 \(directory.path)/pxe/roots/node05 copy ") && lines[1].hasSuffix(" 0 B made"))
        #expect(lines[3] == "node07 \(directory.path)/pxe/roots/node07 - - - interrupted (partial left)")
        #expect(lines[4] == "\(directory.path)/pxe/roots/retired: no node of \(configuration.nodesPath) has this name")
    }
}
