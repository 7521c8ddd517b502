@_spi(Testing) import BrambleProcfs
import BrambleWire
import Foundation
import Testing

/// The socket tables as a Linux kernel printed them with dnsmasq holding DHCP, TFTP and DNS
/// (Fixtures/procfs: wildcard sockets, and `bind-interfaces` ones on 10.42.0.250).
struct SocketTableTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/procfs")
    static let hub = IPv4Address(10, 42, 0, 250)

    static func table(_ name: String, _ family: SocketTable.Family) throws -> [SocketTableEntry] {
        try SocketTable.parse(String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8), family: family)
    }

    @Test("dnsmasq's wildcard sockets: UDP 53, 67, 69 and TCP 53 on 0.0.0.0, each with its inode")
    func wildcardSockets() throws {
        let udp = try Self.table("wildcard-udp", .ipv4)
        #expect(udp.map(\.localPort) == [53, 67, 69])
        #expect(udp.map(\.inode) == [1_927_973, 1_927_970, 1_927_975])
        #expect(udp.allSatisfy { $0.localAddress == .ipv4(IPv4Address(0)) && $0.state == 0x07 })
        #expect(udp.map(\.line) == [2, 3, 4])
        let tcp = try Self.table("wildcard-tcp", .ipv4)
        #expect(tcp == [SocketTableEntry(line: 2, localAddress: .ipv4(IPv4Address(0)), localPort: 53, state: 0x0A, inode: 1_927_974)])
        for port: UInt16 in [53, 67, 69] {
            #expect(udp.contains { $0.blocks(port: port, transport: .udp, on: Self.hub) })
        }
        #expect(tcp[0].blocks(port: 53, transport: .tcp, on: Self.hub))
        #expect(!udp.contains { $0.blocks(port: 68, transport: .udp, on: Self.hub) })
    }

    @Test("bind-interfaces: the hub's address (FA002A0A) blocks, loopback does not")
    func boundToAddress() throws {
        let udp = try Self.table("bind-interfaces-udp", .ipv4)
        #expect(udp.map(\.localAddress) == [
            .ipv4(IPv4Address(127, 0, 0, 1)), .ipv4(Self.hub), .ipv4(IPv4Address(0)), .ipv4(IPv4Address(127, 0, 0, 1)), .ipv4(Self.hub),
        ])
        let blocking = udp.filter { $0.blocks(port: 53, transport: .udp, on: Self.hub) }
        #expect(blocking.map(\.inode) == [1_930_353])
        #expect(!udp.contains { $0.blocks(port: 53, transport: .udp, on: IPv4Address(10, 42, 0, 1)) && $0.localAddress != .ipv4(IPv4Address(0)) })
    }

    @Test("IPv6 tables: ::1, fd00::250 and a link-local address read as 16 bytes; none blocks an IPv4 bind")
    func ipv6Sockets() throws {
        let tcp6 = try Self.table("bind-interfaces-tcp6", .ipv6)
        #expect(tcp6.count == 3)
        #expect(tcp6[0].localAddress == .ipv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1]))
        #expect(tcp6[1].localAddress == .ipv6([0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x50]))
        #expect(tcp6[2].localAddress == .ipv6([0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x6c, 0x29, 0xe9, 0xff, 0xfe, 0x6a, 0x33, 0xf3]))
        #expect(tcp6.allSatisfy { $0.state == SocketTableEntry.listenState && !$0.blocks(port: 53, transport: .tcp, on: Self.hub) })
        let udp6 = try Self.table("bind-interfaces-udp6", .ipv6)
        #expect(!udp6.isEmpty && udp6.allSatisfy { $0.ipv4Address == nil })
    }

    @Test("an IPv4-mapped IPv6 socket on the hub's address blocks; a TCP socket that is not listening does not")
    func mappedAndStates() throws {
        let mapped = SocketTableEntry(
            line: 2, localAddress: .ipv6([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 42, 0, 250]), localPort: 53, state: 0x0A, inode: 9)
        #expect(mapped.ipv4Address == Self.hub && mapped.blocks(port: 53, transport: .tcp, on: Self.hub))
        let established = SocketTableEntry(line: 2, localAddress: .ipv4(Self.hub), localPort: 53, state: 0x01, inode: 10)
        #expect(!established.blocks(port: 53, transport: .tcp, on: Self.hub))
        #expect(established.blocks(port: 53, transport: .udp, on: Self.hub))
    }

    @Test("every entry written in the table's format reads back the same", arguments: [SocketTable.Family.ipv4, .ipv6])
    func roundTrip(family: SocketTable.Family) throws {
        let name = family == .ipv4 ? "bind-interfaces-udp" : "bind-interfaces-udp6"
        let entries = try Self.table(name, family)
        let text = "  sl  local_address\n" + entries.enumerated().map { SocketTable.line(for: $0.element, slot: $0.offset) }.joined(separator: "\n")
        #expect(try SocketTable.parse(text, family: family) == entries.enumerated().map {
            var entry = $0.element
            entry.line = $0.offset + 2
            return entry
        })
    }

    @Test("malformed lines are typed errors naming the line and the field", arguments: [
        ("sl\n 1: 0100007F:0035 00000000:0000 07", SocketTableError(line: 2, problem: .tooFewFields(4))),
        ("sl\n 1: 0100007:0035 0:0 07 0:0 0:0 0 0 0 12", SocketTableError(line: 2, problem: .badLocalAddress("0100007:0035"))),
        ("sl\n 1: 0100007F:35 0:0 07 0:0 0:0 0 0 0 12", SocketTableError(line: 2, problem: .badLocalAddress("0100007F:35"))),
        ("sl\n 1: 0100007G:0035 0:0 07 0:0 0:0 0 0 0 12", SocketTableError(line: 2, problem: .badLocalAddress("0100007G:0035"))),
        ("sl\n 1: 0100007F:0035 0:0 7 0:0 0:0 0 0 0 12", SocketTableError(line: 2, problem: .badState("7"))),
        ("sl\n 1: 0100007F:0035 0:0 07 0:0 0:0 0 0 0 -12", SocketTableError(line: 2, problem: .badInode("-12"))),
        ("sl\n\n 1: 0100007F:0035 0:0 07 0:0 0:0 0 0 0 99999999999999999999999", SocketTableError(line: 3, problem: .badInode("99999999999999999999999"))),
    ])
    func malformed(text: String, error: SocketTableError) {
        #expect(throws: error) { try SocketTable.parse(text, family: .ipv4) }
        #expect(error.description.hasPrefix("line \(error.line): "))
    }

    @Test("an IPv6 address in the IPv4 table is refused, and the other way round")
    func wrongFamily() throws {
        let udp6 = try String(contentsOf: Self.fixtures.appendingPathComponent("bind-interfaces-udp6"), encoding: .utf8)
        #expect(throws: SocketTableError.self) { try SocketTable.parse(udp6, family: .ipv4) }
        let udp = try String(contentsOf: Self.fixtures.appendingPathComponent("bind-interfaces-udp"), encoding: .utf8)
        #expect(throws: SocketTableError.self) { try SocketTable.parse(udp, family: .ipv6) }
        #expect(try SocketTable.parse("", family: .ipv4).isEmpty)
    }
}
