import Foundation
import Testing

/// A file past 65,536 blocks of 512 bytes (36.6 MiB, 75,001 blocks), as a large initramfs
/// is to a client that does not negotiate a block size, fetched by real clients from
/// `bramble serve`: the block number wraps to 0 on the wire and the transfer goes on to a
/// byte-identical end.
@Suite(.serialized, .enabled(if: NetworkLab.shouldRun, NetworkLab.skipReason))
struct TFTPLargeFileIntegrationTests {
    static let size = 75_000 * 512 + 100

    @Test func realClientsFetchAFileWhoseBlockNumberWraps() throws {
        let setup = try TFTPIntegrationTests.Setup()
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let expected = random.readData(ofLength: Self.size)
        try random.close()
        try expected.write(to: setup.boot.appendingPathComponent("initramfs.img"))
        let out = setup.server.file("fetched")
        let clients: [(String, [String])] = [
            ("curl, 512-byte blocks, one at a time", ["curl", "-sS", "--max-time", "110", "-o", out.path, "tftp://10.42.0.250/initramfs.img"]),
            ("atftp, 512-byte blocks, windows of 16", [
                "atftp", "--option", "blksize 512", "--option", "windowsize 16", "--get", "-r", "initramfs.img", "-l", out.path, "10.42.0.250",
            ]),
        ]
        for (label, command) in clients {
            let started = Date()
            let (bytes, output) = try setup.fetch(command, output: out, timeout: 120)
            #expect(bytes?.count == expected.count && bytes == expected, "\(label): \(bytes?.count ?? -1) of \(expected.count) bytes; \(output)")
            print("\(label): \(Self.size) bytes in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
        }
        let sent = setup.server.log.split(separator: "\n").filter { $0.contains("TFTP sent initramfs.img to 10.42.0.5 web05: \(Self.size) bytes in 75001 blocks of 512") }
        #expect(sent.count == 2, "\(setup.server.log.suffix(3000))")
    }
}
