import BrambleRoots
import BrambleWire
import Testing

@Suite struct ExportsFileTests {
    @Test func readsTheExportsGrammar() {
        let text = """
            # the operator's exports
            /srv/nfs4        10.42.0.0/24(rw,fsid=0)  *.cluster(ro)   # trailing comment
            "/srv/my root" -sync,no_subtree_check \\
                10.42.0.5(rw) @pis
            /srv/a\\040b 10.42.0.0/255.255.255.0
            /srv/world
            /srv/slip 10.42.0.6 (rw)

            """
        let file = ExportsFile(parsing: text, fileName: "/etc/exports")
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics)")
        #expect(!file.isGeneratedByBramble)
        #expect(file.entries.map(\.line) == [2, 3, 5, 6, 7])
        #expect(file.exports == [
            NFSExport(path: "/srv/nfs4", clients: [
                NFSExportClient(host: "10.42.0.0/24", options: ["rw", "fsid=0"]),
                NFSExportClient(host: "*.cluster", options: ["ro"]),
            ]),
            NFSExport(path: "/srv/my root", clients: [
                NFSExportClient(host: "10.42.0.5", options: ["sync", "no_subtree_check", "rw"]),
                NFSExportClient(host: "@pis", options: ["sync", "no_subtree_check"]),
            ]),
            NFSExport(path: "/srv/a b", clients: [NFSExportClient(host: "10.42.0.0/255.255.255.0", options: [])]),
            NFSExport(path: "/srv/world", clients: [NFSExportClient(host: "*", options: [])]),
            NFSExport(path: "/srv/slip", clients: [
                NFSExportClient(host: "10.42.0.6", options: []),
                NFSExportClient(host: "*", options: ["rw"]),
            ]),
        ])
    }

    @Test func badLinesAreReportedByFileAndLineAndTheRestStillRead() {
        let text = """
            srv/relative 10.42.0.5(rw)
            /pxe/roots/node05 10.42.0.5(rw,,sync)
            /pxe/roots/node06 10.42.0.6(rw
            "/pxe/roots/node07 10.42.0.7(rw)
            /pxe/roots/node\\08 10.42.0.8(rw)
            /pxe/roots/node\\000 10.42.0.9(rw)
            /pxe/roots/node10 10.42.0.10)rw(
            /pxe/roots/ok 10.42.0.11(rw)
            /pxe/roots/bell\u{07} 10.42.0.12(rw)
            """
        let file = ExportsFile(parsing: text, fileName: "x.exports")
        #expect(file.diagnostics.map(\.line) == [1, 2, 3, 4, 5, 6, 7, 9])
        #expect(file.diagnostics.map(\.problem) == [
            .relativePath("srv/relative"),
            .emptyOption("10.42.0.5(rw,,sync)"),
            .unbalancedParentheses("10.42.0.6(rw"),
            .unterminatedQuote,
            .badEscape("\\08"),
            .nulInPath,
            .unbalancedParentheses("10.42.0.10)rw("),
            .controlCharacter(7),
        ])
        #expect(file.diagnostics[0].description.hasPrefix("x.exports:1: 'srv/relative' is not an absolute path"))
        #expect(file.exports.map(\.path) == ["/pxe/roots/ok"])
    }

    @Test func continuedLinesAreNumberedByTheirFirstLineAndCRLFIsRead() {
        let file = ExportsFile(parsing: "# c\r\n/a \\\r\n  10.42.0.5(rw)\r\n/b 10.42.0.6\r\n", fileName: "f")
        #expect(file.diagnostics.isEmpty)
        #expect(file.entries.map(\.line) == [2, 4])
        #expect(file.exports.map(\.clients) == [[NFSExportClient(host: "10.42.0.5", options: ["rw"])], [NFSExportClient(host: "10.42.0.6", options: [])]])
    }

    /// Found by the exports fuzzer: "/" followed by a combining mark is one Character, so a
    /// Character-wise prefix test would call this absolute path relative; paths are bytes.
    @Test func aPathStartingWithSlashAndACombiningMarkIsAbsolute() {
        let file = ExportsFile(parsing: "/\u{0488}r(rw) @p\n", fileName: "f")
        #expect(file.diagnostics.isEmpty)
        #expect(file.exports.map(\.path) == ["/\u{0488}r(rw)"])
        #expect(ExportsFile(parsing: file.exports[0].line, fileName: "g").exports == file.exports)
    }

    @Test func aBackslashAtTheVeryEndIsABadEscapeNotAHang() {
        let file = ExportsFile(parsing: "/a\\", fileName: "f")
        #expect(file.diagnostics.map(\.problem) == [.badEscape("\\")])
    }

    @Test func hostileTextNeverTrapsAndEveryDiagnosticNamesALineOfIt() {
        var generator = SplitMix64(seed: 16)
        let alphabet = Array("/ \t\"\\#()-,*?@.0123456789abrwo\n\r\u{0}\u{7f}é".unicodeScalars)
        for _ in 0..<3000 {
            let length = Int(generator.next() % 80)
            var text = ""
            for _ in 0..<length { text.unicodeScalars.append(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
            let file = ExportsFile(parsing: text, fileName: "f")
            let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            for diagnostic in file.diagnostics { #expect((1...lines).contains(diagnostic.line), "\(text.debugDescription)") }
            for entry in file.entries {
                #expect(entry.export.path.utf8.first == UInt8(ascii: "/"))
                #expect(!entry.export.clients.isEmpty)
                let reread = ExportsFile(parsing: entry.export.line, fileName: "g")
                #expect(reread.exports == [entry.export], "\(text.debugDescription) → \(entry.export.line)")
            }
        }
    }

    @Test func clientsAdmitAddressesNetworksAndNamesAsExportsSays() {
        let node5 = IPv4Address(10, 42, 0, 5)
        func admits(_ host: String, _ names: [String] = []) -> Bool {
            NFSExportClient(host: host, options: []).admits(node5, names: names)
        }
        #expect(admits("10.42.0.5"))
        #expect(!admits("10.42.0.6"))
        #expect(admits("10.42.0.0/24"))
        #expect(admits("10.42.0.4/31"))
        #expect(!admits("10.42.0.6/31"))
        #expect(admits("10.42.0.0/255.255.255.0"))
        #expect(!admits("10.42.0.0/255.0.255.0"))
        #expect(!admits("10.42.0.0/33"))
        #expect(admits("*"))
        #expect(admits("NODE05.cluster", ["node05.cluster"]))
        #expect(admits("node0?.*", ["node05.cluster"]))
        #expect(!admits("node06*", ["node05", "node05.cluster"]))
        #expect(!admits("@pis", ["node05"]))
        #expect(NFSExportClient(host: "10.42.0.5/32", options: []).isSingleAddress)
        #expect(!NFSExportClient(host: "10.42.0.0/24", options: []).isSingleAddress)
        #expect(NFSExportClient(host: "h", options: ["ro", "rw"]).isReadWrite)
        #expect(!NFSExportClient(host: "h", options: ["rw", "ro"]).isReadWrite)
        #expect(!NFSExportClient(host: "h", options: []).isReadWrite)
        #expect(NFSExportClient(host: "h", options: ["no_root_squash"]).keepsRoot)
        #expect(!NFSExportClient(host: "h", options: ["no_root_squash", "all_squash"]).keepsRoot)
        #expect(!NFSExportClient(host: "h", options: []).keepsRoot)
    }

    @Test func aHostileWildcardCostsLittle() {
        let pattern = String(repeating: "*a", count: 2000) + "b"
        let name = String(repeating: "a", count: 4000)
        #expect(!NFSExportClient(host: pattern, options: []).admits(IPv4Address(1, 2, 3, 4), names: [name]))
    }
}
