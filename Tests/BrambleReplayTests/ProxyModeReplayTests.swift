import BrambleDHCP
import BrambleNodeMap
import BrambleReplay
import Testing

/// `bramble replay` answers with the config's `dhcp-mode`: the Pi 4 capture, recorded from
/// the full server, replayed in proxy mode differs exactly where a proxy offer must, and
/// nowhere in TFTP, which learns the node's address from its REQUEST as the daemon does.
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
        #expect(report.differences.count == 2, "the OFFER and the ACK only: \(text)")
    }

    /// The Pi 5 capture reads `cmdline.txt` rendered from a template, which only a known node
    /// gets, and asks DNS for its own name: both need the node's address, which replay learns
    /// from the bootloader's REQUEST. Only DHCP differs: the proxy offer, and the bootloader's
    /// and the kernel's ACKs and the kernel's OFFER that a proxy does not send.
    @Test func aPi5CaptureReplayedInProxyModeDiffersInDHCPOnly() throws {
        let report = try FixtureReplayTests.replay("pi5-bootloader") { $0.dhcp.mode = .proxy; $0.pool = nil }
        let text = report.differences.map(\.description).joined(separator: "\n")
        #expect(report.differences.allSatisfy { $0.description.hasPrefix("DHCP client") }, "TFTP and DNS replay as recorded: \(text)")
        #expect(report.differences.count == 4, "\(text)")
        #expect(report.compared > 10, "\(report.summary)")
    }
}
