@testable import BrambleCommands
import BrambleNodeMap
import Testing

@Suite struct ProxyModeAdviceTests {
    func settings(_ text: String) throws -> BrambleConfig {
        try ConfigParser.parse(text, file: "/etc/bramble/bramble.conf").validated()
    }

    @Test func serverModeSaysNothing() throws {
        #expect(ProxyModeAdvice.lines(for: try settings("")).isEmpty)
    }

    @Test func proxyModeNamesTheModelsAndTheDNSSetting() throws {
        let lines = ProxyModeAdvice.lines(for: try settings("dhcp-mode = proxy\ndns = off\n"))
        #expect(lines.first?.hasPrefix("DHCP mode: proxy: the LAN's own DHCP server must assign") == true)
        #expect(lines.contains { $0.contains("Pi 3B, 3B+: boot from a proxy offer") })
        #expect(lines.contains { $0.contains("Pi 4B, Pi 400, CM4") && $0.contains("rpi-eeprom#60") })
        #expect(lines.contains { $0.contains("Pi 5, Pi 500, CM5: not documented") })
        #expect(lines.last == "  DNS: off: no DNS socket is bound")
    }
}
