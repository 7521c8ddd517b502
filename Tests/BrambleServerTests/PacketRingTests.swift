import BrambleDHCP
@testable import BrambleServer
import BrambleWire
import Glibc
import Testing

/// setns(2), which Swift's Glibc module does not export (a GNU extension).
@_silgen_name("setns") private func enterNamespace(_ fd: Int32, _ type: Int32) -> Int32

/// A network namespace of the test's own (`ip netns add`), with only `lo`, up; removed when
/// the value goes. ``inside(_:)`` runs code in it on the calling thread and comes back, so
/// the sockets it opens belong to the namespace whichever thread uses them afterwards.
final class TestNetworkNamespace {
    let name: String

    static let canCreate = geteuid() == 0
    static let required = getenv("BRAMBLE_REQUIRE_NETNS").map { String(cString: $0) } == "1"
    static let shouldRun = canCreate || required

    init() throws {
        name = "brs\(getpid())x\(UInt32.random(in: 0..<1_000_000))"
        guard system("ip netns add \(name) && ip -n \(name) link set lo up") == 0 else { throw SystemCallError("ip netns add \(name)", errno: EPERM) }
    }

    deinit { _ = system("ip netns del \(name)") }

    func inside<T>(_ body: () throws -> T) throws -> T {
        let original = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)
        let target = open("/run/netns/\(name)", O_RDONLY | O_CLOEXEC)
        defer {
            close(original)
            close(target)
        }
        let newNetworkNamespace: Int32 = 0x4000_0000
        guard original >= 0, target >= 0, enterNamespace(target, newNetworkNamespace) == 0 else { throw SystemCallError("setns(\(name))") }
        defer { _ = enterNamespace(original, newNetworkNamespace) }
        return try body()
    }
}

/// The DHCP packet socket's receive ring (PACKET_MMAP, TPACKET_V2): frames are read out of
/// shared memory, many per wake-up, hostile ones among them dropped or handed on as bytes
/// that fail to decode, and the ring's depth is what DHCP sheds load by.
@Suite(.enabled(if: TestNetworkNamespace.shouldRun, "needs root to create a network namespace (CI sets BRAMBLE_REQUIRE_NETNS=1)"))
struct PacketRingTests {
    let namespace: TestNetworkNamespace
    let ring: PacketSocket
    /// Sends whole frames on `lo` of the namespace.
    let sender: PacketSocket

    init() throws {
        namespace = try TestNetworkNamespace()
        (ring, sender) = try namespace.inside {
            let ring = try PacketSocket(interface: "lo", filter: .udpDestinationPort(67), ringFrames: 64)
            // Sends frames on lo; its filter keeps nothing of what it would receive.
            let sender = try PacketSocket(interface: "lo", filter: .dropEverything, ringFrames: 2)
            return (ring, sender)
        }
    }

    /// A DHCPDISCOVER from `client` in a frame to port 67, as a relay would unicast it;
    /// `padding` bytes of a private option make it as long as wanted (RFC 3396 splits it).
    static func discoverFrame(client: UInt8, padding: Int = 0) -> [UInt8] {
        let mac = MACAddress(bytes: [0xb8, 0x27, 0xeb, 0, 0, client])!
        var options = DHCPOptions()
        options[.messageType] = [DHCPMessageType.discover.rawValue]
        if padding > 0 { options[DHCPOptionCode(224)] = Array(repeating: 0x61, count: padding) }
        let message = DHCPMessage(operation: .request, transactionID: UInt32(client), clientMAC: mac, options: options)
        let payload = try! message.encoded(maximumMessageSize: 9000).bytes
        return EthernetUDPFrame(
            sourceMAC: mac, destinationMAC: MACAddress(bytes: [0, 0, 0, 0, 0, 0])!, sourceAddress: IPv4Address(10, 42, 0, 200),
            destinationAddress: IPv4Address(127, 0, 0, 1), sourcePort: 67, destinationPort: 67, identification: UInt16(client), payload: payload[...]
        ).encoded()
    }

    /// Where a DHCP message's magic cookie sits in a frame: after the Ethernet, IP and UDP
    /// headers and the 236-byte fixed part.
    static let cookieOffset = 14 + 20 + 8 + 236

    func send(_ frame: [UInt8]) {
        #expect(throws: Never.self) { try sender.send(frame: frame) }
    }

    func clients(of frames: [[UInt8]]) -> [UInt8?] {
        frames.map { bytes in
            (try? EthernetUDPFrame(decoding: bytes[...], verifyingUDPChecksum: true)).flatMap { try? DHCPMessage(decoding: $0.payload) }?.clientMAC?.bytes.last
        }
    }

