import BrambleNodeMap
import BrambleRoots
import Testing

@Suite struct NodeRootLayoutTests {
    @Test func rootsSitBesideTheBaseImageNamedByNodeName() throws {
        let layout = NodeRootLayout(pxe: "/pxe/")
        #expect(layout.baseImage == "/pxe/root")
        #expect(layout.rootsDirectory == "/pxe/roots")
        let named = try NodeEntry.parse(line: "2 b8:27:eb:12:34:57 web02").get()
        let unnamed = try NodeEntry.parse(line: "5 b8:27:eb:12:34:58").get()
        #expect(layout.rootPath(for: named) == "/pxe/roots/web02")
        #expect(layout.rootPath(for: unnamed) == "/pxe/roots/node05")
    }
}
