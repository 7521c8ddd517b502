import BrambleNodeMap
import BrambleWire
import Testing

/// `netconsole-port`: off by default, a UDP port, never one of bramble's own.
@Suite struct NetconsolePortConfigTests {
    func parse(_ text: String) -> Result<BrambleConfig, ConfigError> {
        do throws(ConfigError) {
            return .success(try ConfigParser.parse(text, file: "b.conf").validated())
        } catch {
            return .failure(error)
        }
    }

    @Test func offByDefaultAndWhenSaidSo() throws {
        #expect(BrambleConfig.defaults.netconsolePort == nil)
        #expect(try parse("").get().netconsolePort == nil)
        #expect(try parse("netconsole-port = off\n").get().netconsolePort == nil)
    }

    @Test(arguments: [("6666", UInt16(6666)), ("1", 1), ("65535", 65535), ("06665", 6665)])
    func aPort(text: String, port: UInt16) throws {
        #expect(try parse("netconsole-port = \(text)\n").get().netconsolePort?.value == port)
    }

    @Test(arguments: [
        ("0", "b.conf:1: netconsole-port: port 0 is no port: write 1-65535 (the bootloader's default is 6666) or off"),
        ("67", "b.conf:1: netconsole-port: port 67 is bramble's own DHCP port: pick another, e.g. 6666"),
        ("69", "b.conf:1: netconsole-port: port 69 is bramble's own TFTP port: pick another, e.g. 6666"),
        ("53", "b.conf:1: netconsole-port: port 53 is bramble's own DNS port: pick another, e.g. 6666"),
        ("65536", "b.conf:1: netconsole-port: '65536' is not a UDP port: write a number from 1 to 65535 (the bootloader's default is 6666) or off"),
        ("on", "b.conf:1: netconsole-port: 'on' is not a UDP port: write a number from 1 to 65535 (the bootloader's default is 6666) or off"),
        ("-1", "b.conf:1: netconsole-port: '-1' is not a UDP port: write a number from 1 to 65535 (the bootloader's default is 6666) or off"),
        ("6666 6667", "b.conf:1: netconsole-port: '6666 6667' is not a UDP port: write a number from 1 to 65535 (the bootloader's default is 6666) or off"),
    ])
    func badPortsAreReportedAtTheirLine(text: String, expected: String) {
        guard case .failure(let error) = parse("netconsole-port = \(text)\n") else {
            Issue.record("'\(text)' accepted")
            return
        }
        #expect(error.diagnostics.map(\.description) == [expected])
    }

    /// The EEPROM line for a node: ports left blank at the bootloader's defaults, within the
    /// 32 characters the bootloader takes even for the longest IPv4 addresses.
    @Test func theEEPROMLineFitsTheBootloadersLimit() throws {
        let hub = IPv4Address(10, 42, 0, 250)
        #expect(try NetconsolePort(6666).eepromLine(node: IPv4Address(10, 42, 0, 5), hub: hub) == "NETCONSOLE=@10.42.0.5/,@10.42.0.250/")
        #expect(try NetconsolePort(7000).eepromLine(node: IPv4Address(10, 42, 0, 5), hub: hub) == "NETCONSOLE=@10.42.0.5/,7000@10.42.0.250/")
        let long = try NetconsolePort(6666).eepromLine(node: IPv4Address(192, 168, 100, 200), hub: IPv4Address(192, 168, 100, 250))
        #expect(long == "NETCONSOLE=@192.168.100.200/,@/", "35 characters to the hub: broadcast instead")
        let longest = try NetconsolePort(65535).eepromLine(node: IPv4Address(255, 255, 255, 254), hub: IPv4Address(255, 255, 255, 253))
        #expect(longest == "NETCONSOLE=@255.255.255.254/,65535@/")
        #expect(longest.dropFirst("NETCONSOLE=".count).count <= NetconsolePort.maximumValueLength)
    }
}
