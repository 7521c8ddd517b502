import BrambleRootFiles
import BrambleRoots
import Glibc
import Testing

/// A root appears complete or not at all.
@Suite struct RootMakerTests {
    struct Interrupted: Error {}

    func scratchWithBase() -> ScratchTree {
        let scratch = ScratchTree()
        scratch.directory("root")
        scratch.directory("root/etc")
        scratch.file("root/etc/hostname", "raspberrypi\n")
        scratch.directory("roots")
        return scratch
    }

    @Test func anInterruptedCreateLeavesOnlyThePartialNeverARoot() throws {
        let scratch = scratchWithBase()
        let maker = RootMaker(base: scratch.at("root"), rootsDirectory: scratch.at("roots"), mode: .copy)
        #expect(throws: Interrupted.self) {
            try maker.make(nodeName: "node05") { _, _ in throw Interrupted() }
        }
        #expect(scratch.names("roots") == [".node05.partial"])
        let entries = scratch.names("roots").map { RootsDirectoryEntry(name: $0, kind: .directory) }
        #expect(RootState.of(nodeNamed: "node05", among: entries) == .interrupted)
    }

    @Test func aFinishedRootIsRenamedIntoPlaceWithItsRecord() throws {
        let scratch = scratchWithBase()
        let maker = RootMaker(base: scratch.at("root"), rootsDirectory: scratch.at("roots"), mode: .copy)
        var sawPartial = ""
        try maker.make(nodeName: "node05") { _, path in sawPartial = path }
        #expect(sawPartial == scratch.at("roots/.node05.partial"), "identity is written before the rename")
        #expect(scratch.names("roots") == [".node05.made", "node05"])
        #expect(scratch.read("roots/node05/etc/hostname") == "raspberrypi\n")
        #expect(RootRecordFile.read(nodeName: "node05", rootsDirectory: scratch.at("roots")) == RootRecord(mode: .copy, base: scratch.at("root")))
    }

    @Test func aRootThatAppearedMeanwhileIsNeverReplaced() throws {
        let scratch = scratchWithBase()
        scratch.directory("roots/node05")
        scratch.file("roots/node05/mine", "the node's")
        let maker = RootMaker(base: scratch.at("root"), rootsDirectory: scratch.at("roots"), mode: .copy)
        #expect(throws: RootFileError.self) { try maker.make(nodeName: "node05") { _, _ in } }
        #expect(scratch.read("roots/node05/mine") == "the node's")
    }

    @Test func removingAPartialNeverFollowsALinkOut() throws {
        let scratch = ScratchTree()
        scratch.directory("outside")
        scratch.file("outside/keep", "precious")
        scratch.directory("roots")
        scratch.directory("roots/.node05.partial")
        scratch.link("roots/.node05.partial/escape", to: scratch.at("outside"))
        scratch.link("roots/.node05.partial/file", to: scratch.at("outside/keep"))
        let roots = scratch.open(directory: "roots")
        defer { close(roots) }
        try TreeRemover.remove(".node05.partial", in: roots, path: scratch.at("roots/.node05.partial"))
        #expect(scratch.names("roots").isEmpty)
        #expect(scratch.read("outside/keep") == "precious")
    }

    @Test func theSurveyCountsHardLinkedFilesOnceAndFindsASampleToProbe() throws {
        let scratch = ScratchTree()
        scratch.directory("base")
        scratch.file("base/empty", "")
        scratch.file("base/a", String(repeating: "x", count: 10000))
        #expect(link(scratch.at("base/a"), scratch.at("base/b")) == 0)
        let survey = try BaseImageSurvey(base: scratch.at("base"))
        #expect(survey.size.entries == 3, "the directory, empty, and a/b once")
        #expect(survey.size.allocatedBytes >= 10000 && survey.size.allocatedBytes < 20000)
        #expect(survey.sampleFile == "/a" || survey.sampleFile == "/b")
    }

    @Test func onExt4TheCheapestModeIsACopy() throws {
        let scratch = scratchWithBase()
        let roots = scratch.open(directory: "roots")
        defer { close(roots) }
        #expect(try CopyModeProbe.cheapest(base: scratch.at("root"), rootsDirectory: roots, sampleFile: "/etc/hostname") == .copy)
        #expect(scratch.names("roots").isEmpty, "the reflink probe leaves nothing behind")
    }
}
