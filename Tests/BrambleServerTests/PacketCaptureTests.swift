import BrambleCapture
@testable import BrambleServer
import BrambleWire
import Glibc
import Logging
import Testing

/// What `--capture` writes: UDP datagrams framed with real addresses and ports, raw frames
/// as they were, the bound on the file and its rotation to `.1`.
@Suite struct PacketCaptureTests {
    let path = "/tmp/bramble-capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
    let hub = IPv4Address(10, 42, 0, 250)

    func capture(maximumBytes: Int = 1 << 20) throws -> PacketCapture {
        try PacketCapture(settings: .init(path: path, maximumBytes: maximumBytes), interface: "lo", hubAddress: hub, logger: Logger(label: "test"))
    }

    func cleanUp() {
        unlink(path)
        unlink(path + ".1")
    }

    @Test func udpDatagramsAreFramedWithTheirAddressesAndPorts() throws {
        defer { cleanUp() }
        let capture = try capture()
        let query: [UInt8] = [0, 1, 2, 3]
        let header: [UInt8] = [0, 3, 0, 1]
        let body = [UInt8](repeating: 0x55, count: 512)
        query.withUnsafeBytes { capture.record($0, from: IPv4Address(10, 42, 0, 5), port: 40000, to: .any, port: 53, sent: false) }
        header.withUnsafeBytes { h in body.withUnsafeBytes { b in capture.record(h, b, from: hub, port: 50000, to: IPv4Address(10, 42, 0, 5), port: 40001, sent: true) } }
        capture.flush()
        let frames = try CaptureFileReader.read(path: path).map { try CapturedDatagram(decoding: $0).frame }
        #expect(frames.count == 2)
        #expect(frames[0].sourceAddress == IPv4Address(10, 42, 0, 5) && frames[0].sourcePort == 40000)
        #expect(frames[0].destinationAddress == hub && frames[0].destinationPort == 53, "a socket bound to any address records the hub's")
        #expect(frames[0].sourceMAC == MACAddress(2, 0, 10, 42, 0, 5))
        #expect(Array(frames[0].payload) == query)
        #expect(frames[1].sourceAddress == hub && frames[1].sourcePort == 50000 && frames[1].destinationPort == 40001)
        #expect(Array(frames[1].payload) == header + body, "header and body of a gathered send are one datagram")
    }

    @Test func aFullFileRotatesToDotOneAndBothStayReadable() throws {
        defer { cleanUp() }
        let capture = try capture(maximumBytes: 8192)
        let frame = EthernetUDPFrame(
            sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: .any, destinationAddress: .broadcast,
            sourcePort: 68, destinationPort: 67, payload: [UInt8](repeating: 1, count: 300)[...]).encoded()
        for _ in 0..<60 { capture.record(frame: frame[...]) }
        capture.flush()
        let current = try CaptureFileReader.read(path: path)
        let previous = try CaptureFileReader.read(path: path + ".1")
        var status = stat()
        stat(path, &status)
        #expect(Int(status.st_size) <= 8192)
        #expect(!current.isEmpty && !previous.isEmpty)
        #expect(current.count + previous.count < 60, "older files are dropped, not kept forever")
        #expect(current.allSatisfy { $0.bytes == frame })
    }

    @Test func aFrameWhoseChecksumWasLeftForOffloadIsRecordedAsNotComputed() throws {
        defer { cleanUp() }
        let capture = try capture()
        var frame = EthernetUDPFrame(
            sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: .any, destinationAddress: .broadcast,
            sourcePort: 68, destinationPort: 67, payload: [UInt8](repeating: 1, count: 300)[...]).encoded()
        frame[40] ^= 0xff   // a partial checksum, as a veth sender leaves it
        capture.record(frame: frame[...], checksumNotReady: true)
        capture.flush()
        let read = try CaptureFileReader.read(path: path)
        #expect(read.first.map { Array($0.bytes[40...41]) } == [0, 0])
        #expect((try? CapturedDatagram(decoding: read[0])) != nil)
    }
}

/// A rename the file system refuses: the file starts over in place, within the bound.
@Suite struct CaptureFileRotationTests {
    @Test func aRefusedRenameStartsTheFileOverInPlace() throws {
        let path = "/tmp/bramble-capture-refused-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).pcap"
        // `path.1` is a non-empty directory: renaming a file over it fails, even for root.
        mkdir(path + ".1", 0o755)
        let blocker = open(path + ".1/keep", O_CREAT | O_WRONLY, 0o644)
        close(blocker)
        defer {
            unlink(path)
            unlink(path + ".1/keep")
            rmdir(path + ".1")
        }
        let file = try CaptureFile(path: path, maximumBytes: 8192)
        let record = [UInt8](repeating: 9, count: 3000)
        for _ in 0..<5 { try file.append(record) }
        #expect(file.cannotKeepPrevious != nil)
        #expect(file.rotations == 2)
        var status = stat()
        stat(path, &status)
        #expect(Int(status.st_size) == file.bytesInFile && file.bytesInFile <= 8192)
        #expect(Int(status.st_size) == PcapEncoder.fileHeaderLength + 3000, "only the newest record after starting over")
    }
}
