import BrambleLab
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

    /// A transfer over a link shaped to 2 Mbit/s that takes about 20 s: at 15 s, half of
    /// the Pi 4/5 bootloader's 30 s TFTP_FILE_TIMEOUT, the node's boot log warns while the
    /// file is still being sent, naming the EEPROM setting, and its "sent" line is flagged.
    @Test func aTransferPastHalfTheBootloadersFileTimeoutIsWarnedAboutWhileRunning() throws {
        let setup = try TFTPIntegrationTests.Setup()
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom"))
        let expected = random.readData(ofLength: 4_500_000)
        try random.close()
        try expected.write(to: setup.boot.appendingPathComponent("slow.img"))
        try setup.lab.shapeTraffic(to: setup.clients[0], rate: "2mbit")
        let out = setup.server.file("fetched")
        let (bytes, output) = try setup.fetch(["curl", "-sS", "--max-time", "60", "-o", out.path, "tftp://10.42.0.250/slow.img"], output: out, timeout: 70)
        #expect(bytes == expected, "\(bytes?.count ?? -1) of \(expected.count) bytes; \(output)")
        let log = try String(contentsOf: setup.server.file("state/logs/web05.log"), encoding: .utf8)
        let warning = log.split(separator: "\n").first { $0.contains("TFTP slow.img still being sent after 15.") }
        #expect(warning?.hasSuffix("a Pi 4/5 bootloader gives up on a file after 30 s by default (EEPROM setting TFTP_FILE_TIMEOUT)") == true, "\(log)")
        let sent = log.split(separator: "\n").first { $0.contains("TFTP slow.img sent: 4500000 bytes") }
        #expect(sent?.contains("; slow: over half of the 30 s a Pi 4/5 bootloader waits for a file by default (EEPROM setting TFTP_FILE_TIMEOUT)") == true, "\(log)")
        #expect(setup.server.log.contains("TFTP slow.img to 10.42.0.5 web05 still running after 15"), "\(setup.server.log.suffix(2000))")
    }
}
