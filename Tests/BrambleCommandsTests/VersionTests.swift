import ArgumentParser
@testable import BrambleCommands
import Testing

@Suite struct VersionTests {
    @Test func versionPrintsTheReleaseAndTheRevision() throws {
        var message: String?
        do {
            _ = try BrambleCommand.parseAsRoot(["--version"])
        } catch {
            #expect(BrambleCommand.exitCode(for: error) == .success)
            message = BrambleCommand.fullMessage(for: error)
        }
        #expect(message == BuildInfo.versionLine)
        // A plain `swift build` (as here) has no revision; scripts/package checks the other
        // case on the binary it packages, whose --version must name the commit it built.
        let line = try #require(message)
        let pattern = /bramble [0-9]+\.[0-9]+\.[0-9]+ \((git [0-9a-f]{12}(-dirty)?|unknown revision)\)/
        #expect(line.wholeMatch(of: pattern) != nil, "\(line)")
    }
}
