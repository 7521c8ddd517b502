import BrambleDHCP
import BrambleNodeMap
import BrambleReplay
import Testing

/// `bramble replay` answers with the config's `dhcp-mode`: the Pi 4 capture, recorded from
/// the full server, replayed in proxy mode differs exactly where a proxy offer must.
struct ProxyModeReplayTests {
    @Test func aPi4CaptureReplayedInProxyModeShowsTheAddressFreeOfferAndNoACK() throws {
        let report = try FixtureReplayTests.replay("pi4-bootloader") { $0.dhcp.mode = .proxy; $0.pool = nil }
        #expect(!report.isClean)
        let text = report.differences.map(\.description).joined(separator: "\n")
        #expect(text.contains("yiaddr: capture 10.42.0."), "the offer holds no address: \(text)")
        #expect(text.contains("replay 0.0.0.0"), "\(text)")
        #expect(text.contains("option 1:netmask") && text.contains("option 3:router"), "no address options: \(text)")
        #expect(!text.contains("option 43"), "the boot menu is the same: \(text)")
        #expect(!text.contains("option 97"), "option 97 echoed as before: \(text)")
        #expect(text.contains("destination: capture 10.42.0.7, replay 255.255.255.255"), "broadcast: \(text)")
        #expect(text.contains("the capture's server sent this, replay sends nothing: DHCP type 5"), "no ACK: \(text)")
    }
}
