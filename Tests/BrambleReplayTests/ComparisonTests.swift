import BrambleDHCP
import BrambleDNS
import BrambleTFTP
import BrambleWire
import Testing

@testable import BrambleReplay

/// The field-by-field comparisons, without files.
struct ComparisonTests {
    static func offer(_ options: [DHCPOption]) -> DHCPMessage {
        DHCPMessage(
            operation: .reply, transactionID: 0x26f3_0339, clientMAC: MACAddress(0xb8, 0x27, 0xeb, 0, 0, 5),
            yourAddress: IPv4Address(10, 42, 0, 5), options: DHCPOptions(options))
    }

    @Test func dhcpNamesEachDifferingOption() {
        let capture = Self.offer([DHCPOption(.messageType, [2]), DHCPOption(.ipAddressLeaseTime, [0, 0, 0x0e, 0x10]), DHCPOption(.domainName, Array("cluster".utf8))])
        let replay = Self.offer([DHCPOption(.messageType, [2]), DHCPOption(.ipAddressLeaseTime, [0, 0, 0x1c, 0x20])])
        let lines = DHCPComparison.differences(capture: capture, replay: replay)
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("option 51") && $0.hasSuffix("capture 3600 s, replay 7200 s") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("option 15") && $0.hasSuffix("capture \"cluster\", replay absent") }, "\(lines)")
        #expect(DHCPComparison.differences(capture: capture, replay: capture).isEmpty)
    }

    @Test func dhcpNamesHeaderFields() {
        var replay = Self.offer([])
        replay.yourAddress = IPv4Address(10, 42, 0, 6)
        #expect(DHCPComparison.differences(capture: Self.offer([]), replay: replay) == ["yiaddr: capture 10.42.0.5, replay 10.42.0.6"])
    }

    @Test func tftpNamesTheFirstDifferingByte() {
        let lines = TFTPComparison.differences(capture: .data(block: 3, payload: [1, 2, 3, 4][...]), replay: .data(block: 3, payload: [1, 2, 9][...]))
        #expect(lines == ["data length: capture 4, replay 3", "data differs from byte 2"])
        #expect(TFTPComparison.differences(capture: .acknowledgement(block: 1), replay: .acknowledgement(block: 1)).isEmpty)
    }

    @Test func dnsIgnoresOnlyTheSOASerial() throws {
        let name = try DNSName(parsing: "cluster")
        func soa(_ serial: UInt32, minimum: UInt32 = 0) -> DNSMessage {
            var message = DNSMessage(responseTo: DNSMessage(header: DNSHeader(id: 7), questions: [DNSQuestion(name: name, type: .soa)]), code: .noError)
            message.answers = [DNSResourceRecord(name: name, ttl: 0, data: .soa(DNSStartOfAuthority(
                primaryServer: name, responsibleMailbox: name, serial: serial, refresh: 1, retry: 1, expire: 1, minimum: minimum)))]
            return message
        }
        #expect(DNSComparison.differences(capture: soa(1), replay: soa(2)).isEmpty)
        let lines = DNSComparison.differences(capture: soa(1), replay: soa(1, minimum: 60))
        #expect(lines.count == 1 && lines[0].hasPrefix("answer record 1:"), "\(lines)")
    }
}

/// Differences read like tcpdump and zone files, not like Swift's reflection.
struct DifferenceTextTests {
    @Test func tftpAndDNSPacketsArePrintedReadably() throws {
        let lines = TFTPComparison.differences(capture: .error(.fileNotFound, message: "file not found: x"), replay: .error(.accessViolation, message: "is a directory: x"))
        #expect(lines == [#"packet: capture ERROR 1 "file not found: x", replay ERROR 2 "is a directory: x""#])
        let record = DNSResourceRecord(name: try DNSName(parsing: "web05.cluster"), ttl: 0, data: .a(IPv4Address(10, 42, 0, 5)))
        #expect(DNSComparison.text(record) == "web05.cluster. 0 IN A 10.42.0.5")
    }
}
