import BrambleTFTP
import Testing

/// The paths a boot log names when a file is missing.
@Suite struct TFTPSearchedPathsTests {
    let resolver = TFTPPathResolverTests.resolver

    @Test func aNodeLooksInItsOverrideDirectoryThenTheRoot() {
        #expect(resolver.searchedPaths("/kernel7.img", for: TFTPPathResolverTests.node5) == ["nodes/node05/kernel7.img", "kernel7.img"])
        #expect(resolver.searchedPaths("kernel7.img", for: TFTPPathResolverTests.stranger) == ["kernel7.img"])
    }

    @Test func aSerialPrefixIsLookedInFirstForItsOwner() {
        #expect(resolver.searchedPaths("f34fdaa9/kernel8.img", for: TFTPPathResolverTests.stranger)
            == ["f34fdaa9/kernel8.img", "nodes/node07/kernel8.img", "kernel8.img"])
    }

    @Test func refusedNamesSearchNothing() {
        #expect(resolver.searchedPaths("../etc/passwd", for: TFTPPathResolverTests.node5).isEmpty)
    }
}
