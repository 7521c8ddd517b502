import BrambleCapture
import BrambleWire
import Foundation
import Testing

/// Our pcap encoder against libpcap's reader, pcapng through libpcap, and damaged files.
struct CaptureFileTests {
    let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("bramble-capture-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")

    init() throws { try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true) }

    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static let frame = EthernetUDPFrame(
        sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: .any, destinationAddress: .broadcast,
        sourcePort: 68, destinationPort: 67, payload: Array("hello".utf8)[...]).encoded()

    @Test func pcapRoundTripsWithNanosecondsThroughLibpcap() throws {
        let frames = [
            CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 123_456_789), bytes: Self.frame),
            CapturedFrame(number: 2, timestamp: CaptureTimestamp(seconds: 1_700_000_001, nanoseconds: 5), bytes: [1, 2, 3]),
        ]
        let read = try CaptureFileReader.read(path: write("a.pcap", PcapEncoder.file(frames)))
        #expect(read == frames)
        let datagram = try CapturedDatagram(decoding: read[0])
        #expect(datagram.frame.sourcePort == 68 && Array(datagram.payload) == Array("hello".utf8))
        #expect(throws: CapturedDatagramError.notUDP(.truncatedEthernetHeader(length: 3))) { try CapturedDatagram(decoding: read[1]) }
    }

    /// A minimal pcapng (section header, Ethernet interface with nanosecond resolution, one
    /// enhanced packet block), as Wireshark writes by default.
    @Test func pcapngIsReadToo() throws {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            let length = UInt32(12 + padded.count)
            return le(type) + le(length) + padded + le(length)
        }
        let section = block(0x0a0d_0d0a, le(UInt32(0x1a2b_3c4d)) + le(UInt16(1)) + le(UInt16(0)) + le(UInt64.max))
        let resolution: [UInt8] = le(UInt16(9)) + le(UInt16(1)) + [9, 0, 0, 0]   // if_tsresol = 10^-9, then opt_endofopt
        let interface = block(1, le(UInt16(1)) + le(UInt16(0)) + le(UInt32(0)) + resolution + [0, 0, 0, 0])
        let nanoseconds = UInt64(1_700_000_000) * 1_000_000_000 + 42
        let packet = block(6, le(UInt32(0)) + le(UInt32(nanoseconds >> 32)) + le(UInt32(nanoseconds & 0xffff_ffff))
            + le(UInt32(Self.frame.count)) + le(UInt32(Self.frame.count)) + Self.frame)
        let read = try CaptureFileReader.read(path: write("b.pcapng", section + interface + packet))
        #expect(read.count == 1)
        #expect(read.first?.bytes == Self.frame)
        #expect(read.first?.timestamp == CaptureTimestamp(seconds: 1_700_000_000, nanoseconds: 42))
    }

    /// Found by `scripts/fuzz capture`: a record whose nanosecond field holds 0xdf9d5ae9
    /// (over 10^9) reaches us from libpcap as a negative fraction, which made a timestamp
    /// with nanoseconds of -543370775.
    @Test func aFractionFieldPastOneSecondGivesANormalTimestamp() throws {
        let header = le(PcapEncoder.nanosecondMagic) + le(UInt16(2)) + le(UInt16(4)) + le(UInt32(0)) + le(UInt32(0))
            + le(UInt32(262_144)) + le(UInt32(1))
        let record = le(UInt32(0x6b0f_9f96)) + le(UInt32(0xdf9d_5ae9)) + le(UInt32(Self.frame.count)) + le(UInt32(Self.frame.count))
        let read = try CaptureFileReader.read(path: write("fraction.pcap", header + record + Self.frame))
        let timestamp = try #require(read.first?.timestamp)
        #expect((0..<1_000_000_000).contains(timestamp.nanoseconds))
        #expect(timestamp == CaptureTimestamp(seconds: 0x6b0f_9f96, nanoseconds: Int64(Int32(bitPattern: 0xdf9d_5ae9))))
        #expect(timestamp.totalNanoseconds == Int64(0x6b0f_9f96) * 1_000_000_000 + Int64(Int32(bitPattern: 0xdf9d_5ae9)))
    }

    /// A pcapng 64-bit timestamp in whole seconds (if_tsresol 10^0) is far past what
    /// nanoseconds in an Int64 hold: replay's clock saturates instead of trapping.
    @Test func aPcapngTimestampBeyondInt64NanosecondsSaturates() throws {
        func block(_ type: UInt32, _ body: [UInt8]) -> [UInt8] {
            let padded = body + [UInt8](repeating: 0, count: (4 - body.count % 4) % 4)
            return le(type) + le(UInt32(12 + padded.count)) + padded + le(UInt32(12 + padded.count))
        }
        let section = block(0x0a0d_0d0a, le(UInt32(0x1a2b_3c4d)) + le(UInt16(1)) + le(UInt16(0)) + le(UInt64.max))
        let wholeSeconds: [UInt8] = le(UInt16(9)) + le(UInt16(1)) + [0, 0, 0, 0]
        let interface = block(1, le(UInt16(1)) + le(UInt16(0)) + le(UInt32(0)) + wholeSeconds + [0, 0, 0, 0])
        let seconds = UInt64(1) << 62
        let packet = block(6, le(UInt32(0)) + le(UInt32(seconds >> 32)) + le(UInt32(seconds & 0xffff_ffff))
            + le(UInt32(Self.frame.count)) + le(UInt32(Self.frame.count)) + Self.frame)
        let read = try CaptureFileReader.read(path: write("far.pcapng", section + interface + packet))
        let timestamp = try #require(read.first?.timestamp)
        #expect(timestamp.seconds == Int64(seconds))
        #expect(timestamp.totalNanoseconds == .max)
        #expect(CaptureTimestamp(seconds: .min, nanoseconds: 0).totalNanoseconds == .min)
        #expect(CaptureTimestamp(seconds: .max, nanoseconds: 2_500_000_000) == CaptureTimestamp(seconds: .max, nanoseconds: 999_999_999))
        #expect(CaptureTimestamp(totalNanoseconds: -5) == CaptureTimestamp(seconds: -1, nanoseconds: 999_999_995))
    }

    @Test func damagedFilesAreTypedErrors() throws {
        let garbage = try write("garbage.pcap", Array("not a capture at all, just text".utf8))
        #expect {
            try CaptureFileReader.read(path: garbage)
        } throws: { error in
            guard case .cannotOpen(let path, _) = error as? CaptureReadError else { return false }
            return path == garbage
        }
        var cut = PcapEncoder.file([CapturedFrame(number: 1, timestamp: CaptureTimestamp(seconds: 1, nanoseconds: 0), bytes: Self.frame)])
        cut.removeLast(10)
        let truncated = try write("cut.pcap", cut)
        #expect {
            try CaptureFileReader.read(path: truncated)
        } throws: { error in
            guard case .damagedRecord(_, let after, _) = error as? CaptureReadError else { return false }
            return after == 0
        }
        #expect(throws: CaptureReadError.self) { try CaptureFileReader.read(path: directory.appendingPathComponent("missing.pcap").path) }
    }

    private func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}
