import ArgumentParser
import BrambleCapture
import BrambleDHCP
import BrambleNodeMap
import BrambleReplay
import BrambleWire
import Foundation
import Testing

@testable import BrambleCommands

/// Every capture under Fixtures/captures replays clean, on every run: a new directory with a
/// capture.pcap and its bramble.conf is picked up without touching this file.
struct FixtureReplayTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/captures")

    static var names: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? [])
            .filter { FileManager.default.fileExists(atPath: fixtures.appendingPathComponent("\($0)/capture.pcap").path) }
            .sorted()
    }

    /// The fixture's capture replayed with its own config, node map and boot tree.
    static func replay(_ name: String, adjusting adjust: (inout ReplayConfiguration) -> Void = { _ in }) throws -> ReplayReport {
        let directory = fixtures.appendingPathComponent(name)
        let options = try ConfigOptions.parse(["--config", directory.appendingPathComponent("bramble.conf").path])
        var setup = try ReplayCommand.setup(options.loadConfiguration())
        adjust(&setup)
        let frames = try CaptureFileReader.read(path: directory.appendingPathComponent("capture.pcap").path)
        return CaptureReplay.run(frames, configuration: setup)
    }

    /// Every conversation bramble supports has its capture (issue 7's list).
    @Test func everySupportedConversationHasACapture() {
        let expected = [
            "udhcpc", "dhclient", "linux-ip-dhcp", "pi3b-rom", "pi3bplus-rom", "pi4-bootloader", "pi5-bootloader", "ipxe",
            "tftp-options", "tftp-errors", "dns-local", "dns-forwarded", "malformed",
        ]
        #expect(Set(expected).subtracting(Self.names).isEmpty, "missing: \(Set(expected).subtracting(Self.names).sorted())")
    }

    @Test(arguments: names) func fixtureReplaysClean(_ name: String) throws {
        let report = try Self.replay(name)
        #expect(report.isClean, "\(name):\n\(report.differences.map(\.description).joined(separator: "\n"))\n\(report.summary)")
        #expect(report.compared > 0, "\(name): no server packet compared: \(report.summary)")
    }

    /// A responder that answers differently fails the replay, and the diff names the packet
    /// and the option: a lease time of 2 hours instead of the config's.
    @Test func aChangedLeaseTimeFailsWithTheOptionNamed() throws {
        let report = try Self.replay("udhcpc") { $0.dhcp.leaseSeconds = 7200 }
        #expect(!report.isClean)
        let text = report.differences.map(\.description).joined(separator: "\n")
        #expect(text.contains("DHCP client b8:27:eb:00:00:05, capture packet #2, answering #1:"), "\(text)")
        #expect(text.contains("option 51:lease-time: capture 43200 s, replay 7200 s"), "\(text)")
        #expect(report.differences.count == 2, "one per reply (OFFER and ACK): \(text)")
    }

    /// A node renamed in the map: the DNS answers for its old name differ, rcode and records.
    @Test func aRenamedNodeFailsDNSRecordByRecord() throws {
        let dns = try Self.replay("dns-local") { setup in
            setup.nodeMap = try! NodeMap(parsing: "5 b8:27:eb:00:00:05 db05\n6 b8:27:eb:00:00:06\n", fileName: "renamed", subnet: setup.hub.subnet)
        }
        #expect(!dns.isClean)
        #expect(dns.differences.contains { $0.description.contains("DNS query") && $0.description.contains("rcode: capture") && $0.description.contains("answer record 1") }, "\(dns.differences)")
    }

    /// A TFTP file that changed on disk: the DATA packet with the change is named.
    @Test func aChangedBootFileFailsTheTransfer() throws {
        let report = try Self.replay("tftp-options") { setup in
            let original = setup.bootFile
            setup.bootFile = { path in path == "bootcode.bin" ? original(path).map { Array(repeating: 0x21, count: $0.count) } : original(path) }
        }
        let text = report.differences.map(\.description).joined(separator: "\n")
        #expect(text.contains("TFTP client 10.42.0.5:") && text.contains("data differs from byte 0"), "\(text)")
    }
}

/// `--update`'s capture: the client packets with today's answers, which replay clean.
struct ReplayUpdateTests {
    @Test(arguments: ["pi4-bootloader", "dns-forwarded", "tftp-errors"]) func todaysAnswersReplayClean(_ name: String) throws {
        let directory = FixtureReplayTests.fixtures.appendingPathComponent(name)
        let options = try ConfigOptions.parse(["--config", directory.appendingPathComponent("bramble.conf").path])
        let configuration = try options.loadConfiguration()
        let setup = try ReplayCommand.setup(configuration)
        let original = try CaptureFileReader.read(path: directory.appendingPathComponent("capture.pcap").path)
        let report = CaptureReplay.run(original, configuration: setup)
        let updated = ReplayCapture.frames(original: original, report: report, hub: configuration.address.address)
        #expect(updated.count == original.count, "one answer for every recorded one")
        let again = CaptureReplay.run(updated, configuration: setup)
        #expect(again.isClean, "\(again.differences)")
        #expect(again.compared == report.compared)
    }

    @Test func theUpdateGoesBesideTheCapture() {
        #expect(ReplayCommand.updatePath(for: "Fixtures/x/capture.pcap") == "Fixtures/x/capture.new.pcap")
        #expect(ReplayCommand.updatePath(for: "trace.pcapng") == "trace.pcapng.new.pcap")
    }

    @Test func captureSizesTakeUnits() throws {
        #expect(try ByteSize.parse("64MiB") == 64 << 20)
        #expect(try ByteSize.parse("512k") == 512 << 10)
        #expect(try ByteSize.parse("1000") == 1000)
        for bad in ["0", "12x", "MiB", "-5", ""] {
            #expect(throws: (any Error).self) { try ByteSize.parse(bad) }
        }
    }
}
