import BrambleCapture
import BrambleDHCP
import BrambleDNS
import BrambleNodeMap
import BrambleTFTP
import BrambleWire
import Testing

@testable import BrambleReplay

/// Any bytes in a capture give a report, never a trap: frames of random bytes, and valid
/// frames to the hub's ports carrying random payloads.
struct ReplayRobustnessTests {
    struct MemoryTree: TFTPBootTree {
        let files: [String: [UInt8]]
        func entry(at relativePath: String) -> TFTPBootTreeEntry { files[relativePath] == nil ? .missing : .file }
    }

    static func configuration() throws -> ReplayConfiguration {
        let hub = try IPv4Interface(parsingHubAddress: "10.42.0.250/24")
        let nodeMap = try NodeMap(parsing: "5 b8:27:eb:00:00:05 web05\n", fileName: "nodes", subnet: hub.subnet)
        let tree = MemoryTree(files: ["bootcode.bin": [UInt8](repeating: 7, count: 1500)])
        return ReplayConfiguration(
            hub: hub, nodeMap: nodeMap, dhcp: DHCPResponderSettings(hub: hub, domain: "cluster", leaseSeconds: 3600), pool: nil,
            domain: try DomainName(parsing: "cluster"), upstreams: [], defaultRoot: "10.42.0.250:/pxe/root",
            bootTree: tree, bootFile: { tree.files[$0] })
    }

    @Test func randomFramesAndPayloadsGiveAReport() throws {
        var random = SplitMix64(seed: 7)
        let hub = IPv4Address(10, 42, 0, 250)
        let client = IPv4Address(10, 42, 0, 5)
        var frames: [CapturedFrame] = []
        for index in 0..<3000 {
            let payload = (0..<Int.random(in: 0...600, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let bytes: [UInt8]
            switch index % 5 {
            case 0:
                bytes = payload
            default:
                let (source, sourcePort, destination, destinationPort): (IPv4Address, UInt16, IPv4Address, UInt16) = [
                    (IPv4Address.any, 68, IPv4Address.broadcast, 67), (client, 40000, hub, 69), (client, 40001, hub, 53),
                    (hub, 53, client, 40001),
                ][index % 4]
                bytes = EthernetUDPFrame(
                    sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: source,
                    destinationAddress: destination, sourcePort: sourcePort, destinationPort: destinationPort, payload: payload[...]
                ).encoded()
            }
            frames.append(CapturedFrame(number: index + 1, timestamp: CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: Int64(index) * 1_000_000), bytes: bytes))
        }
        let report = CaptureReplay.run(frames, configuration: try Self.configuration())
        #expect(report.skipped.count >= 600, "the frames of random bytes are skipped with a reason")
        #expect(report.fed.values.reduce(0, +) > 1000)
    }
}

/// TFTP retransmissions come from the transfer's timer, fired by the capture's clock.
struct ReplayTimerTests {
    @Test func anUnacknowledgedBlockIsResentEachTimeoutUntilTheTransferGivesUp() throws {
        let hub = IPv4Address(10, 42, 0, 250)
        let client = IPv4Address(10, 42, 0, 5)
        func frame(_ number: Int, at seconds: Int64, _ payload: [UInt8], port: UInt16 = 69) -> CapturedFrame {
            CapturedFrame(number: number, timestamp: CaptureTimestamp(seconds: 1_700_000_000 + seconds, nanoseconds: 0), bytes: EthernetUDPFrame(
                sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: client, destinationAddress: hub,
                sourcePort: 49152, destinationPort: port, payload: payload[...]).encoded())
        }
        let request = try TFTPPacket.readRequest(TFTPRequest(fileName: "bootcode.bin")).encoded()
        // The request, then a late stray packet that only moves the clock 30 s on.
        let frames = [frame(1, at: 0, request), frame(2, at: 30, [0, 9], port: 5000)]
        let report = CaptureReplay.run(frames, configuration: try ReplayRobustnessTests.configuration())
        let sent = report.produced.compactMap { try? TFTPPacket(decoding: $0.payload[...]) }
        let firstBlocks = sent.filter { if case .data(block: 1, _) = $0 { true } else { false } }
        #expect(firstBlocks.count == 6, "the first send and 5 retransmissions: \(sent.map(TFTPComparison.text))")
        let times = report.produced.map { $0.timestamp.seconds - 1_700_000_000 }
        #expect(times.prefix(6) == [0, 1, 2, 3, 4, 5], "one per second of the capture's clock: \(times)")
        #expect(report.differences.count == report.produced.count, "the capture has no server packets: each sent one is extra")
        #expect(report.differences.allSatisfy { $0.description.contains("replay sends a packet the capture does not have: DATA block 1, 512 bytes") })
    }
}

/// Replay answers TFTP through the daemon's own server core (``TFTPServer``), so the
/// answers that once drifted apart are the daemon's.
struct ReplayTFTPAnswerTests {
    static func answers(_ requests: [(port: UInt16, TFTPPacket)], adjusting adjust: (inout ReplayConfiguration) -> Void) throws -> [TFTPPacket] {
        var configuration = try ReplayRobustnessTests.configuration()
        adjust(&configuration)
        let frames = try requests.enumerated().map { index, request in
            CapturedFrame(number: index + 1, timestamp: CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: Int64(index) * 1_000), bytes: EthernetUDPFrame(
                sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: IPv4Address(10, 42, 0, 5),
                destinationAddress: IPv4Address(10, 42, 0, 250), sourcePort: request.port, destinationPort: 69,
                payload: try request.1.encoded()[...]).encoded())
        }
        return CaptureReplay.run(frames, configuration: configuration).produced.compactMap { try? TFTPPacket(decoding: $0.payload[...]) }
    }

    /// The file is in the tree and cannot be read: "access violation", as `bramble serve`
    /// answers a file it cannot open (replay used to say "file not found").
    @Test func aFileThatCannotBeReadIsAnAccessViolation() throws {
        let sent = try Self.answers([(2000, .readRequest(TFTPRequest(fileName: "bootcode.bin")))]) { configuration in
            configuration.bootFile = { _ in nil }
        }
        #expect(sent == [.error(.accessViolation, message: "access violation: bootcode.bin")])
    }

    /// The transfer limits apply in replay as on the wire: a capture made under load
    /// replays its "server busy" answers.
    @Test func theTransferLimitsApply() throws {
        let request = TFTPPacket.readRequest(TFTPRequest(fileName: "bootcode.bin"))
        let sent = try Self.answers([(2000, request), (2001, request)]) { configuration in
            configuration.tftpAdmission = TFTPAdmission(total: 1, perClient: 1)
        }
        #expect(sent.count == 2)
        #expect(sent.last == .error(.notDefined, message: "server busy, retry"))
    }
}
