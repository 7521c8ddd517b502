import ArgumentParser
import BrambleServer
import BrambleWire
import Glibc
import Logging

/// What `bramble serve --capture` adds per packet: recording a DHCP frame from the raw
/// socket and framing a TFTP DATA datagram from a UDP socket (header and body apart, as
/// TFTP sends them), into the buffer and out to the file, rotation included.
struct CaptureBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "capture",
        abstract: "Time --capture's recording path: CPU per packet for DHCP frames and TFTP datagrams."
    )

    @Option(help: "Packets per timed run.")
    var packets = 200_000
    @Option(help: "Timed runs; the median is reported.")
    var runs = 7
    @Option(help: ArgumentHelp("Where to write the capture (removed afterwards).", valueName: "FILE"))
    var path = "/tmp/bramble-bench-capture.pcap"

    func validate() throws {
        guard (1...10_000_000).contains(packets) else { throw ValidationError("--packets must be 1-10000000") }
        guard (1...100).contains(runs) else { throw ValidationError("--runs must be 1-100") }
    }

    func run() throws {
        defer {
            unlink(path)
            unlink(path + ".1")
        }
        let capture = try PacketCapture(
            settings: .init(path: path, maximumBytes: 64 << 20), interface: "lo", hubAddress: IPv4Address(10, 42, 0, 250),
            logger: Logger(label: "bench"))
        let frame = EthernetUDPFrame(
            sourceMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5), destinationMAC: .broadcast, sourceAddress: .any, destinationAddress: .broadcast,
            sourcePort: 68, destinationPort: 67, payload: [UInt8](repeating: 0x63, count: 300)[...]).encoded()
        let header: [UInt8] = [0, 3, 0, 1]
        let body = [UInt8](repeating: 0x55, count: 1024)
        var dhcp = Measurement()
        var tftp = Measurement()
        for _ in 0..<runs {
            dhcp.time {
                for _ in 0..<packets { capture.record(frame: frame[...]) }
                capture.flush()
            }
            tftp.time {
                header.withUnsafeBytes { h in
                    body.withUnsafeBytes { b in
                        for _ in 0..<packets {
                            capture.record(h, b, from: IPv4Address(10, 42, 0, 250), port: 50000, to: IPv4Address(10, 42, 0, 5), port: 49152, sent: true)
                        }
                    }
                }
                capture.flush()
            }
        }
        func perPacket(_ seconds: [Double]) -> String {
            let nanoseconds = Measurement.median(seconds) / Double(packets) * 1e9
            return "\(Int(nanoseconds.rounded())) ns"
        }
        print("capture: \(packets) packets per run, \(runs) runs, written to \(path) (64 MiB bound, rotated)")
        print("  DHCP frame (\(frame.count) bytes):          wall \(perPacket(dhcp.wallSeconds)) per packet, cpu \(perPacket(dhcp.cpuSeconds))")
        print("  TFTP DATA 1024 (\(EthernetUDPFrame.headersLength + 1028) bytes framed): wall \(perPacket(tftp.wallSeconds)) per packet, cpu \(perPacket(tftp.cpuSeconds))")
        print("  peak RSS \(Int(Measurement.peakRSSMiB())) MiB")
    }
}
