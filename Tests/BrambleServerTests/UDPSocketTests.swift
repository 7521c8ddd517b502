@testable import BrambleServer
import BrambleWire
import CNetShims
import Glibc
import Testing

@Suite struct UDPSocketTests {
    @Test func datagramsCrossLoopbackThroughTheLoop() throws {
        let loopback = IPv4Address(127, 0, 0, 1)
        let server = try UDPSocket(address: loopback, port: 0)
        let client = try UDPSocket(address: loopback, port: 0)
        #expect(server.localPort != 0 && client.localPort != server.localPort)
        let loop = try EventLoop()
        var received: [(String, UInt16)] = []
        var buffer = [UInt8](repeating: 0, count: 2048)
        try loop.register(server.fd) { _ in
            while let datagram = server.receive(into: &buffer) {
                received.append((String(decoding: datagram.payload, as: UTF8.self), datagram.sourcePort))
                server.send(Array("echo".utf8), to: datagram.source, port: datagram.sourcePort)
            }
            if received.count == 2 { loop.stop() }
        }
        #expect(client.send(Array("one".utf8), to: loopback, port: server.localPort))
        #expect(client.send(Array("two".utf8), to: loopback, port: server.localPort))
        loop.schedule(afterMilliseconds: 2000) { loop.stop() }
        try loop.run()
        #expect(received.map(\.0) == ["one", "two"])
        #expect(received.allSatisfy { $0.1 == client.localPort })
        #expect(client.receive(into: &buffer).map { Array($0.payload) } == Array("echo".utf8))
    }

    @Test func bindFailuresNameTheCall() throws {
        let taken = try UDPSocket(address: IPv4Address(127, 0, 0, 1), port: 0)
        let error = #expect(throws: SystemCallError.self) {
            try UDPSocket(address: IPv4Address(127, 0, 0, 1), port: taken.localPort, device: "no-such-if0")
        }
        #expect(error?.description.hasPrefix("setsockopt(SO_BINDTODEVICE, no-such-if0)") == true)
    }

    @Test func aHeaderAndABodyLeaveAsOneDatagram() throws {
        let loopback = IPv4Address(127, 0, 0, 1)
        let server = try UDPSocket(address: loopback, port: 0)
        let client = try UDPSocket(address: loopback, port: 0)
        let header: [UInt8] = [0, 3, 0, 1]
        let body: [UInt8] = Array(0..<200)
        let sent = header.withUnsafeBytes { headerBytes in
            body.withUnsafeBytes { server.send(header: headerBytes, body: $0, to: loopback, port: client.localPort) }
        }
        #expect(sent)
        let empty = header.withUnsafeBytes { server.send(header: $0, body: UnsafeRawBufferPointer(start: nil, count: 0), to: loopback, port: client.localPort) }
        #expect(empty)
        var buffer = [UInt8](repeating: 0, count: 2048)
        usleep(20_000)
        #expect(client.receive(into: &buffer).map { Array($0.payload) } == header + body)
        #expect(client.receive(into: &buffer).map { Array($0.payload) } == header, "an empty last block is the header alone")
    }
    /// One GSO send becomes one datagram per segment, cut by size wherever the iovecs
    /// happen to end: the last one shorter, as a TFTP window's final block is.
    @Test func aSegmentedSendArrivesAsOneDatagramPerSegment() throws {
        let loopback = IPv4Address(127, 0, 0, 1)
        let server = try UDPSocket(address: loopback, port: 0)
        let client = try UDPSocket(address: loopback, port: 0)
        let bytes: [UInt8] = [0, 3, 0, 1] + Array("abcdef".utf8) + [0, 3, 0, 2] + Array("ghijkl".utf8) + [0, 3, 0, 3] + Array("mn".utf8)
        let outcome = bytes.withUnsafeBytes { raw in
            let base = UnsafeMutableRawPointer(mutating: raw.baseAddress!)
            let vectors = [iovec(iov_base: base, iov_len: 7), iovec(iov_base: base + 7, iov_len: bytes.count - 7)]
            return vectors.withUnsafeBufferPointer { server.sendSegmented($0, segmentSize: 10, to: loopback, port: client.localPort) }
        }
        guard case .sent = outcome else {
            Issue.record("segmented send failed: \(outcome)")
            return
        }
        var buffer = [UInt8](repeating: 0, count: 2048)
        usleep(20_000)
        var received: [[UInt8]] = []
        while let datagram = client.receive(into: &buffer) { received.append(Array(datagram.payload)) }
        #expect(received == [Array(bytes[0..<10]), Array(bytes[10..<20]), Array(bytes[20...])])
    }
}