    @Test func everyWaitingFrameIsReadInOneWakeUp() throws {
        for client in 1...20 { send(Self.discoverFrame(client: UInt8(client))) }
        let loop = try EventLoop()
        var buffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
        var wakeUps = 0
        var read: [[UInt8]] = []
        // Unowned: the loop keeps its handlers, so a strong capture would keep the loop,
        // this suite and its namespace alive after the test.
        try ring.watch(in: loop) { [unowned loop] in
            wakeUps += 1
            while let frame = ring.receive(into: &buffer) { read.append(Array(frame.bytes)) }
            loop.stop()
        }
        try loop.run()
        #expect(wakeUps == 1)
        #expect(clients(of: read) == (1...20).map { UInt8($0) })
    }

    /// A runt, a frame that is no DHCP message and a frame larger than a ring slot, between
    /// good ones: each bad one is dropped or fails to decode; the good ones around them are read.
    @Test func hostileFramesInABatchLeaveTheOthersReadable() throws {
        send(Self.discoverFrame(client: 1))
        // Headers whole (so the filter passes it), the datagram cut short.
        send(Array(Self.discoverFrame(client: 2).prefix(14 + 20 + 8 + 10)))
        var corrupt = Self.discoverFrame(client: 3)
        corrupt[Self.cookieOffset] ^= 0xff
        send(corrupt)
        send(Self.discoverFrame(client: 4, padding: 3000))
        send(Self.discoverFrame(client: 5))
        var buffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
        var read: [PacketSocket.ReceivedFrame] = []
        while let frame = ring.receive(into: &buffer) {
            read.append(PacketSocket.ReceivedFrame(bytes: Array(frame.bytes)[...], checksumNotReady: frame.checksumNotReady, receivedAtNanoseconds: frame.receivedAtNanoseconds))
        }
        #expect(clients(of: read.map { Array($0.bytes) }) == [1, nil, nil, nil, 5])
        #expect(read.allSatisfy { $0.bytes.count <= PacketSocket.slotSize })
        let now = WallClock.nanoseconds()
        #expect(read.allSatisfy { $0.receivedAtNanoseconds <= now && now - $0.receivedAtNanoseconds < 60_000_000_000 })
    }

    /// Each frame waiting fills one slot: the depth counts them without reading any.
    @Test func theBacklogIsTheRingsDepth() throws {
        #expect(!ring.isBacklogged(beyond: 0))
        for client in 1...10 { send(Self.discoverFrame(client: UInt8(client))) }
        #expect(ring.isBacklogged(beyond: 9))
        #expect(!ring.isBacklogged(beyond: 10))
        var buffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
        for _ in 1...5 { _ = ring.receive(into: &buffer) }
        #expect(ring.isBacklogged(beyond: 4))
        #expect(!ring.isBacklogged(beyond: 5))
    }

    /// A batch of frames goes out whole and in order (one `sendmmsg`), and empties.
    @Test func aBatchOfFramesIsSentInOrder() throws {
        var batch = PacketSocket.FrameBatch()
        for client in 1...12 { batch.append(Self.discoverFrame(client: UInt8(client), padding: client * 7)) }
        let result = sender.send(&batch)
        #expect(result.dropped == 0 && result.error == nil)
        #expect(batch.isEmpty)
        var buffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
        var read: [[UInt8]] = []
        while let frame = ring.receive(into: &buffer) { read.append(Array(frame.bytes)) }
        #expect(clients(of: read) == (1...12).map { UInt8($0) })
        #expect(read == (1...12).map { Self.discoverFrame(client: UInt8($0), padding: $0 * 7) })
        #expect(sender.send(&batch).dropped == 0, "an empty batch sends nothing")
    }

    /// A full ring drops what comes next, as a full socket buffer does; what it held is read
    /// in order, and frames sent after it was drained are read again.
    @Test func aFullRingDropsNewFramesAndRecovers() throws {
        for client in 1...(ring.ringFrames + 20) { send(Self.discoverFrame(client: UInt8(client))) }
        #expect(ring.isBacklogged(beyond: ring.ringFrames - 1))
        var buffer = [UInt8](repeating: 0, count: PacketSocket.maximumFrameLength)
        var read: [[UInt8]] = []
        while let frame = ring.receive(into: &buffer) { read.append(Array(frame.bytes)) }
        #expect(clients(of: read) == (1...ring.ringFrames).map { UInt8($0) })
        send(Self.discoverFrame(client: 99))
        #expect(ring.receive(into: &buffer).map { self.clients(of: [Array($0.bytes)]) } == [99])
    }
}
